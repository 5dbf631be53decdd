/**
 * The api's event streams (api/event-stream.ts) on a loopback HTTP server, with polls the test controls: a
 * client that leaves while the route still awaits gets no stream; stop() ends open streams and waits for the
 * poll in hand; a stream whose polls keep failing ends with an `error` event; one whose pool has ended stops.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { EventStreams, type PollResult, type SendEvent } from '../../api/event-stream';
import { requestScope } from '../../api/request-scope';
import { listen } from '../../roles/listen';
import { metrics } from '../../observability/metrics';
import { eventually } from '../eventually';

const openStreams = async () => (await metrics.eventStreams.get()).values[0]?.value ?? 0;

/** A promise and the function that resolves it. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('event streams: owned from their first line', function () {
  this.timeout(10_000);
  let server: Server | undefined;
  let streams: EventStreams;
  const pool = { ending: false };
  let polls = 0;
  let poll: (send: SendEvent) => Promise<PollResult>;
  /** What the route awaits before it serves the stream (a session lookup, a query of the caller). */
  let beforeServe: Promise<void>;
  const closedOnServer: Promise<void>[] = [];

  const start = async (timings = { pollMs: 20, maxPollFailures: 3 }) => {
    streams = new EventStreams(pool, timings);
    const app = express();
    app.use(requestScope());
    app.get('/stream', async (req, res) => {
      await beforeServe;
      await streams.serve(req, res, (send) => (polls++, poll(send)));
    });
    server = await listen(app, 0);
    server.on('request', (_req, res) => {
      const closed = deferred();
      res.once('close', closed.resolve);
      closedOnServer.push(closed.promise);
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
  };
  const readAll = async (res: Response) => (res.body ? await new Response(res.body).text() : '');

  beforeEach(() => {
    polls = 0;
    pool.ending = false;
    poll = async () => 'wait';
    beforeServe = Promise.resolve();
    closedOnServer.length = 0;
  });
  afterEach(async () => {
    await streams?.stop();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    server = undefined;
  });

  it('serves no stream to a client that left while the route was still awaiting', async () => {
    const gate = deferred();
    beforeServe = gate.promise;
    const url = await start();
    const before = await openStreams();
    const leave = new AbortController();
    const request = fetch(url, { signal: leave.signal }).catch(() => undefined);
    await eventually('the request reached the route', async () => closedOnServer.length === 1);
    leave.abort();
    await request;
    await closedOnServer[0];
    gate.resolve(); // the route's await ends after the client has gone
    await new Promise((r) => setTimeout(r, 200)); // ten poll periods: an orphaned stream would poll meanwhile
    assert.equal(polls, 0, 'polls for a client that is gone');
    assert.equal(streams.size, 0);
    assert.equal(await openStreams(), before);
  });

  it('stop() ends every open stream and waits for the poll in hand', async () => {
    const url = await start();
    const before = await openStreams();
    const responses = await Promise.all([fetch(url), fetch(url)]);
    await eventually('both streams poll', async () => streams.size === 2 && polls >= 2);
    assert.equal(await openStreams(), before + 2);
    const inHand = deferred<PollResult>();
    poll = () => inHand.promise;
    const pollsBefore = polls;
    await eventually('a poll is in hand', async () => polls > pollsBefore);
    let stopped = false;
    const stopping = streams.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(stopped, false, 'stop() returned while a poll was in hand');
    inHand.resolve('wait');
    await stopping;
    await Promise.all(responses.map(readAll)); // both bodies end
    assert.equal(streams.size, 0);
    assert.equal(await openStreams(), before);
  });

  it('ends a stream with an error event after maxPollFailures failed polls in a row', async () => {
    poll = async () => {
      throw new Error('connection refused');
    };
    const url = await start({ pollMs: 5, maxPollFailures: 3 });
    const body = await readAll(await fetch(url));
    assert.equal(polls, 3);
    assert.match(
      body,
      /^event: error\nretry: 5000\ndata: \{"title":"event stream ended","detail":"the database did not answer 3 reads in a row; reconnect with Last-Event-ID"\}\n\n$/,
    );
  });

  it('a failed poll once resets the count: only failures in a row end the stream', async () => {
    let calls = 0;
    poll = async (send) => {
      calls++;
      if (calls % 2 === 1) throw new Error('connection refused');
      send(String(calls), { calls });
      return calls >= 8 ? 'end' : 'wait';
    };
    const url = await start({ pollMs: 5, maxPollFailures: 2 });
    const body = await readAll(await fetch(url));
    assert.equal(polls, 8);
    assert.doesNotMatch(body, /event: error/);
    assert.match(body, /id: 8\ndata: \{"calls":8\}/);
  });

  it('stops at the first failed poll once its pool has ended, without an error event', async () => {
    poll = async () => {
      pool.ending = true; // as pg's pool after end(): every query fails
      throw new Error('Cannot use a pool after calling end on the pool');
    };
    const url = await start({ pollMs: 5, maxPollFailures: 3 });
    const body = await readAll(await fetch(url));
    assert.equal(polls, 1);
    assert.equal(body, '');
  });
});
