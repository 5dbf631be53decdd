/**
 * `npm test`: the type checks, the lint and every suite on the real engines. On a new machine the engines'
 * provisioning (the temporal CLI built from Go, Kafka and the test server from Maven Central, the browser from
 * Debian's packages: minutes) is the long pole, so it runs first at full priority; the type checks and the lint
 * run beside it and beside the suites at a lower priority, on the CPU those leave idle (the suites mostly keep
 * one of two cores busy). The mocha fixture finds everything cached and only starts the engines. Failed
 * provisioning skips the suites; the exit code is the first failure's (checks, then suites).
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { loadConfig } from '../../config';
import { stackProvision } from '../stack';
import { provisionChromium } from '../stack/chromium';

/**
 * `npm run test:cluster` (this script with --cluster): the integration suites on the cluster topology (three
 * brokers, Temporal's services apart, docs/scaling.md). Slower, so not part of `npm test`; the unit and workflow
 * suites do not touch the engines' topology and run in `npm test` only.
 */
const CLUSTER = process.argv.includes('--cluster');
if (CLUSTER) process.env.STACK_TOPOLOGY = 'cluster';
const SUITES = CLUSTER ? 'test/integration/**/*.test.ts' : 'test/**/*.test.ts';
const MOCHA = ['mocha', '--require', 'test/stack.fixture.ts', '--require', 'test/open-handles.ts', SUITES];

/** Niceness of the checks: the scheduler gives them about a tenth of a busy core's share. */
const CHECKS_NICENESS = 10;

/** Runs a command with this terminal (at a lower priority when `niceness` is given); resolves to its exit code. */
function run(command: string, args: string[], niceness?: number): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    // Set before npx starts the tool's own process, which inherits it.
    if (niceness !== undefined && child.pid !== undefined) os.setPriority(child.pid, niceness);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

async function main(): Promise<number> {
  const t0 = Date.now();
  const config = loadConfig();
  const provisioned = Promise.all([stackProvision(config), provisionChromium(config)]).then(
    () => {
      console.log(`test: engines and browser provisioned after ${seconds(t0)}`);
      return 0;
    },
    (err: unknown) => {
      console.error(`test: provisioning failed: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    },
  );
  const checks = (async () => {
    if (CLUSTER) return 0; // `npm test` has run them
    const typecheck = await run('npm', ['run', '--silent', 'typecheck'], CHECKS_NICENESS);
    const lint = typecheck === 0 ? await run('npx', ['eslint', '.'], CHECKS_NICENESS) : typecheck;
    console.log(`test: type checks and lint ${lint === 0 ? 'passed' : 'failed'} after ${seconds(t0)}`);
    return lint;
  })();
  const ready = await provisioned;
  if (ready !== 0) {
    await checks; // run to its end: a check left running would outlive this process
    return ready;
  }
  const suites = Date.now();
  const code = await run('npx', MOCHA);
  console.log(`test: suites ${code === 0 ? 'passed' : 'failed'} in ${seconds(suites)}; npm test took ${seconds(t0)}`);
  return (await checks) || code;
}

// Ctrl-C reaches every process of the terminal's group: mocha stops its engines itself, and this process
// waits to report its exit code rather than leave first.
process.on('SIGINT', () => undefined);
void main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
