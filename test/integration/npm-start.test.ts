/**
 * `npm start` (main.ts start) as a newcomer runs it: every role in one process on the local engines, a
 * payment over REST decided, Ctrl-C stops the roles and leaves alone the engines it did not start.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config';
import { createKafka } from '../../kafka/client';
import { publishFeed } from '../../legacy/feed';
import { stackStatus } from '../../stack';
import { freePort } from '../../stack/proc';

const root = path.resolve(__dirname, '../..');

describe('npm start: the whole system in one process', function () {
  this.timeout(120_000);

  it('runs every role, decides a REST payment, and stops on Ctrl-C', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      API_PORT: String(await freePort()),
      GATEWAY_PORT: String(await freePort()),
      TEMPORAL_TASK_QUEUE: `npm-start-${randomUUID().slice(0, 8)}`,
    };
    delete env.API_TOKENS;
    const config = loadConfig(env);
    const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', 'start'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      for (let i = 0; i < 1_200 && !output.includes('paysaga: ready'); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(output, /paysaga: ready in/, output);
      for (const role of [
        'gateway simulator listening',
        'worker polling',
        'outbox relay publishing',
        'bridge consuming',
        'api listening',
      ]) {
        assert.ok(output.includes(role), `missing "${role}" in:\n${output}`);
      }
      assert.match(output, /Temporal Web UI +http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows/);
      const tokensFile = /API tokens +(\S+)/.exec(output)?.[1];
      assert.ok(tokensFile && fs.existsSync(tokensFile), 'the local API tokens file');
      assert.equal(fs.statSync(tokensFile).mode & 0o077, 0, 'only its owner may read it');
      const tokens = JSON.parse(fs.readFileSync(tokensFile, 'utf8')) as { token: string; roles: string[] }[];
      assert.ok(!output.includes(tokens[0]!.token), 'tokens are never printed');
      const clientToken = tokens.find((t) => t.roles.includes('client'))!.token;

      const accountId = `acc-start-${randomUUID().slice(0, 8)}`;
      await publishFeed(createKafka(config, 'test'), [
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
      const posted = await fetch(`${api}/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clientToken}`, 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
        body: JSON.stringify({ accountId, merchantId: 'm-start', amount: 4_200, currency: 'EUR' }),
      });
      assert.equal(posted.status, 202);
      const { statusUrl } = (await posted.json()) as { statusUrl: string };
      let view: { decision: string | null } = { decision: null };
      for (let i = 0; i < 400 && !view.decision; i++) {
        view = (await (
          await fetch(api + statusUrl, { headers: { authorization: `Bearer ${clientToken}` } })
        ).json()) as typeof view;
        if (!view.decision) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(view.decision, 'AUTHORIZED');
      assert.equal((await fetch(`${api}/health/ready`)).status, 200);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, output);
    assert.match(output, /paysaga: SIGINT, stopping[\s\S]*paysaga: stopped/);
    const engines = await stackStatus(config);
    assert.ok(
      engines.every((e) => e.state === 'running'),
      'engines it did not start stay up',
    );
  });
});
