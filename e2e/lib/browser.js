// Launches Debian's Chromium (never a downloaded browser) through playwright-core.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Path of the Chromium executable: env CHROMIUM_PATH, else /usr/bin/chromium. */
export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/**
 * Starts headless Chromium. Close it with `await browser.close()`.
 * @param {{ args?: string[] }} [options] extra command-line switches
 */
export async function launchBrowser({ args = [] } = {}) {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: run scripts/install-deps ` +
        '(Debian package "chromium") or set CHROMIUM_PATH.',
    );
  }
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...args] });
}

/**
 * Starts headless Chromium whose (only) camera plays a Y4M file in a loop, with camera
 * permission granted without a prompt.
 * @param {string} y4mPath a YUV4MPEG2 file (see lib/y4m.js)
 */
export async function launchBrowserWithCamera(y4mPath) {
  if (!existsSync(y4mPath)) throw new Error(`fake camera video ${y4mPath} does not exist`);
  return launchBrowser({
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${y4mPath}`,
    ],
  });
}

/**
 * A fresh, phone-like browser context (its own cookies and storage).
 * @param {import('playwright-core').Browser} browser
 * @param {{ locale?: string }} [options]
 */
export async function newPhoneContext(browser, { locale = 'en-US' } = {}) {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale,
  });
}
