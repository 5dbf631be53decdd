/**
 * GET /payments/:id/events on the real engines: a payment's state changes as Server-Sent Events, read from the
 * database, resumable with Last-Event-ID, visible to the same callers as GET /payments/:id.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiApp } from '../../api/app';
import { metrics } from '../../observability/metrics';
import { contractChecker } from '../api-contract';
import { eventually } from '../eventually';
import { listen } from '../../roles/listen';
import { pipelineForSuite, TOKENS } from './pipeline-harness';
import { openEventStream, type StreamEvent } from './sse-client';

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
    const stream = await openStream(h.apiUrl, paymentId, { token: TOKENS.operator, signal: disconnect.signal });
    assert.equal((await stream.next())?.data.status, 'RECEIVED');
    assert.equal((await metrics.eventStreams.get()).values[0]?.value, 1);
    disconnect.abort();
    await eventually('the stream closed on the server', async () => (await metrics.eventStreams.get()).values[0]?.value === 0);
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
