import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { COMMAND_NAMES, dispatch } from '../../cli/registry';

const root = path.resolve(__dirname, '../..');

/** main.ts as npm runs it, without engines: what it prints and its exit code. */
function main(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The same dispatch in this process (no process start per case): its exit code and what it printed. */
async function dispatched(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const printed = { out: '', err: '' };
  const { log, error } = console;
  console.log = (...parts: unknown[]) => void (printed.out += parts.join(' ') + '\n');
  console.error = (...parts: unknown[]) => void (printed.err += parts.join(' ') + '\n');
  try {
    return { code: await dispatch(args), ...printed };
  } finally {
    Object.assign(console, { log, error });
  }
}

describe('the command registry (main.ts)', function () {
  this.timeout(120_000);

  it('answers an unknown command with exit 2 and the list of commands', () => {
    const { code, err } = main('no-such-command');
    assert.equal(code, 2, err);
    assert.match(err, /unknown command "no-such-command"/);
    for (const name of COMMAND_NAMES) assert.match(err, new RegExp(`^  ${name} `, 'm'), `${name} is listed`);
  });

  it("answers a command's unknown flag with its usage and exit 2", () => {
    const { code, err } = main('reconcile', '--bogus');
    assert.equal(code, 2, err);
    assert.match(err, /Unknown option '--bogus'/);
    assert.match(err, /^usage: npm run reconcile \[-- --since 1d --grace 1m --json\]$/m);
  });

  it("answers a command's --help with its usage, exit 0, and runs nothing", async () => {
    for (const name of COMMAND_NAMES) {
      const { code, out } = await dispatched(name, '--help');
      assert.equal(code, 0, name);
      assert.match(out, new RegExp(`^${name}: .+\\nusage: `, 'm'), name);
    }
  });

  it('lists every command with `help`, exit 0', async () => {
    const { code, out } = await dispatched('help');
    assert.equal(code, 0);
    for (const name of [
      'start',
      'run',
      'setup',
      'stack',
      'demo',
      'bench',
      'chaos',
      'soak',
      'legacy-feed',
      'reconcile',
      'dlt',
      'rebuild-read-model',
      'docs:config',
    ])
      assert.match(out, new RegExp(`^  ${name} `, 'm'), `${name} is listed`);
  });

  it('says what to type when a command lacks its arguments (dlt without a topic, stack without a subcommand)', async () => {
    const dlt = await dispatched('dlt', 'list');
    assert.equal(dlt.code, 2, dlt.err);
    assert.match(dlt.err, /^usage: npm run dlt -- list\|replay <topic>, a topic of /m);
    const stack = await dispatched('stack');
    assert.equal(stack.code, 2, stack.err);
    assert.match(stack.err, /^usage: npm run stack -- <command> \[--cluster\]$/m);
  });

  it('answers an unknown role or a bad value with the usage and exit 2, not a stack trace', async () => {
    const run = await dispatched('run', 'nobody');
    assert.equal(run.code, 2, run.err);
    assert.match(run.err, /unknown role\(s\) nobody/);
    assert.match(run.err, /^usage: /m);
    assert.doesNotMatch(run.err, /\n\s+at /, 'no stack trace');
    const chaos = await dispatched('chaos', '--faults', '0');
    assert.equal(chaos.code, 2, chaos.err);
    assert.match(chaos.err, /--faults must be a whole number of at least 1/);
    const soak = await dispatched('soak', '--duration', '1m');
    assert.equal(soak.code, 2, soak.err);
    assert.match(soak.err, /--duration: must leave at least three samples after the warm-up/);
  });
});
