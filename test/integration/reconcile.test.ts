/**
 * Ledger views and reconciliation on the real pipeline: balances and journals from the
 * double-entry ledger, and `npm run reconcile` comparing the gateway simulator, the ledger and the decided
 * events: silent on clean data, naming each injected mismatch (and exiting non-zero) otherwise.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Partitioners } from 'kafkajs';
import { envelope, EVENT_TYPES } from '../../contracts/events';
import type { PaymentDecided } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import { withTransaction } from '../../db/pool';
import { ledgerAccounts } from '../../ledger/accounts';
import { reconcile } from '../../reconcile';
import { eventually } from '../eventually';
import { PipelineHarness, TOKENS } from './pipeline-harness';

const root = path.resolve(__dirname, '../..');

describe('ledger views and reconciliation (real engines)', function () {
  this.timeout(90_000);
  const h = new PipelineHarness();
  let from: Date;
  let authorized: PaymentDecided[];

  before(async function () {
    this.timeout(120_000);
    await h.setUp();
    from = new Date(Date.now() - 1_000);
    const accountId = h.accountId();
    await h.publishAccountStates(h.accountState(accountId, { balance: 5_000 }));
    const ids = [await h.submit({ accountId, amount: 1_200 }), await h.submit({ accountId, amount: 800 })];
    authorized = await Promise.all(ids.map((id) => h.decision(id)));
    // Beyond the balance: declined by the rules, never sent to the gateway.
    const declined = await h.decision(await h.submit({ accountId, amount: 6_000 }));
    assert.deepEqual([...authorized.map((d) => d.decision), declined.decision], ['AUTHORIZED', 'AUTHORIZED', 'DECLINED']);
    await eventually(
      'outbox published',
      async () => (await h.pool.query('select 1 from outbox where sent_at is null')).rowCount === 0,
    );
  });
  after(async function () {
    this.timeout(60_000);
    await h.tearDown();
  });

  const config = () => ({ ...h.config, gateway: { ...h.config.gateway, url: h.gatewayUrl } });
  const run = () => reconcile({ config: config(), pool: h.pool, kafka: h.kafka, from, to: new Date() });
  const cli = (since: string) =>
    new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', 'reconcile', '--since', since, '--grace', '1ms'], {
        cwd: root,
        env: { ...h.env, GATEWAY_URL: h.gatewayUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, out }));
    });
  const sinceStart = () => `${Math.ceil((Date.now() - from.getTime()) / 1000) + 1}s`;

  it('shows balances and the journal of a ledger account, and a balanced trial balance', async () => {
    const customer = ledgerAccounts.customer(authorized[0]!.accountId);
    const res = await h.get(`/ledger/accounts/${encodeURIComponent(customer)}?limit=1`, TOKENS.operator);
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      balances: { currency: string; debits: number; credits: number; balance: number }[];
      journal: { paymentId: string; direction: string; amount: number; counterparts: string[] }[];
      nextCursor: string | null;
    };
    assert.deepEqual(body.balances, [{ currency: 'EUR', debits: 2_000, credits: 0, balance: 2_000 }]);
    assert.equal(body.journal.length, 1);
    // The two payments were decided concurrently: either may be the newest entry.
    const newest = authorized.find((d) => d.paymentId === body.journal[0]!.paymentId)!;
    const older = authorized.find((d) => d !== newest)!;
    assert.deepEqual(
      [body.journal[0]!.direction, body.journal[0]!.amount, body.journal[0]!.counterparts],
      ['debit', newest.amount, [ledgerAccounts.merchantPending('m-1')]],
    );
    const next = (await (
      await h.get(`/ledger/accounts/${encodeURIComponent(customer)}?cursor=${body.nextCursor}`, TOKENS.operator)
    ).json()) as typeof body;
    assert.deepEqual(
      next.journal.map((e) => e.paymentId),
      [older.paymentId],
    );
    assert.equal(next.nextCursor, null);

    assert.equal((await h.get(`/ledger/accounts/${encodeURIComponent(customer)}`, TOKENS.client)).status, 403);
    assert.equal((await h.get('/ledger/accounts/customer:nobody', TOKENS.operator)).status, 404);
    const trial = (await (await h.get('/ledger/trial-balance', TOKENS.operator)).json()) as {
      balanced: boolean;
      totals: { debits: number; credits: number }[];
    };
    assert.equal(trial.balanced, true);
    assert.ok(trial.totals.every((t) => t.debits === t.credits));
  });

  it('finds no mismatch on clean data, and the command exits 0', async () => {
    const report = await run();
    assert.deepEqual(report.mismatches, []);
    assert.ok(report.payments >= 3, `the run's payments are in scope (${report.payments})`);
    assert.ok(report.sources.ledgerHolds >= 2 && report.sources.gatewayRecords >= 2);
    const { code, out } = await cli(sinceStart());
    assert.equal(code, 0, out);
    assert.match(out, /reconcile: no mismatch/);
  });

  it('reports each injected mismatch, and the command exits 1', async () => {
    const [first, second] = authorized as [PaymentDecided, PaymentDecided];
    // 1. A charge at the gateway that paysaga never decided.
    const stray = `pay-stray-${randomUUID()}`;
    const charged = await fetch(`${h.gatewayUrl}/authorizations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': stray },
      body: JSON.stringify({ paymentId: stray, accountId: first.accountId, merchantId: 'm-1', amount: 50, currency: 'EUR' }),
    });
    assert.equal(charged.status, 201);
    const { authorizationId } = (await charged.json()) as { authorizationId: string };
    // 2. A ledger hold of the wrong amount (still balanced).
    await h.pool.query(`update ledger_entries set amount = 1_201 where transaction_id = $1`, [
      `authorization:${first.paymentId}`,
    ]);
    // 3. An authorization whose ledger hold is gone.
    await withTransaction(h.pool, async (tx) => {
      await tx.query(`delete from ledger_entries where transaction_id = $1`, [`authorization:${second.paymentId}`]);
      await tx.query(`delete from ledger_transactions where transaction_id = $1`, [`authorization:${second.paymentId}`]);
    });
    // 4. A decided event for a payment neither the gateway nor the ledger knows.
    const ghost: PaymentDecided = { ...first, paymentId: `pay-ghost-${randomUUID()}`, decidedAt: new Date().toISOString() };
    const producer = h.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: TOPICS.paymentDecided,
      messages: [
        {
          key: ghost.accountId,
          value: JSON.stringify(envelope(EVENT_TYPES.paymentDecided, randomUUID(), ghost.decidedAt, ghost)),
        },
      ],
    });
    await producer.disconnect();

    const found = (await run()).mismatches.map((m) => `${m.paymentId} ${m.kind} ${m.detail}`);
    assert.deepEqual(
      found.sort(),
      [
        `${first.paymentId} FIELD_MISMATCH amount: decided 1200, ledger 1201`,
        `${ghost.paymentId} AUTHORIZED_WITHOUT_GATEWAY no live gateway authorization`,
        `${ghost.paymentId} AUTHORIZED_WITHOUT_LEDGER no authorization hold in the ledger`,
        `${second.paymentId} AUTHORIZED_WITHOUT_LEDGER no authorization hold in the ledger`,
        `${stray} GATEWAY_WITHOUT_AUTHORIZED_EVENT gateway authorization ${authorizationId} but no decision`,
      ].sort(),
    );
    const { code, out } = await cli(sinceStart());
    assert.equal(code, 1, out);
    for (const id of [first.paymentId, second.paymentId, stray, ghost.paymentId])
      assert.ok(out.includes(id), `${id} reported:\n${out}`);
  });
});
