/**
 * GET /payments/:id/history on the real engines: the saga's side read from its Temporal history (account states
 * with the saga's own verdict, timers, overrides, gateway calls) and the database's side (request, decision,
 * audit, reservation, ledger, webhooks), for operators only; the answer still comes when the saga's history is
 * gone. Every answer is checked against the OpenAPI document (contractClient).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApiApp } from '../../api/app';
import type { components } from '../../api/client/schema';
import type { AccountState } from '../../contracts/payment';
import { listen } from '../../roles/listen';
import { accountStateSignal, paymentWorkflowId, statusQuery } from '../../workflows/shared';
import { contractClient } from '../api-contract';
import { eventually } from '../eventually';
import { pipelineForSuite, TOKENS } from './pipeline-harness';

type History = components['schemas']['PaymentHistory'];

describe('a payment history for operators: saga and database (real engines)', function () {
  this.timeout(60_000);
  // A short wait, then review: one payment reaches PENDING_REVIEW quickly; fresh state still decides in review.
  const h = pipelineForSuite({ env: { ACCOUNT_STATE_DEADLINE: '3s', ACCOUNT_STATE_TIMEOUT_POLICY: 'review' } });

  const history = async (paymentId: string, token = TOKENS.operator) =>
    contractClient(h.apiUrl, token).GET('/payments/{paymentId}/history', { params: { path: { paymentId } } });
  const historyOf = async (paymentId: string): Promise<History> => {
    const { data, response } = await history(paymentId);
    assert.equal(response.status, 200);
    return data!;
  };
  const readModelDecided = (paymentId: string) =>
    eventually(`read model has the decision of ${paymentId}`, async () => {
      const { rows } = await h.pool.query('select 1 from payment_timeline where payment_id = $1 and status in ($2, $3)', [
        paymentId,
        'AUTHORIZED',
        'DECLINED',
      ]);
      return rows.length === 1;
    });
  const waiting = (paymentId: string) =>
    eventually(
      `payment ${paymentId} waiting`,
      async () => (await h.pool.query('select 1 from payment_waits where payment_id = $1', [paymentId])).rowCount === 1,
    );
  const sorted = (entries: History['entries']) => entries.every((e, i) => i === 0 || entries[i - 1]!.at <= e.at);

  it('shows each account-state arrival (late, out of order, duplicated, another account) with the verdict the saga applied', async () => {
    const accountId = h.accountId();
    // Recorded before the payment exists, with asOf a minute back: too stale for it.
    await h.publishAccountStates(h.accountState(accountId, { version: 1, asOf: new Date(Date.now() - 60_000).toISOString() }));
    await eventually('v1 recorded', async () => {
      const { rows } = await h.pool.query('select version from account_states where account_id = $1', [accountId]);
      return rows[0]?.version === 1;
    });
    const paymentId = await h.submit({ accountId });
    await waiting(paymentId);
    const { rows } = await h.pool.query<{ requested_at: Date }>('select requested_at from payments where payment_id = $1', [
      paymentId,
    ]);
    const requestedAt = rows[0]!.requested_at.getTime();

    // What a redelivering, reordering feed hands the saga: the bridge signals only fresh states, so these go direct.
    const saga = h.client.workflow.getHandle(paymentWorkflowId(paymentId));
    const stale: AccountState = h.accountState(accountId, { version: 3, asOf: new Date(requestedAt - 1).toISOString() });
    await saga.signal(accountStateSignal, stale);
    await saga.signal(accountStateSignal, h.accountState(accountId, { version: 2 }));
    await saga.signal(accountStateSignal, stale);
    await saga.signal(accountStateSignal, h.accountState(h.accountId(), { version: 9 }));
    // The fresh state, late, the way it comes: over Kafka, through the bridge.
    await h.publishAccountStates(h.accountState(accountId, { version: 4 }));
    const decided = await h.decision(paymentId);
    assert.equal(decided.decision, 'AUTHORIZED');
    await readModelDecided(paymentId);

    const body = await historyOf(paymentId);
    assert.equal(body.sagaHistory, 'available');
    assert.equal(body.sagaHistoryReason, null);
    assert.ok(sorted(body.entries), 'entries sorted by at');
    const arrivals = body.entries
      .filter((e) => e.kind === 'account-state')
      .map((e) => [e.source, e.detail.version, e.detail.via, e.detail.verdict, e.detail.why ?? null]);
    assert.deepEqual(arrivals, [
      ['saga', 1, 'record', 'ignored', 'not-fresh'],
      ['saga', 3, 'signal', 'ignored', 'not-fresh'],
      ['saga', 2, 'signal', 'ignored', 'older-version'],
      ['saga', 3, 'signal', 'ignored', 'duplicate-version'],
      ['saga', 9, 'signal', 'ignored', 'another-account'],
      ['saga', 4, 'signal', 'used', null],
    ]);
    assert.deepEqual(
      body.entries.filter((e) => e.kind === 'request' || e.kind === 'decision').map((e) => [e.kind, e.source, e.detail.status]),
      [
        ['request', 'database', 'RECEIVED'],
        ['decision', 'database', 'AUTHORIZED'],
      ],
    );
  });

  it('shows a payment approved in review: timers, override, reservation, gateway call, decision, ledger entries', async () => {
    const accountId = h.accountId();
    const paymentId = await h.submit({ accountId, amount: 1_250, currency: 'EUR' });
    const saga = h.client.workflow.getHandle(paymentWorkflowId(paymentId));
    await eventually(
      'saga in review',
      async () => (await saga.query(statusQuery).catch(() => undefined))?.state === 'PENDING_REVIEW',
    );
    const { response } = await contractClient(h.apiUrl, TOKENS.operator).POST('/payments/{paymentId}/override', {
      params: { path: { paymentId } },
      body: { decision: 'approve', reason: 'confirmed with the customer' },
    });
    assert.equal(response.status, 202);
    const decided = await h.decision(paymentId);
    assert.deepEqual([decided.decision, decided.reason], ['AUTHORIZED', 'OPERATOR_APPROVED']);
    await readModelDecided(paymentId);

    const body = await historyOf(paymentId);
    assert.ok(sorted(body.entries), 'entries sorted by at');
    assert.equal(body.payment.status, 'AUTHORIZED');
    const of = (kind: string) => body.entries.filter((e) => e.kind === kind);
    assert.deepEqual(
      of('timer').map((e) => e.detail.state),
      ['started', 'fired', 'started', 'cancelled'],
      'the account-state wait fires, the review wait ends with the override',
    );
    assert.ok((of('timer')[0]!.detail.seconds as number) <= 3, 'the first timer waits out the account-state deadline');
    assert.deepEqual(
      of('override-signal').map((e) => [e.source, e.detail.operator, e.detail.decision, e.detail.reason]),
      [['saga', 'alice', 'approve', 'confirmed with the customer']],
    );
    assert.deepEqual(
      of('override').map((e) => [e.source, e.detail.operator, e.detail.decision, e.detail.reason, e.detail.outcome]),
      [['database', 'alice', 'approve', 'confirmed with the customer', 'applied']],
    );
    assert.deepEqual(
      of('reservation').map((e) => [e.detail.state, e.detail.amount, e.detail.currency, e.detail.forced]),
      [
        ['held', 1_250, 'EUR', true],
        ['authorized', 1_250, 'EUR', true],
      ],
    );
    assert.deepEqual(
      of('gateway-call').map((e) => [e.detail.activityType, e.detail.state, e.detail.authorizationId ?? null]),
      [
        ['authorizeAtGateway', 'scheduled', null],
        ['authorizeAtGateway', 'completed', decided.gatewayAuthorizationId],
      ],
    );
    assert.deepEqual(
      of('decision').map((e) => [e.detail.status, e.detail.reason, e.detail.decidedBy]),
      [['AUTHORIZED', 'OPERATOR_APPROVED', 'operator']],
    );
    const ledger = of('ledger-entry');
    assert.ok(ledger.length >= 1, 'a ledger transaction');
    for (const t of ledger) {
      const entries = t.detail.entries as { direction: string; amount: number; currency: string; ledgerAccount: string }[];
      const total = (d: string) => entries.filter((e) => e.direction === d).reduce((sum, e) => sum + e.amount, 0);
      assert.equal(total('debit'), 1_250);
      assert.equal(total('credit'), 1_250);
      assert.ok(entries.some((e) => e.ledgerAccount === `customer:${accountId}`));
    }
  });

  it('links the saga in the Temporal Web UI at a route the UI has; a client token gets 403, an unknown payment 404', async () => {
    const paymentId = await h.submit({ accountId: h.accountId() });
    const body = await historyOf(paymentId);
    assert.equal(body.workflowId, `payment-${paymentId}`);
    assert.equal(
      body.temporalUiUrl,
      `${h.config.temporal.uiUrl}/namespaces/${h.config.temporal.namespace}/workflows/payment-${paymentId}`,
    );
    // The Web UI answers any path with its app, so look for the route in the app the dev server serves: a
    // workflow by id alone (the UI opens its latest run).
    const page = await (await fetch(body.temporalUiUrl)).text();
    const app = /_app\/immutable\/entry\/app\.[\w-]+\.js/.exec(page)?.[0];
    assert.ok(app, 'the Web UI page loads its app');
    const routes = await (await fetch(new URL(`/${app}`, body.temporalUiUrl))).text();
    assert.match(routes, /"\/(\(app\)\/)?namespaces\/\[namespace\]\/workflows\/\[workflow\]"/);

    assert.equal((await history(paymentId, TOKENS.client)).response.status, 403);
    assert.equal((await history(`pay-${randomUUID()}`)).response.status, 404);
  });

  it("answers from the database alone when the saga's history is gone, with webhook deliveries by endpoint id only", async () => {
    // A payment the read model still has, whose saga is past the namespace's retention (no saga at all here).
    const payment = h.paymentRequest(h.accountId());
    await h.pool.query(
      `insert into payments (payment_id, account_id, merchant_id, amount, currency, requested_at, status, decision, reason,
                             decided_by, decided_at)
       values ($1, $2, $3, $4, $5, $6, 'DECLINED', 'DECLINED', 'ACCOUNT_STATE_TIMEOUT', 'timeout', now())`,
      [payment.paymentId, payment.accountId, payment.merchantId, payment.amount, payment.currency, payment.requestedAt],
    );
    const eventId = randomUUID();
    await h.pool.query(
      `insert into webhook_deliveries (endpoint_id, merchant_id, event_id, payment_id, body, status, attempts, delivered_at)
       values ('ep-ok', $1, $2, $3, '{}', 'delivered', 1, now())`,
      [payment.merchantId, eventId, payment.paymentId],
    );
    await h.pool.query(
      `insert into webhook_dead_letters (endpoint_id, merchant_id, event_id, payment_id, body, attempts, last_error, last_status, created_at)
       values ('ep-down', $1, $2, $3, '{}', 8, 'HTTP 503', 503, now())`,
      [payment.merchantId, eventId, payment.paymentId],
    );

    const body = await historyOf(payment.paymentId);
    assert.equal(body.sagaHistory, 'unavailable');
    assert.match(body.sagaHistoryReason ?? '', /gone/);
    assert.equal(body.payment.decision, 'DECLINED');
    assert.deepEqual(
      body.entries.map((e) => [e.kind, e.source, e.detail.endpointId, e.detail.status, e.detail.attempts]),
      [
        ['webhook-delivery', 'database', 'ep-ok', 'delivered', 1],
        ['webhook-delivery', 'database', 'ep-down', 'dead-lettered', 8],
      ],
    );
    assert.doesNotMatch(JSON.stringify(body.entries), /url|secret/i);
  });

  it('answers from the database alone when Temporal does not answer, instead of failing', async () => {
    const paymentId = await h.submit({ accountId: h.accountId() });
    // A second api whose Temporal is unreachable (nothing listens on port 1); the database is the same.
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const server = await listen(createApiApp({ pool: h.pool, client: unreachable, config: h.config }), 0);
    try {
      const { data, response } = await contractClient(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        TOKENS.operator,
      ).GET('/payments/{paymentId}/history', { params: { path: { paymentId } } });
      assert.equal(response.status, 200);
      assert.equal(data!.sagaHistory, 'unavailable');
      assert.match(data!.sagaHistoryReason ?? '', /^Temporal did not answer: /);
      assert.ok(data!.entries.some((e) => e.kind === 'request'));
      assert.ok(data!.entries.every((e) => e.source === 'database'));
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await unreachable.connection.close();
    }
  });
});
