import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveCacheDir, runDirOf } from './cache-dir.js';

const saved = process.env['SLUICE_CACHE_DIR'];
afterEach(() => {
  if (saved === undefined) delete process.env['SLUICE_CACHE_DIR'];
  else process.env['SLUICE_CACHE_DIR'] = saved;
});

describe('resolveCacheDir', () => {
  it('prefers the option, then SLUICE_CACHE_DIR, then ~/.cache/sluice', () => {
    process.env['SLUICE_CACHE_DIR'] = '/from/env';
    expect(resolveCacheDir('/from/option')).toBe('/from/option');
    expect(resolveCacheDir()).toBe('/from/env');
    delete process.env['SLUICE_CACHE_DIR'];
    expect(resolveCacheDir()).toBe(join(homedir(), '.cache', 'sluice'));
    expect(runDirOf('/c')).toBe('/c/run');
  });
});
