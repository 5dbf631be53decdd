/**
 * One payment end to end on the real dev server, through the real worker and gateway processes
 * (`main.ts run worker`, `main.ts run gateway`), found afterwards by its search attributes with the temporal CLI.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../config';
import { recordAccountState } from '../../db/accounts';
import { createPool } from '../../db/pool';
import { freePort } from '../../tools/stack/proc';
import { temporalBinary } from '../../tools/stack/temporal';
import { createTemporalClient } from '../../temporal/connection';
import { sagaPolicy, startPayment } from '../../temporal/start-payment';

const root = path.resolve(__dirname, '../..');

/** Runs one role with `main.ts run <role>` and resolves once its output contains `ready`. */
function startProcess(
  role: string,
  env: NodeJS.ProcessEnv,
  ready: string,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', 'run', role], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) resolve({ child, output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${role} exited (${code}) before it was ready:\n${output}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)));

describe('authorizePayment end to end on the dev server (worker and gateway processes)', function () {
  this.timeout(120_000);
  const taskQueue = `e2e-${randomUUID()}`;
  let env: NodeJS.ProcessEnv;
  let client: Client;
  let worker: { child: ChildProcess; output: () => string };
  let gateway: { child: ChildProcess; output: () => string };

  before(async () => {
    env = { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, GATEWAY_PORT: String(await freePort()) };
    // Two processes on one machine: each its own metrics port.
    gateway = await startProcess('gateway', { ...env, METRICS_PORT: String(await freePort()) }, 'paysaga: ready');
    worker = await startProcess('worker', { ...env, METRICS_PORT: String(await freePort()) }, 'paysaga: ready');
    client = await createTemporalClient(loadConfig(env));
  });

  after(async () => {
    for (const p of [worker, gateway]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    await client?.connection.close();
  });

  it('authorizes a payment and the CLI finds it by PaymentId and PaymentStatus', async () => {
    const config = loadConfig(env);
    const payment = {
      paymentId: `pay-${randomUUID()}`,
      accountId: `acc-${randomUUID()}`,
      merchantId: 'merchant-e2e',
      amount: 1_999,
      currency: 'EUR',
      requestedAt: new Date().toISOString(),
    };
    const pool = createPool(config);
    const db = await pool.connect();
    await recordAccountState(db, {
      accountId: payment.accountId,
      version: 1,
      asOf: new Date(Date.now() + 1_000).toISOString(),
      status: 'active',
      balance: 5_000,
      currency: 'EUR',
    });
    db.release();
    await pool.end();

    const handle = await startPayment(client, { payment, policy: sagaPolicy(config), taskQueue });
    const outcome = await handle.result();
    assert.equal(outcome.decision, 'AUTHORIZED');

    const cli = temporalBinary(config);
    assert.ok(cli, 'the stack provisioned a temporal CLI');
    const query = `PaymentId = '${payment.paymentId}' AND PaymentStatus = 'AUTHORIZED'`;
    let listed = '';
    for (let i = 0; i < 50 && !listed.includes(handle.workflowId); i++) {
      const { stdout } = await promisify(execFile)(cli, [
        'workflow',
        'list',
        '--address',
        config.temporal.address,
        '--namespace',
        config.temporal.namespace,
        '--query',
        query,
        '--output',
        'json',
      ]);
      listed = stdout;
      if (!listed.includes(handle.workflowId)) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(listed.includes(handle.workflowId), `temporal workflow list --query "${query}" did not find ${handle.workflowId}`);
  });

  it('stops the worker and the gateway gracefully on SIGTERM', async () => {
    worker.child.kill('SIGTERM');
    gateway.child.kill('SIGTERM');
    assert.equal(await exited(worker.child), 0, worker.output());
    assert.equal(await exited(gateway.child), 0, gateway.output());
    assert.match(worker.output(), /paysaga: SIGTERM, stopping[\s\S]*paysaga: stopped/);
    assert.doesNotMatch(worker.output() + gateway.output(), /stop failed/);
  });
});
