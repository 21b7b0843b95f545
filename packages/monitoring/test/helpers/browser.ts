// Launches Debian's chromium through playwright-core for the dashboard tests. A missing browser
// is a test failure with the install command, never a skip.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

/** Path of the browser: `$SLUICE_CHROMIUM` or Debian's `/usr/bin/chromium`. */
export const CHROMIUM = process.env['SLUICE_CHROMIUM'] ?? '/usr/bin/chromium';

/** The package's test output folder (`test-results/`), created on demand. */
export async function outputFolder(): Promise<string> {
  const folder = fileURLToPath(new URL('../../test-results/', import.meta.url));
  await mkdir(folder, { recursive: true });
  return folder;
}

/** Starts headless chromium; throws with the apt command when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; the dashboard browser tests need it. ` +
        'Install it with: apt-get update && apt-get install -y chromium (or set SLUICE_CHROMIUM to its path).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Starts chromium and opens `url` in a page `height` pixels high (1280 wide); `pageErrors` collects
 * the page's uncaught errors. The caller closes `browser`.
 */
export async function openDashboard(
  url: string,
  height: number,
): Promise<{ browser: Browser; page: Page; pageErrors: string[] }> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(url);
    return { browser, page, pageErrors };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
