/**
 * GET /payments/:id/events on the real engines: a payment's state changes as Server-Sent Events, read from the
 * database, resumable with Last-Event-ID, visible to the same callers as GET /payments/:id.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiApp } from '../../api/app';
import { EventStreams } from '../../api/event-stream';
import { createPool, type Pool } from '../../db/pool';
import { metrics } from '../../observability/metrics';
import { contractChecker } from '../api-contract';
import { eventually } from '../eventually';
import { listen } from '../../roles/listen';
import { pipelineForSuite, TOKENS } from './pipeline-harness';
import { openEventStream, type StreamEvent } from './sse-client';

/** The api's open-streams gauge (process-wide: the tests assert its changes, never its value). */
const openStreams = async () => (await metrics.eventStreams.get()).values[0]?.value ?? 0;

type PaymentEvent = StreamEvent<{ paymentId: string; status: string; detail: Record<string, unknown> }>;

/** Opens a payment's event stream as `opts.token` (the client's by default); its events are checked as PaymentEvent. */
const openStream = (
  apiUrl: string,
  paymentId: string,
  opts: { token?: string; lastEventId?: string; signal?: AbortSignal } = {},
) =>
  openEventStream<PaymentEvent['data']>(`${apiUrl}/payments/${paymentId}/events`, {
    ...opts,
    token: opts.token ?? TOKENS.client,
    schema: 'PaymentEvent',
  });

describe('GET /payments/:id/events: live status as Server-Sent Events (real engines)', function () {
  this.timeout(60_000);
  const h = pipelineForSuite();
  // A second api, as another process behind the load balancer would be: it shares only the database.
  let otherApi: Server;
  let otherApiUrl: string;
  before(async () => {
    otherApi = await listen(createApiApp({ pool: h.pool, client: h.client, config: h.config }), 0);
    otherApiUrl = `http://127.0.0.1:${(otherApi.address() as AddressInfo).port}`;
  });
  after(async () => {
    otherApi.closeAllConnections();
    await new Promise((r) => otherApi.close(r));
  });

  it('streams a late payment waiting, then its decision once the account state is published, then ends; Last-Event-ID resumes after it, on another api process too', async () => {
    const accountId = h.accountId();
    const paymentId = await h.submit({ accountId });
    const stream = await openStream(h.apiUrl, paymentId);
    const received = await stream.next();
    const waiting = await stream.next();
    assert.deepEqual([received?.data.status, waiting?.data.status], ['RECEIVED', 'AWAITING_ACCOUNT_STATE']);
    assert.equal(waiting?.data.paymentId, paymentId);

    await h.publishAccountStates(h.accountState(accountId));
    const rest = await stream.rest();
    assert.deepEqual(
      rest.map((e) => [e.data.status, e.data.detail.reason]),
      [['AUTHORIZED', 'APPROVED']],
    );

    // A reconnect, here to another api process, gets only what came after the event it names, and ends (the
    // payment is decided).
    const resumed = await openStream(otherApiUrl, paymentId, { lastEventId: waiting.id });
    assert.deepEqual(await resumed.rest(), rest);
    // An operator reads every payment's stream.
    const all = await openStream(h.apiUrl, paymentId, { token: TOKENS.operator });
    assert.deepEqual(await all.rest(), [received, waiting, ...rest]);
  });

  it('closes the stream on the server when the client disconnects', async () => {
    const paymentId = await h.submit({ accountId: h.accountId() });
    const disconnect = new AbortController();
    const before = await openStreams();
    const stream = await openStream(h.apiUrl, paymentId, { token: TOKENS.operator, signal: disconnect.signal });
    assert.equal((await stream.next())?.data.status, 'RECEIVED');
    assert.equal(await openStreams(), before + 1);
    disconnect.abort();
    await eventually('the stream closed on the server', async () => (await openStreams()) === before);
  });

  it("answers another client's token 404, as GET /payments/:id does, and a malformed Last-Event-ID 400", async () => {
    const paymentId = await h.submit({ accountId: h.accountId() });
    assert.equal((await h.get(`/payments/${paymentId}`, TOKENS.otherClient)).status, 404);
    assert.equal((await h.get(`/payments/${paymentId}/events`, TOKENS.otherClient)).status, 404);
    const bad = await fetch(`${h.apiUrl}/payments/${paymentId}/events`, {
      headers: { authorization: `Bearer ${TOKENS.client}`, 'last-event-id': 'yesterday' },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      contractChecker().responseProblems('GET', bad.url, { status: bad.status, headers: bad.headers, body: await bad.text() }),
      [],
    );
  });
});

/**
 * A pool whose queries matching `held` wait until release(): the real database answers them, later. `reached`
 * resolves when the first such query is waiting; `count(pattern)` counts the queries that matched a pattern.
 */
function holdingPool(pool: Pool) {
  let held: RegExp | undefined;
  let release = () => {};
  let reached = () => {};
  const seen: string[] = [];
  const query = async (...args: Parameters<Pool['query']>) => {
    const sql = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
    seen.push(sql);
    if (held?.test(sql)) {
      const released = new Promise<void>((r) => (release = r));
      reached();
      await released;
    }
    return (pool.query as (...a: unknown[]) => unknown)(...args);
  };
  const proxy = new Proxy(pool, {
    get: (target, prop) => (prop === 'query' ? query : Reflect.get(target, prop, target)),
  });
  return {
    pool: proxy,
    hold(pattern: RegExp): Promise<void> {
      held = pattern;
      return new Promise<void>((r) => (reached = r));
    },
    release() {
      held = undefined;
      release();
    },
    count: (pattern: RegExp) => seen.filter((sql) => pattern.test(sql)).length,
  };
}

describe('event streams end with their client, their api and their pool (real engines)', function () {
  this.timeout(60_000);
  const h = pipelineForSuite();
  let api: Server;
  let apiUrl: string;
  let streams: EventStreams;
  let holding: ReturnType<typeof holdingPool>;
  /** Resolves when the server closes the response of each request, in order of arrival. */
  let closed: Promise<void>[];

  const start = async (pool: Pool) => {
    holding = holdingPool(pool);
    streams = new EventStreams(holding.pool);
    api = await listen(createApiApp({ pool: holding.pool, client: h.client, config: h.config, streams }), 0);
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    closed = [];
    api.on('request', (_req, res) => closed.push(new Promise<void>((r) => res.once('close', () => r()))));
  };
  const stop = async () => {
    await streams.stop();
    api.closeAllConnections();
    await new Promise((r) => api.close(r));
  };
  afterEach(async () => {
    holding?.release();
    if (api?.listening) await stop();
  });

  /** An operator's console session on this api: the cookie to send. */
  const consoleCookie = async () => {
    const res = await fetch(`${apiUrl}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: apiUrl },
      body: JSON.stringify({ token: TOKENS.operator }),
    });
    assert.equal(res.status, 201);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  };

  // Each await of each stream route before its stream begins: the console session's lookup, the payment's
  // caller, the feed's current end. A client that leaves during one gets no stream: nothing polls for it.
  const POLLS = /payment_timeline/;
  const awaits = [
    { route: 'payment', at: 'the console session lookup', held: /console_sessions/, cookie: true },
    { route: 'payment', at: "the payment's caller", held: /payment_callers/, cookie: false },
    { route: 'feed', at: 'the console session lookup', held: /console_sessions/, cookie: true },
    { route: 'feed', at: "the feed's current end", held: /pg_current_snapshot/, cookie: false },
  ] as const;
  for (const { route, at, held, cookie } of awaits) {
    it(`serves no stream to a client that leaves during ${at} (${route === 'payment' ? 'GET /payments/:id/events' : 'GET /payment-events'})`, async () => {
      await start(h.pool);
      const paymentId = await h.submit({ accountId: h.accountId() });
      const headers: Record<string, string> = cookie
        ? { cookie: await consoleCookie() }
        : { authorization: `Bearer ${TOKENS.operator}` };
      const before = await openStreams();
      const reached = holding.hold(held);
      const leave = new AbortController();
      const url = route === 'payment' ? `${apiUrl}/payments/${paymentId}/events` : `${apiUrl}/payment-events`;
      const request = fetch(url, { headers, signal: leave.signal }).catch(() => undefined);
      await reached;
      leave.abort();
      await request;
      await closed.at(-1); // the server has seen the client go
      const pollsBefore = holding.count(POLLS);
      holding.release();
      await new Promise((r) => setTimeout(r, 500)); // a stream polls at once when it begins: one left behind would have
      assert.equal(holding.count(POLLS), pollsBefore, 'polls for a client that left');
      assert.equal(streams.size, 0);
      assert.equal(await openStreams(), before);
    });
  }

  it("stopping the api ends its open streams and waits for each stream's poll in hand", async () => {
    await start(h.pool);
    const paymentId = await h.submit({ accountId: h.accountId() });
    const before = await openStreams();
    const payment = await openStream(apiUrl, paymentId, { token: TOKENS.operator });
    const feed = await fetch(`${apiUrl}/payment-events`, { headers: { authorization: `Bearer ${TOKENS.operator}` } });
    assert.equal((await payment.next())?.data.status, 'RECEIVED');
    await eventually('both streams are open', async () => streams.size === 2);
    assert.equal(await openStreams(), before + 2);

    const inHand = holding.hold(POLLS);
    await inHand;
    let stopped = false;
    const stopping = stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(stopped, false, 'the api stopped while a poll was in hand');
    holding.release();
    await stopping;
    await payment.rest(); // the stream ended
    await new Response(feed.body).text().catch(() => undefined); // so did the feed's
    assert.equal(streams.size, 0);
    assert.equal(await openStreams(), before);
  });

  it('a stream whose pool has ended stops, instead of retrying for the life of the process', async () => {
    const own = createPool(h.config);
    await start(own);
    const before = await openStreams();
    const feed = await fetch(`${apiUrl}/payment-events`, { headers: { authorization: `Bearer ${TOKENS.operator}` } });
    await eventually('the stream polls', async () => holding.count(POLLS) >= 2);
    await own.end();
    assert.doesNotMatch(
      await new Response(feed.body).text(),
      /event: error/,
      'the feed ended, without the error of failed reads',
    );
    await eventually('the stream closed on the server', async () => streams.size === 0);
    assert.equal(await openStreams(), before);
  });
});
