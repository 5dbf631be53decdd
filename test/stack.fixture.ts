/**
 * Mocha global fixture for `npm test`: brings the local stack up before the first suite (provisioning on a
 * fresh machine) and stops, after the last suite, the engines that it started itself. Engines that were
 * already running (a developer's `npm run stack -- up`) are left running.
 */
import { loadConfig } from '../config';
import { stackDown, stackUp } from '../stack';

let startedHere: string[] = [];

export async function mochaGlobalSetup(): Promise<void> {
  const { engines } = await stackUp(loadConfig());
  startedHere = engines.filter((e) => e.state === 'started').map((e) => e.name);
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (startedHere.length > 0) await stackDown(loadConfig(), startedHere);
}
