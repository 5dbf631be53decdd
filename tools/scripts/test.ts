/**
 * `npm test`: the type checks and the lint, then every suite on the real engines. On a new machine the
 * engines' provisioning (the temporal CLI built from Go, Kafka and the test server from Maven Central, the
 * browser from Debian's packages: minutes) runs while the type checks and the lint do, instead of after them;
 * the mocha fixture then finds everything cached and only starts the engines. Exits with the first failure's
 * code: a failed check or provisioning skips the suites.
 */
import { spawn } from 'node:child_process';
import { loadConfig } from '../../config';
import { stackProvision } from '../stack';
import { provisionChromium } from '../stack/chromium';

const MOCHA = ['mocha', '--require', 'test/stack.fixture.ts', '--require', 'test/open-handles.ts', 'test/**/*.test.ts'];

/** Runs a command with this terminal; resolves to its exit code. */
function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
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
    const typecheck = await run('npm', ['run', '--silent', 'typecheck']);
    if (typecheck !== 0) return typecheck;
    const lint = await run('npx', ['eslint', '.']);
    console.log(`test: type checks and lint ${lint === 0 ? 'passed' : 'failed'} after ${seconds(t0)}`);
    return lint;
  })();
  // Both run to their end either way: a build left running would outlive this process.
  const [checked, ready] = await Promise.all([checks, provisioned]);
  if (checked !== 0 || ready !== 0) return checked || ready;
  const suites = Date.now();
  const code = await run('npx', MOCHA);
  console.log(`test: suites ${code === 0 ? 'passed' : 'failed'} in ${seconds(suites)}; npm test took ${seconds(t0)}`);
  return code;
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
