/**
 * A headless Chromium for the browser tests, driven by Playwright: the machine's `chromium`, or Debian's
 * unpacked into the cache by tools/stack/chromium.ts (the test setup provisions it; this does too when called
 * alone). The caller closes the browser in an after hook; closing ends its whole process group.
 */
import type { Browser } from 'playwright-core';
import { loadConfig } from '../config';
import { launchChromium } from '../tools/stack/chromium';

export const launchBrowser = (): Promise<Browser> => launchChromium(loadConfig());
