/**
 * Mocha global fixture for `npm test`: brings the local stack up before the first suite (provisioning on a
 * fresh machine), provides the browser suites' Chromium, and stops, after the last suite, the engines that it
 * started itself. Engines that were already running (a developer's `npm run stack -- up`) are left running.
 * Log lines below warn are quiet unless LOG_LEVEL asks for them.
 */
import { loadConfig } from '../config';
import { configureLogging } from '../observability/logger';
import { stackDown, stackUp } from '../tools/stack';
import { provisionChromium } from '../tools/stack/chromium';

let startedHere: string[] = [];

export async function mochaGlobalSetup(): Promise<void> {
  const config = loadConfig();
  configureLogging({ level: process.env.LOG_LEVEL ? config.logLevel : 'warn', format: config.logFormat });
  const { engines } = await stackUp(config);
  startedHere = engines.filter((e) => e.state === 'started').map((e) => e.name);
  // The browser suites' Chromium: fetched here on a fresh machine, once, rather than inside a suite's timeout.
  const browser = await provisionChromium(config).catch(async (err: unknown) => {
    // No teardown follows a failed setup: stop the engines started above before failing.
    if (startedHere.length > 0) await stackDown(config, startedHere);
    throw err;
  });
  console.log(`  chromium: ${browser.executablePath}${browser.source === 'cache' ? ' (unpacked from Debian packages)' : ''}`);
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (startedHere.length > 0) await stackDown(loadConfig(), startedHere);
}
