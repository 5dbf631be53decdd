/**
 * What the operator console reads, on the real engines: the review queue (GET /review-queue), the search by
 * merchant (GET /payments?merchantId=) and the stream of every payment's timeline (GET /payment-events), with
 * the timeline rows of every state change: waiting (with its deadline), review, overrides, decisions.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createApiApp } from '../../api/app';
import { listen } from '../../roles/listen';
import { contractChecker, contractClient } from '../api-contract';
import { eventually } from '../eventually';
import { pipelineForSuite, TOKENS } from './pipeline-harness';
import { openEventStream, type StreamEvent } from './sse-client';

const ACCOUNT_STATE_DEADLINE_MS = 6_000;
const REVIEW_DEADLINE_MS = 600_000;

type FeedEvent = StreamEvent<{
  paymentId: string;
  at: string;
  status: string;
  detail: Record<string, unknown>;
  accountId: string | null;
  merchantId: string | null;
  amount: number | null;
  currency: string | null;
}>;

/** A feed event id's position in commit order: (transaction id, row id). */
const position = (id: string) => id.split('-').map(BigInt) as [bigint, bigint];
const precedes = (a: string, b: string) => {
  const [x, y] = [position(a), position(b)];
  return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
};

describe("the operator console's feeds (real engines)", function () {
  this.timeout(60_000);
  const h = pipelineForSuite({
    env: {
      ACCOUNT_STATE_DEADLINE: `${ACCOUNT_STATE_DEADLINE_MS}ms`,
      ACCOUNT_STATE_TIMEOUT_POLICY: 'review',
      REVIEW_DEADLINE: '10m',
    },
  });
  const operator = () => contractClient(h.apiUrl, TOKENS.operator);
  const queue = async (query: {
    status?: 'AWAITING_ACCOUNT_STATE' | 'PENDING_REVIEW';
    accountId?: string;
    merchantId?: string;
  }) => {
    const { data, response } = await operator().GET('/review-queue', { params: { query } });
    assert.equal(response.status, 200);
    return data!;
  };

  /** Every event of GET /payment-events from the suite's start, read in the background by an operator. */
  const feed: FeedEvent[] = [];
  const feedReader = new AbortController();
  let feedDone: Promise<unknown>;
  /** Payments that go to review: submitted first, so their deadline passes while the other tests run. */
  const merchantInReview = `m-review-${randomUUID().slice(0, 8)}`;
  let inReview: { paymentId: string; accountId: string }[];

  const feedOf = (paymentId: string) => feed.filter((e) => e.data.paymentId === paymentId);
  const statusesOf = (paymentId: string) => feedOf(paymentId).map((e) => e.data.status);

  before(async () => {
    const stream = await openEventStream<FeedEvent['data']>(`${h.apiUrl}/payment-events`, {
      token: TOKENS.operator,
      schema: 'PaymentFeedEvent',
      signal: feedReader.signal,
    });
    feedDone = (async () => {
      for (let e = await stream.next(); e; e = await stream.next()) feed.push(e);
    })().catch(() => undefined); // aborted after the suite
    inReview = [];
    for (const amount of [700, 300]) {
      const accountId = h.accountId();
      inReview.push({ paymentId: await h.submit({ accountId, merchantId: merchantInReview, amount }), accountId });
    }
  });
  after(async () => {
    feedReader.abort();
    await feedDone;
  });

  it('lists a late payment waiting for account state with its deadline, also after a rebuild, and drops it once it is decided', async () => {
    const accountId = h.accountId();
    const paymentId = await h.submit({ accountId, amount: 1_234 });
    const { data: view } = await operator().GET('/payments/{paymentId}', { params: { path: { paymentId } } });
    const deadline = new Date(Date.parse(view!.requestedAt) + ACCOUNT_STATE_DEADLINE_MS).toISOString();

    const listed = await eventually('the payment in the queue', async () => (await queue({ accountId })).payments[0]);
    assert.deepEqual(
      { ...listed, waitingSince: undefined },
      {
        paymentId,
        accountId,
        merchantId: 'm-1',
        amount: 1_234,
        currency: 'EUR',
        requestedAt: view!.requestedAt,
        status: 'AWAITING_ACCOUNT_STATE',
        waitingSince: undefined,
        deadline,
      },
    );
    assert.ok(listed.waitingSince >= view!.requestedAt);
    // A rebuild of the read model writes the request's row again, after the saga's: the payment still waits.
    await h.pool.query(`insert into payment_timeline (payment_id, at, status) values ($1, $2, 'RECEIVED')`, [
      paymentId,
      view!.requestedAt,
    ]);
    assert.deepEqual((await queue({ accountId })).payments, [listed]);

    await h.publishAccountStates(h.accountState(accountId));
    assert.equal((await h.decision(paymentId)).decision, 'AUTHORIZED');
    await eventually('the decided payment out of the queue', async () => (await queue({ accountId })).total === 0);
    const { data: decided } = await operator().GET('/payments/{paymentId}', { params: { path: { paymentId } } });
    assert.deepEqual(
      decided!.timeline.map((t) => [t.status, t.detail.deadline]),
      [
        ['RECEIVED', undefined],
        ['RECEIVED', undefined], // the rebuild's
        ['AWAITING_ACCOUNT_STATE', deadline],
        ['AUTHORIZED', undefined],
      ],
    );
  });

  it('lists payments in review with the review deadline, soonest first, filtered by status, account and merchant', async () => {
    const reviewing = await eventually(
      'both payments in review',
      async () => {
        const q = await queue({ merchantId: merchantInReview, status: 'PENDING_REVIEW' });
        return q.total === 2 && q;
      },
      30_000,
    );
    assert.deepEqual(reviewing.payments.map((p) => p.paymentId).sort(), inReview.map((p) => p.paymentId).sort());
    assert.ok(reviewing.payments[0]!.deadline! <= reviewing.payments[1]!.deadline!, 'soonest deadline first');
    for (const p of reviewing.payments) {
      const waited = Date.parse(p.deadline!) - Date.parse(p.requestedAt);
      assert.ok(waited >= ACCOUNT_STATE_DEADLINE_MS + REVIEW_DEADLINE_MS, `review ends 10 min after it began (${waited} ms)`);
      assert.ok(waited < ACCOUNT_STATE_DEADLINE_MS + REVIEW_DEADLINE_MS + 30_000, `review began at the first deadline`);
      assert.ok(p.waitingSince >= new Date(Date.parse(p.requestedAt) + ACCOUNT_STATE_DEADLINE_MS).toISOString());
    }
    const first = reviewing.payments[0]!;
    const { data: view } = await operator().GET('/payments/{paymentId}', { params: { path: { paymentId: first.paymentId } } });
    assert.deepEqual(view!.timeline.at(-1), {
      at: first.waitingSince,
      status: 'PENDING_REVIEW',
      detail: { deadline: first.deadline, timeoutPolicy: 'review' },
    });

    assert.deepEqual(
      (await queue({ accountId: inReview[1]!.accountId })).payments.map((p) => p.paymentId),
      [inReview[1]!.paymentId],
    );
    assert.equal((await queue({ merchantId: merchantInReview, status: 'AWAITING_ACCOUNT_STATE' })).total, 0);
    assert.equal((await queue({ merchantId: `m-none-${h.runId}` })).total, 0);
    // Unfiltered: every waiting payment of the database, earlier runs' included. This one is on the first page, or
    // the page is full of payments whose deadlines come no later than its own.
    const all = await queue({});
    assert.ok(all.total >= reviewing.total, `${all.total} waiting in all`);
    assert.ok(
      all.payments.some((p) => p.paymentId === first.paymentId) ||
        (all.payments.length < all.total && all.payments.every((p) => p.deadline !== null && p.deadline <= first.deadline!)),
      'the unfiltered queue lists it, or a full page of sooner deadlines',
    );
    const deadlines = all.payments.map((p) => p.deadline ?? '~');
    assert.deepEqual(deadlines, [...deadlines].sort(), 'soonest deadline first');
  });

  it('answers a client token 403 on the queue and the list stream, and an invalid query 400', async () => {
    for (const path of ['/review-queue', '/payment-events']) assert.equal((await h.get(path, TOKENS.client)).status, 403);
    assert.equal((await h.get('/review-queue?limit=501', TOKENS.operator)).status, 400);
    assert.equal((await h.get('/review-queue?status=AUTHORIZED', TOKENS.operator)).status, 400);
    // A payment stream's id, and a transaction id beyond 64 bits.
    for (const lastEventId of ['42', '18446744073709551616-1']) {
      const bad = await fetch(`${h.apiUrl}/payment-events`, {
        headers: { authorization: `Bearer ${TOKENS.operator}`, 'last-event-id': lastEventId },
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(
        contractChecker().responseProblems('GET', bad.url, { status: bad.status, headers: bad.headers, body: await bad.text() }),
        [],
      );
    }
  });

  it('finds payments by merchant, for an operator and for the client that made them', async () => {
    const merchantId = `m-search-${randomUUID().slice(0, 8)}`;
    const paymentId = await h.submit({ accountId: h.accountId(), merchantId });
    for (const token of [TOKENS.client, TOKENS.operator]) {
      const { data } = await contractClient(h.apiUrl, token).GET('/payments', { params: { query: { merchantId } } });
      assert.deepEqual(
        data!.payments.map((p) => [p.paymentId, p.merchantId]),
        [[paymentId, merchantId]],
      );
    }
    const { data: other } = await contractClient(h.apiUrl, TOKENS.otherClient).GET('/payments', {
      params: { query: { merchantId } },
    });
    assert.deepEqual(other!.payments, []);
  });

  it("streams every payment's rows in commit order with their payment, from the end, and resumes after Last-Event-ID on another api process without repeats or gaps", async () => {
    const openFeed = (lastEventId?: string, apiUrl = h.apiUrl) =>
      openEventStream<FeedEvent['data']>(`${apiUrl}/payment-events`, {
        token: TOKENS.operator,
        schema: 'PaymentFeedEvent',
        lastEventId,
        signal: AbortSignal.timeout(30_000),
      });
    const fresh = await openFeed();
    const payments = [h.accountId(), h.accountId()].map((accountId) => ({ accountId, paymentId: '' }));
    for (const p of payments) p.paymentId = await h.submit({ accountId: p.accountId, amount: 500 });
    const events: FeedEvent[] = [];
    const all = (status: string) =>
      payments.every((p) => events.some((e) => e.data.paymentId === p.paymentId && e.data.status === status));
    while (!all('AWAITING_ACCOUNT_STATE')) events.push((await fresh.next())!);
    await h.publishAccountStates(...payments.map((p) => h.accountState(p.accountId)));
    while (!all('AUTHORIZED')) events.push((await fresh.next())!);

    const of = (paymentId: string) => events.filter((e) => e.data.paymentId === paymentId);
    for (const { paymentId, accountId } of payments) {
      assert.deepEqual(
        of(paymentId).map((e) => e.data.status),
        ['RECEIVED', 'AWAITING_ACCOUNT_STATE', 'AUTHORIZED'],
      );
      assert.deepEqual(
        { ...of(paymentId)[0]!.data, at: undefined },
        { paymentId, at: undefined, status: 'RECEIVED', detail: {}, accountId, merchantId: 'm-1', amount: 500, currency: 'EUR' },
      );
    }
    for (let i = 1; i < events.length; i++) assert.ok(precedes(events[i - 1]!.id, events[i]!.id), 'ids grow in commit order');
    // It began at the end: of the suite's earlier payments (some still waiting) it shows no request.
    assert.deepEqual(
      events.filter((e) => e.data.status === 'RECEIVED').map((e) => e.data.paymentId),
      payments.map((p) => p.paymentId),
    );

    // Another stream resumes after the first payment's request, on another api process (it shares only the
    // database): the same events follow, none twice, none missed.
    const otherApi = await listen(createApiApp({ pool: h.pool, client: h.client, config: h.config }), 0);
    try {
      const from = events.indexOf(of(payments[0]!.paymentId)[0]!);
      const expected = events.slice(from + 1);
      const resumed = await openFeed(events[from]!.id, `http://127.0.0.1:${(otherApi.address() as AddressInfo).port}`);
      const got: FeedEvent[] = [];
      while (got.length < expected.length) got.push((await resumed.next())!);
      assert.deepEqual(got, expected);
    } finally {
      otherApi.closeAllConnections();
      await new Promise((r) => otherApi.close(r));
    }
  });

  it('streams a payment entering review, then the override an operator applied, then the decision', async () => {
    const { paymentId } = inReview[0]!;
    await eventually('the review in the stream', async () => statusesOf(paymentId).includes('PENDING_REVIEW'), 30_000);
    const res = await h.post(
      `/payments/${paymentId}/override`,
      { decision: 'approve', reason: 'customer called in' },
      { authorization: `Bearer ${TOKENS.operator}` },
    );
    assert.equal(res.status, 202);
    const { signalId } = (await res.json()) as { signalId: string };
    await eventually('the decision in the stream', async () => statusesOf(paymentId).includes('AUTHORIZED'));
    const events = feedOf(paymentId).map((e) => e.data);
    assert.deepEqual(
      events.map((e) => e.status),
      ['RECEIVED', 'AWAITING_ACCOUNT_STATE', 'PENDING_REVIEW', 'OVERRIDE_APPLIED', 'AUTHORIZED'],
    );
    assert.deepEqual(events[2]!.detail, { deadline: events[2]!.detail.deadline, timeoutPolicy: 'review' });
    assert.deepEqual(events[3]!.detail, { operator: 'alice', decision: 'approve', reason: 'customer called in', signalId });
    assert.deepEqual(events[4]!.detail, { reason: 'OPERATOR_APPROVED', decidedBy: 'operator', exceededAvailableFunds: true });
    // Out of the queue: an override's row ends the wait.
    assert.ok(!(await queue({ merchantId: merchantInReview })).payments.some((p) => p.paymentId === paymentId));
    // The client whose payment it is sees that an operator approved it, not who or their notes.
    const asClient = (await (await h.get(`/payments/${paymentId}`, TOKENS.client)).json()) as {
      timeline: { status: string; detail: Record<string, unknown> }[];
    };
    assert.deepEqual(asClient.timeline.find((t) => t.status === 'OVERRIDE_APPLIED')?.detail, { decision: 'approve' });
  });
});
