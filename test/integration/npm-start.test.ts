/**
 * `npm start -- --demo` as a newcomer runs it: every role in one process on the local engines,
 * health and metrics for each role, the demo run to completion with every scenario met, a payment over REST
 * decided, then Ctrl-C stops the roles, frees their ports, and leaves alone the engines it did not start.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadConfig } from '../../config';
import { TEMPORAL_SDK_METRICS } from '../../observability/temporal-metrics';
import { createKafka } from '../../kafka/client';
import { publishFeed } from '../../tools/legacy/feed';
import { ROLE_NAMES } from '../../roles';
import { startGroupsAtTopicEnds } from '../../roles/consumer-groups';
import { stackStatus } from '../../tools/stack';
import { freePort } from '../../tools/stack/proc';
import { eventually } from '../eventually';
import { contractFetch } from '../api-contract';

const root = path.resolve(__dirname, '../..');

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

describe('npm start: the whole system in one process, with the demo', function () {
  this.timeout(600_000);

  it('runs every role with health and metrics, completes the demo, decides a REST payment, and stops on Ctrl-C', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      API_PORT: String(await freePort()),
      GATEWAY_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      TEMPORAL_TASK_QUEUE: `npm-start-${randomUUID().slice(0, 8)}`,
      KAFKA_CLIENT_ID: `paysaga-start-${randomUUID().slice(0, 8)}`,
      LOG_FORMAT: 'json',
    };
    delete env.API_TOKENS;
    const config = loadConfig(env);
    // Its consumer groups start at the topics' ends: earlier suites' records are not this system's history.
    const kafka = createKafka(config, 'test');
    await startGroupsAtTopicEnds(config);
    const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', 'start', '--demo'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    const ports = [config.api.port, config.gateway.port, config.observability.metricsPort];
    try {
      // The whole banner (its lines may reach the pipe in separate chunks): it ends with the metrics line.
      await eventually('ready', async () => /Metrics +http\S+/.test(output) || child.exitCode !== null, 240_000);
      assert.match(output, /paysaga: ready in/, output);
      for (const role of ROLE_NAMES) assert.ok(output.includes(`"role":"${role}"`), `no start line of ${role} in:\n${output}`);
      assert.match(output, /Temporal Web UI +http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows/);
      assert.match(output, new RegExp(`Metrics +http://127\\.0\\.0\\.1:${config.observability.metricsPort}/metrics`));
      const tokensFile = /API tokens +(\S+)/.exec(output)?.[1];
      assert.ok(tokensFile && fs.existsSync(tokensFile), 'the local API tokens file');
      // The stack's payload key: written once, readable by its owner only.
      const keysFile = /Payload codec +AES-256-GCM, keys (\S+);/.exec(output)?.[1];
      assert.ok(keysFile && (fs.statSync(keysFile).mode & 0o777) === 0o600, `the local payload keys file (${keysFile})`);
      assert.equal(fs.statSync(tokensFile).mode & 0o077, 0, 'only its owner may read it');
      const tokens = JSON.parse(fs.readFileSync(tokensFile, 'utf8')) as { token: string; roles: string[] }[];
      const clientToken = tokens.find((t) => t.roles.includes('client'))!.token;
      // The console the banner names answers, and its operator token signs in.
      const consoleUrl = /Operator console +(\S+)/.exec(output)?.[1];
      assert.equal((await fetch(consoleUrl!)).status, 200, `console page at ${consoleUrl}`);
      const signIn = await fetch(new URL('/console/session', consoleUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: tokens.find((t) => t.roles.includes('operator'))!.token }),
      });
      assert.equal(signIn.status, 201);

      // Health of every role, from the process's observability endpoint.
      const observability = `http://127.0.0.1:${config.observability.metricsPort}`;
      const health = await eventually(
        'every role ready',
        async () => {
          const res = await fetch(`${observability}/health/ready`);
          const body = (await res.json()) as { roles: { name: string; ready: boolean }[] };
          return res.status === 200 && body;
        },
        60_000,
      );
      assert.deepEqual(health.roles.map((r) => r.name).sort(), [...ROLE_NAMES].sort());
      assert.ok(health.roles.every((r) => r.ready));

      // The demo runs to completion with every scenario met.
      await eventually(
        'the demo finished',
        async () => /paysaga: demo completed/.test(output) || child.exitCode !== null,
        300_000,
      );
      assert.match(output, /paysaga: demo completed: every scenario met/, output.slice(-4_000));

      // A payment over REST, decided; its series move on /metrics (the Temporal SDK's are there too).
      const metrics = () => fetch(`${observability}/metrics`).then((r) => r.text());
      const decidedTotal = (text: string) =>
        text
          .split('\n')
          .filter((l) => l.startsWith('paysaga_payments_decided_total{'))
          .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
      const before = await metrics();
      for (const series of [
        'paysaga_payments_decided_total',
        'paysaga_decision_latency_seconds_bucket',
        'paysaga_payments_waiting_for_state',
        'paysaga_outbox_backlog',
        'paysaga_kafka_consumer_lag{',
        'paysaga_webhook_backlog',
        'temporal_',
      ]) {
        assert.ok(before.includes(series), `${series} on /metrics`);
      }
      // The Temporal SDK's series in Prometheus's conventions: seconds named as such, counters ending in _total.
      for (const name of TEMPORAL_SDK_METRICS) assert.match(before, new RegExp(`^${name}_bucket\\{`, 'm'), `${name} on /metrics`);
      assert.match(before, /^# TYPE temporal_workflow_completed_total counter$/m);
      assert.doesNotMatch(before, /^temporal_\w+_milliseconds/m, 'no Temporal duration in milliseconds');
      const accountId = `acc-start-${randomUUID().slice(0, 8)}`;
      await publishFeed(kafka, [
        {
          accountId,
          version: 1,
          asOf: new Date(Date.now() + 60_000).toISOString(),
          status: 'active',
          balance: 50_000,
          currency: 'EUR',
        },
      ]);
      const api = `http://127.0.0.1:${config.api.port}`;
      const posted = await contractFetch(`${api}/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clientToken}`, 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
        body: JSON.stringify({ accountId, merchantId: 'm-start', amount: 4_200, currency: 'EUR' }),
      });
      assert.equal(posted.status, 202);
      const { statusUrl } = (await posted.json()) as { statusUrl: string };
      const view = await eventually(
        'decided',
        async () => {
          const v = (await (
            await contractFetch(api + statusUrl, { headers: { authorization: `Bearer ${clientToken}` } })
          ).json()) as {
            decision: string | null;
          };
          return v.decision ? v : undefined;
        },
        60_000,
      );
      assert.equal(view.decision, 'AUTHORIZED');
      assert.ok(decidedTotal(await metrics()) > decidedTotal(before), 'paysaga_payments_decided_total moved');
      assert.ok(!output.includes(clientToken), 'tokens are never printed or logged');
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, output.slice(-4_000));
    assert.match(output, /paysaga: SIGINT, stopping[\s\S]*paysaga: stopped/);
    for (const port of ports) assert.equal(await listening(port), false, `port ${port} is free again`);
    const engines = await stackStatus(config);
    assert.ok(
      engines.every((e) => e.state === 'running'),
      'engines it did not start stay up',
    );
  });
});
