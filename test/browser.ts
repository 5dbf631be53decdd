/**
 * A headless Chromium for the browser tests, driven by Playwright: the machine's `chromium`, or Debian's
 * unpacked into the cache by tools/stack/chromium.ts (the test setup provisions it; this does too when called
 * alone). The caller closes the browser in an after hook; closing ends its whole process group.
 */
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../config';
import { provisionChromium } from '../tools/stack/chromium';

export async function launchBrowser(): Promise<Browser> {
  const { executablePath, env } = await provisionChromium(loadConfig());
  // Chromium refuses to start its sandbox as root (Playwright then passes --no-sandbox); any other user keeps it.
  const root = process.getuid?.() === 0;
  return chromium.launch({ executablePath, env: { ...process.env, ...env }, chromiumSandbox: !root, headless: true });
}
