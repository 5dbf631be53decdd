import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../config';
import { stackEngines } from '../../tools/stack';
import { isAlive, portOpen, readPid } from '../../tools/stack/proc';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

/** Pids of live processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
    .filter((e) => {
      try {
        return fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * A second, isolated stack (own state folder and ports, shared cache) driven through the CLI, so the stack
 * the other suites use is never disturbed.
 */
describe('stack command (a second stack on other ports)', function () {
  this.timeout(180_000);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-stack-test-'));
  fs.chmodSync(stateDir, 0o755); // as root, PostgreSQL runs as "postgres" and must enter this folder
  const ports = {
    STACK_TEMPORAL_PORT: 27233,
    STACK_TEMPORAL_UI_PORT: 28233,
    STACK_KAFKA_PORT: 29092,
    STACK_KAFKA_CONTROLLER_PORT: 29093,
    STACK_POSTGRES_PORT: 25432,
  };
  const env = {
    ...process.env,
    PAYSAGA_STATE_DIR: stateDir,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  const stack = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'main.ts', 'stack', ...args], {
        cwd: root,
        env,
      });
      return { code: 0, out: stdout + stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };
  // The engines of the topology the suite runs on: three, or the cluster's nine.
  const engines = stackEngines(loadConfig()).map((e) => e.name);
  const pids = () => engines.map((n) => readPid(path.join(stateDir, 'pids', `${n}.pid`)));

  after(async () => {
    await stack('down');
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('refuses to start when a port is taken, naming the port and its setting, and starts nothing', async () => {
    const squatter = net.createServer().listen(ports.STACK_TEMPORAL_UI_PORT, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    try {
      const { code, out } = await stack('up');
      assert.equal(code, 1);
      assert.match(out, new RegExp(`port ${ports.STACK_TEMPORAL_UI_PORT} .*already taken.*STACK_TEMPORAL_UI_PORT`));
      assert.deepEqual(processesMentioning(stateDir), []);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('starts every engine; a second `up` is harmless and keeps the same processes', async () => {
    const first = await stack('up');
    assert.equal(first.code, 0, first.out);
    assert.equal((first.out.match(/: started in/g) ?? []).length, engines.length, first.out);
    const running = pids();
    assert.ok(
      running.every((pid) => pid !== undefined && isAlive(pid)),
      `pids ${running.join()}`,
    );

    const second = await stack('up');
    assert.equal(second.code, 0, second.out);
    assert.equal((second.out.match(/: already running/g) ?? []).length, engines.length, second.out);
    assert.deepEqual(pids(), running);

    const status = await stack('status');
    assert.equal(status.code, 0, status.out);
    assert.equal((status.out.match(/ running \(pid \d+, \d+ MiB resident\)/g) ?? []).length, engines.length, status.out);
  });

  it('`down` stops every engine and leaves no process or port behind', async () => {
    const running = pids();
    const { code, out } = await stack('down');
    assert.equal(code, 0, out);
    for (const pid of running) assert.ok(pid === undefined || !isAlive(pid), `pid ${pid} still alive`);
    assert.deepEqual(processesMentioning(stateDir), []);
    for (const port of Object.values(ports)) assert.equal(await portOpen(port), false, `port ${port} still open`);
    const again = await stack('down');
    assert.match(again.out, /postgres: not running/);
  });
});
