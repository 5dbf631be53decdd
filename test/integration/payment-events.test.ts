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

interface StreamEvent {
  id: string;
  data: { paymentId: string; status: string; detail: Record<string, unknown> };
}

/**
 * Opens a payment's event stream; `next()` resolves to its next event, or undefined once the server ended it.
 * Its status and headers, and each event's data, are checked against the OpenAPI document.
 */
async function openStream(
  apiUrl: string,
  paymentId: string,
  opts: { token?: string; lastEventId?: string; signal?: AbortSignal } = {},
) {
  const url = `${apiUrl}/payments/${paymentId}/events`;
  const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? TOKENS.client}` };
  if (opts.lastEventId) headers['last-event-id'] = opts.lastEventId;
  const res = await fetch(url, { headers, signal: opts.signal });
  assert.deepEqual(contractChecker().responseProblems('GET', url, { status: res.status, headers: res.headers, body: '' }), []);
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  const next = async (): Promise<StreamEvent | undefined> => {
    for (;;) {
      const end = buffered.indexOf('\n\n');
      if (end >= 0) {
        const lines = buffered.slice(0, end).split('\n');
        buffered = buffered.slice(end + 2);
        if (lines.every((l) => l.startsWith(':'))) continue; // a heartbeat
        const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
        const data = JSON.parse(field('data')!) as StreamEvent['data'];
        assert.equal(contractChecker().validate('/components/schemas/PaymentEvent', data), undefined);
        return { id: field('id')!, data };
      }
      const { value, done } = await reader.read();
      if (done) return undefined;
      buffered += value;
    }
  };
  /** The events until the server ends the stream. */
  const rest = async () => {
    const events: StreamEvent[] = [];
    for (let e = await next(); e; e = await next()) events.push(e);
    return events;
  };
  return { next, rest };
}

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
