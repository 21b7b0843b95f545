/**
 * The dashboard's static files (`assets/dashboard/` of the package: plain HTML, CSS and one
 * hand-written ES module, no build step), read once and served from memory.
 */
import { readFile } from 'node:fs/promises';

const FILES = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
} as const;

/** A static file ready to serve. */
export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** Loads every dashboard file; the keys are URL paths. */
export async function loadDashboardAssets(): Promise<ReadonlyMap<string, Asset>> {
  // src/ and dist/ both sit beside assets/ in the package.
  const base = new URL('../assets/dashboard/', import.meta.url);
  const out = new Map<string, Asset>();
  for (const [path, { file, type }] of Object.entries(FILES)) {
    out.set(path, { type, body: await readFile(new URL(file, base)) });
  }
  return out;
}
