/**
 * Ctrl-C as a terminal sends it: `npm start` (npm, then node) on engines of its own, then SIGINT to the whole
 * process group, which every process in it receives, npm forwarding it once more. Everything stops within
 * seconds: the roles, then the engines `npm start` started; exit code 0; no process and no port left behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config';
import { stackDown, stackStatus } from '../../tools/stack';
import { freePort, portOpen } from '../../tools/stack/proc';
import { eventually } from '../eventually';

const root = path.resolve(__dirname, '../..');

/**
 * Starts `command` as a terminal does: in a process group of its own, whose every process a Ctrl-C reaches.
 * `printed()` is what it printed so far; `groupAlive()` whether any process of the group still runs.
 */
function spawnInGroup(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  return { child, printed: () => output, groupAlive, interrupt: () => process.kill(-child.pid!, 'SIGINT') };
}

/**
 * A free port whose neighbours the cluster topology can derive from it: Temporal's services take the ports around
 * STACK_TEMPORAL_PORT (up to 2006 above it, 300 below), the brokers the ones after the first (docs/local-stack.md).
 */
async function portWithRoom(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 2_006 <= 65_535) return port; // what config/load.ts allows in the cluster topology
  }
}

/**
 * STACK_TEMPORAL_PORT: in the cluster topology at most 33061, since Temporal keeps its services' membership ports
 * (300 below) in a smallint column (config/load.ts), below the kernel's ephemeral range that freePort() draws from.
 */
async function temporalPortWithRoom(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 13_000);
    if (!(await portOpen(port)) && !(await portOpen(port - 299)) && !(await portOpen(port + 1))) return port;
  }
}

describe('Ctrl-C to the process group of npm start', function () {
  this.timeout(300_000);

  it('stops every role and the engines it started within seconds, exit code 0, leaving no port open', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-ctrl-c-'));
    fs.chmodSync(stateDir, 0o755); // as root, PostgreSQL runs as "postgres" and must enter this folder
    const ports: Record<string, number> = {};
    for (const name of [
      'STACK_TEMPORAL_PORT',
      'STACK_TEMPORAL_UI_PORT',
      'STACK_KAFKA_PORT',
      'STACK_KAFKA_CONTROLLER_PORT',
      'STACK_POSTGRES_PORT',
      'API_PORT',
      'GATEWAY_PORT',
      'METRICS_PORT',
    ])
      ports[name] = name === 'STACK_TEMPORAL_PORT' ? await temporalPortWithRoom() : await portWithRoom();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PAYSAGA_STATE_DIR: stateDir,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    };
    delete env.API_TOKENS;
    delete env.DATABASE_URL;
    const config = loadConfig(env);
    const { child, printed, groupAlive, interrupt } = spawnInGroup('npm', ['start'], env);
    try {
      await eventually(
        'npm start ready',
        async () => printed().includes('paysaga: ready in') || child.exitCode !== null,
        240_000,
      );
      assert.match(printed(), /paysaga: ready in/, printed().slice(-4_000));
      assert.ok(
        (await stackStatus(config)).every((e) => e.state === 'running'),
        'its engines run',
      );

      const t0 = Date.now();
      interrupt();
      // npm mirrors the signal (it exits as interrupted once it has forwarded it); what counts is that every
      // process of the group has ended, and that paysaga itself stopped in order.
      await eventually('every process of the group ended', async () => !groupAlive(), 60_000).catch(() => {
        throw new Error(`processes of npm start still running 60 s after Ctrl-C:\n${printed().slice(-4_000)}`);
      });
      assert.ok(child.exitCode === 0 || child.signalCode === 'SIGINT', `npm: code ${child.exitCode}, signal ${child.signalCode}`);
      assert.match(printed(), /paysaga: SIGINT, stopping[\s\S]*paysaga: stopped/);
      assert.ok(Date.now() - t0 < 60_000);
      assert.ok(
        (await stackStatus(config)).every((e) => e.state === 'stopped'),
        'the engines it started are stopped',
      );
      for (const [name, port] of Object.entries(ports)) assert.equal(await portOpen(port), false, `${name} ${port} is free`);
    } finally {
      if (groupAlive()) process.kill(-child.pid!, 'SIGKILL');
      await stackDown(config).catch(() => undefined);
    }
  });

  it('stops at once when Ctrl-C comes while the roles wait to be ready (the api alone, without the bridge it waits for)', async () => {
    // The suite's engines (already running: npm start leaves them to whoever started them), a port of its own
    // for the api and the metrics, and a Kafka client id of its own, whose bridge consumer groups no process
    // runs: the api stays not ready (by design), and npm start waits up to two minutes for it to be.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      API_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      KAFKA_CLIENT_ID: `ctrl-c-${process.pid}-${Date.now()}`,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    };
    const { child, printed, groupAlive, interrupt } = spawnInGroup('npm', ['start', '--', '--roles', 'api'], env);
    try {
      await eventually('the api started', async () => printed().includes('api listening on') || child.exitCode !== null, 120_000);
      assert.match(printed(), /api listening on/, printed().slice(-4_000));

      interrupt();
      // Well within the two minutes of the readiness wait: the stop does not wait for it to run out.
      await eventually('every process of the group ended', async () => !groupAlive(), 20_000).catch(() => {
        throw new Error(`processes of npm start --roles api still running 20 s after Ctrl-C:\n${printed().slice(-4_000)}`);
      });
      assert.ok(child.exitCode === 0 || child.signalCode === 'SIGINT', `npm: code ${child.exitCode}, signal ${child.signalCode}`);
      assert.match(printed(), /paysaga: SIGINT, stopping[\s\S]*paysaga: stopped/);
      assert.doesNotMatch(printed(), /paysaga: ready in/, 'it never said it was ready');
    } finally {
      if (groupAlive()) process.kill(-child.pid!, 'SIGKILL');
    }
  });

  it('stops at once when Ctrl-C comes while a role waits for an engine (run api, no broker at KAFKA_BROKERS)', async () => {
    // The suite's PostgreSQL, and a broker address where nothing listens: the process waits up to two minutes
    // for Kafka, saying so.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      API_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
      API_TOKENS: JSON.stringify([{ token: 'ctrl-c-test-token-0123456789', subject: 'ctrl-c', roles: ['client'] }]),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    };
    const { child, printed, interrupt } = spawnInGroup(process.execPath, ['--import', 'tsx', 'main.ts', 'run', 'api'], env);
    // 'close': the process has exited and its output has been read to the end.
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      // Its first refused connection: it is in the wait for Kafka (the "waiting for Kafka" line comes once
      // KafkaJS's own retries of that first attempt are spent, seconds later).
      const refused = () => /Connection error: connect ECONNREFUSED/.test(printed());
      await eventually('a refused connection to Kafka', async () => refused() || child.exitCode !== null, 60_000);
      assert.ok(refused(), printed().slice(-4_000));

      interrupt();
      await eventually('the process ended', async () => child.exitCode !== null || child.signalCode !== null, 20_000).catch(
        () => {
          throw new Error(`run api still running 20 s after Ctrl-C:\n${printed().slice(-4_000)}`);
        },
      );
      assert.equal(await closed, 0, printed().slice(-4_000));
      assert.match(printed(), /paysaga: SIGINT, stopping[\s\S]*paysaga: stopped/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
