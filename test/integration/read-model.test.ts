/**
 * The read model behind GET /payments: folded from the requested and decided events with an inbox,
 * so a duplicate delivery, a replay from offset zero and a rebuild change nothing (DESIGN.md §6, §7.5).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { consumerLag } from '../../kafka/lag';
import { envelope, EVENT_TYPES } from '../../contracts/events';
import type { PaymentDecided, PaymentRequest } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import { setGroupToTopicStart } from '../../kafka/group-offsets';
import { createReadModelConsumers, readModelGroupIds } from '../../read-model';
import { RebuildRefused, rebuildReadModel } from '../../read-model/rebuild';
import { eventually } from '../eventually';
import { pipelineForSuite, TOKENS } from './pipeline-harness';
import { contractChecker } from '../api-contract';

interface View {
  paymentId: string;
  status: string;
  decision: string | null;
  requestedAt: string;
  timeline: { status: string }[];
}

describe('read model: folded from events, idempotent (real engines)', function () {
  this.timeout(60_000);
  const h = pipelineForSuite();

  const view = async (paymentId: string, token = TOKENS.operator) => {
    const res = await h.get(`/payments/${paymentId}`, token);
    return res.status === 200 ? ((await res.json()) as View) : undefined;
  };

  /**
   * The timeline entries folded from events. The payments of these tests have real sagas, and a saga that
   * finds no fresh account state adds its own AWAITING_ACCOUNT_STATE entry, at a moment of its own.
   */
  const folded = (v: View) => v.timeline.map((t) => t.status).filter((s) => s !== 'AWAITING_ACCOUNT_STATE');

  /** Sends records as an upstream system or the outbox relay would (keyed by account id). */
  const produce = async (topic: string, records: { key: string; value: string }[]) => {
    const producer = h.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: records });
    await producer.disconnect();
  };
  const requested = (p: PaymentRequest, id = randomUUID()) => ({
    key: p.accountId,
    value: JSON.stringify(envelope(EVENT_TYPES.paymentRequested, id, p.requestedAt, p)),
  });
  const decided = (d: PaymentDecided, id = randomUUID()) => ({
    key: d.accountId,
    value: JSON.stringify(envelope(EVENT_TYPES.paymentDecided, id, d.decidedAt, d)),
  });
  const decisionOf = (p: PaymentRequest, overrides: Partial<PaymentDecided> = {}): PaymentDecided => ({
    paymentId: p.paymentId,
    accountId: p.accountId,
    merchantId: p.merchantId,
    amount: p.amount,
    currency: p.currency,
    decision: 'AUTHORIZED',
    reason: 'APPROVED',
    decidedBy: 'rules',
    gatewayAuthorizationId: `gw-${randomUUID()}`,
    decidedAt: new Date(Date.parse(p.requestedAt) + 250).toISOString(),
    ...overrides,
  });

  /** Everything the read model and the ledger hold, in a stable order (what a replay must leave exactly as it was). */
  const snapshot = async () => ({
    payments: (
      await h.pool.query(
        `select payment_id, account_id, merchant_id, amount, currency, requested_at, status, decision, reason, decided_by,
                gateway_authorization_id, decided_at from payments order by payment_id`,
      )
    ).rows,
    timeline: (
      await h.pool.query(
        'select payment_id, at, status, detail, event_id from payment_timeline where event_id is not null order by event_id, payment_id',
      )
    ).rows,
    inbox: (await h.pool.query(`select event_id from inbox where consumer = 'read-model' order by event_id`)).rows,
    // The ledger is written by the saga, once per authorization: no replay of the decided events touches it.
    ledger: (
      await h.pool.query('select transaction_id, ledger_account, direction, amount, currency from ledger_entries order by id')
    ).rows,
  });

  /** Waits until every outbox row is on Kafka and both read-model groups have committed the topics' ends. */
  const settled = async () => {
    await eventually(
      'outbox published',
      async () => (await h.pool.query('select 1 from outbox where sent_at is null')).rowCount === 0,
    );
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const groups = readModelGroupIds(h.config);
      await eventually(
        'read model caught up',
        async () => {
          const lags = [
            ...(await consumerLag(admin, groups.requests, TOPICS.paymentRequested)),
            ...(await consumerLag(admin, groups.decisions, TOPICS.paymentDecided)),
          ];
          return lags.every((l) => l.lag === 0);
        },
        60_000,
      );
    } finally {
      await admin.disconnect();
    }
  };

  it('shows a payment the moment the api accepts it, then its decision from the decided event', async () => {
    const accountId = h.accountId();
    await h.publishAccountStates(h.accountState(accountId));
    const paymentId = await h.submit({ accountId, amount: 1_500 });
    // Written in the api's own transaction: no wait for Kafka.
    assert.equal((await view(paymentId, TOKENS.client))?.status, 'RECEIVED');
    const decision = await h.decision(paymentId);
    const shown = await eventually('decision in the read model', async () => {
      const v = await view(paymentId, TOKENS.client);
      return v?.decision ? v : undefined;
    });
    assert.deepEqual(
      [shown.status, shown.decision, folded(shown)],
      [decision.decision, decision.decision, ['RECEIVED', decision.decision]],
    );
  });

  it('folds a decided event once: the same records delivered twice change nothing', async () => {
    const p = h.paymentRequest(h.accountId(), { merchantId: `m-${h.runId}`, amount: 2_345 });
    const req = requested(p);
    const dec = decided(decisionOf(p));
    await produce(TOPICS.paymentRequested, [req]);
    await produce(TOPICS.paymentDecided, [dec]);
    await eventually('decided', async () => (await view(p.paymentId))?.decision === 'AUTHORIZED');
    await settled();
    const before = await snapshot();
    const handled = h.readModel.decisions.counts.handled + h.readModel.requests.counts.handled;

    await produce(TOPICS.paymentRequested, [req]);
    await produce(TOPICS.paymentDecided, [dec, dec]);
    await eventually(
      'duplicates consumed',
      async () => h.readModel.decisions.counts.handled + h.readModel.requests.counts.handled >= handled + 3,
    );
    await settled();
    assert.deepEqual(await snapshot(), before);
    const v = (await view(p.paymentId))!;
    assert.deepEqual(folded(v), ['RECEIVED', 'AUTHORIZED']);
  });

  it('ends in the same state whichever of the requested and decided events arrives first', async () => {
    const p = h.paymentRequest(h.accountId(), { merchantId: `m-${h.runId}` });
    await produce(TOPICS.paymentDecided, [
      decided(decisionOf(p, { decision: 'DECLINED', reason: 'INSUFFICIENT_FUNDS', gatewayAuthorizationId: undefined })),
    ]);
    const early = await eventually('decided first', async () => await view(p.paymentId));
    assert.equal(early.status, 'DECLINED');
    await produce(TOPICS.paymentRequested, [requested(p)]);
    const v = await eventually('requested folded', async () => {
      const got = await view(p.paymentId);
      return got && folded(got).length === 2 && got;
    });
    assert.deepEqual([v.status, v.requestedAt, folded(v)], ['DECLINED', p.requestedAt, ['RECEIVED', 'DECLINED']]);
  });

  it('lists payments by account and status, newest first, page by page; a client sees only its own', async () => {
    const accountId = h.accountId();
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) mine.push(await h.submit({ accountId, amount: 100 + i }));
    const theirs = h.paymentRequest(accountId); // came over Kafka: no caller, so no client's
    await produce(TOPICS.paymentRequested, [requested(theirs)]);
    await eventually('kafka payment folded', async () => await view(theirs.paymentId));

    const page = async (query: string, token = TOKENS.client) => {
      const res = await h.get(`/payments?${query}`, token);
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as { payments: { paymentId: string; status: string }[]; nextCursor: string | null };
    };
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const p = await page(`accountId=${accountId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(p.payments.length <= 2);
      seen.push(...p.payments.map((x) => x.paymentId));
      cursor = p.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...mine].reverse(), 'newest first, each once, only the client’s own');
    const all = await page(`accountId=${accountId}`, TOKENS.operator);
    assert.deepEqual(all.payments.map((x) => x.paymentId).sort(), [...mine, theirs.paymentId].sort());
    assert.deepEqual((await page(`accountId=${accountId}&status=AUTHORIZED`, TOKENS.operator)).payments, []);
    assert.equal((await page(`accountId=${accountId}&status=RECEIVED`, TOKENS.operator)).payments.length, 6);
    assert.equal((await page(`accountId=${accountId}`, TOKENS.otherClient)).payments.length, 0);

    for (const bad of ['status=PENDING', 'limit=0', 'limit=201', 'cursor=not-a-cursor', 'color=blue']) {
      const res = await h.get(`/payments?${bad}`, TOKENS.operator);
      assert.equal(res.status, 400, bad);
    }
  });

  it('accepts every GET /payments query the OpenAPI document allows, and refuses the others with 400', async () => {
    const queries = [
      'limit=7',
      'status=DECLINED&accountId=a.b:c-d_e',
      'cursor=1700000000000~some-payment',
      'cursor=abc',
      'cursor=',
      'cursor=not-a-cursor',
      `cursor=${'9'.repeat(16)}~x`,
      'limit=0',
      'status=PENDING',
      'accountId=a%20b',
      'color=blue',
    ];
    for (const query of queries) {
      const problems = contractChecker().queryProblems('/payments', 'GET', new URLSearchParams(query));
      const res = await h.get(`/payments?${query}`, TOKENS.operator);
      assert.equal(
        res.status,
        problems.length === 0 ? 200 : 400,
        `${query}: ${problems.join('; ') || 'allowed by the document'}`,
      );
    }
  });

  it('replaying both topics from offset zero changes nothing, and a rebuild produces the same state', async function () {
    this.timeout(240_000);
    const p = h.paymentRequest(h.accountId(), { merchantId: `m-${h.runId}` });
    await produce(TOPICS.paymentRequested, [requested(p)]);
    await produce(TOPICS.paymentDecided, [decided(decisionOf(p))]);
    await eventually('decided', async () => (await view(p.paymentId))?.decision === 'AUTHORIZED');

    await assert.rejects(
      rebuildReadModel({ config: h.config, kafka: h.kafka, pool: h.pool }),
      RebuildRefused,
      'refused while the read model runs',
    );
    await settled();
    await h.readModel.stop();
    // A first rebuild folds every record the topics hold (including earlier runs'); the state it leaves is
    // what every later replay or rebuild must reproduce exactly.
    await rebuildReadModel({ config: h.config, kafka: h.kafka, pool: h.pool });
    const before = await snapshot();
    assert.ok(before.payments.some((row: { payment_id: string }) => row.payment_id === p.paymentId));

    // Replay: the groups start again from offset zero, with the inbox intact.
    const groups = readModelGroupIds(h.config);
    await Promise.all([
      setGroupToTopicStart(h.kafka, groups.requests, TOPICS.paymentRequested),
      setGroupToTopicStart(h.kafka, groups.decisions, TOPICS.paymentDecided),
    ]);
    h.readModel = createReadModelConsumers({ config: h.config, kafka: h.kafka, pool: h.pool });
    await h.readModel.start();
    await settled();
    assert.ok(h.readModel.decisions.counts.handled > 0, 'the decided topic was read again');
    assert.deepEqual(await snapshot(), before, 'a replay from offset zero changed nothing');

    // Rebuild: forget everything and fold again.
    await h.readModel.stop();
    const result = await rebuildReadModel({ config: h.config, kafka: h.kafka, pool: h.pool });
    assert.equal(result.payments, before.payments.length);
    assert.deepEqual(await snapshot(), before, 'a rebuild produced the same state');

    // The groups continue after the replayed records: a new event is folded, nothing is folded twice.
    h.readModel = createReadModelConsumers({ config: h.config, kafka: h.kafka, pool: h.pool });
    await h.readModel.start();
    const next = h.paymentRequest(h.accountId(), { merchantId: `m-${h.runId}` });
    await produce(TOPICS.paymentRequested, [requested(next)]);
    await eventually('new payment folded', async () => await view(next.paymentId));
    await settled();
    assert.equal(h.readModel.requests.counts.handled + h.readModel.decisions.counts.handled, 1);
  });
});
