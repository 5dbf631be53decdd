import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../config';
import { migrate } from '../../db/migrate';
import { createPool, type Pool } from '../../db/pool';
import { FaultInjector } from '../../gateway/faults';
import { createGatewayApp } from '../../gateway/server';
import { listen } from '../../roles/listen';
import { eventually } from '../eventually';

describe('gateway simulator over HTTP (real PostgreSQL)', function () {
  this.timeout(30_000);
  let pool: Pool;
  let server: Server;
  let base: string;
  const faults = new FaultInjector();

  before(async () => {
    pool = createPool(loadConfig());
    await migrate(pool);
    server = await listen(createGatewayApp({ pool, faults }), 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await pool?.end();
  });
  beforeEach(() => faults.set({}));

  const request = (paymentId = `pay-${randomUUID()}`) => ({
    paymentId,
    accountId: 'acc-1',
    merchantId: 'm-1',
    amount: 1_234,
    currency: 'EUR',
  });
  const authorize = (body: unknown, key?: string) =>
    fetch(`${base}/authorizations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });
  const records = async (paymentId: string) =>
    (await (await fetch(`${base}/authorizations?paymentId=${paymentId}`)).json()) as {
      status: string;
      authorizationId: string | null;
    }[];

  it('requires an Idempotency-Key and a valid body', async () => {
    assert.equal((await authorize(request())).status, 400);
    const bad = await authorize({ ...request(), amount: 12.5 }, 'k-' + randomUUID());
    assert.equal(bad.status, 400);
    assert.match(bad.headers.get('content-type') ?? '', /problem\+json/);
  });

  it('authorizes once per key: 201 first, then the same answer as a replay', async () => {
    const body = request();
    const first = await authorize(body, body.paymentId);
    assert.equal(first.status, 201);
    const { authorizationId } = (await first.json()) as { authorizationId: string };
    const again = await authorize(body, body.paymentId);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await again.json(), { status: 'authorized', authorizationId });
    assert.equal((await records(body.paymentId)).length, 1);
  });

  it('refuses a key reused with another body (422)', async () => {
    const body = request();
    await authorize(body, body.paymentId);
    assert.equal((await authorize({ ...body, amount: 9_999 }, body.paymentId)).status, 422);
  });

  it('holds one record when ten requests with the same key race', async () => {
    const body = request();
    const responses = await Promise.all(Array.from({ length: 10 }, () => authorize(body, body.paymentId)));
    assert.deepEqual(responses.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(
      await Promise.all(responses.map(async (r) => ((await r.json()) as { authorizationId: string }).authorizationId)),
    );
    assert.equal(ids.size, 1);
    assert.equal((await records(body.paymentId)).length, 1);
  });

  it('declines the configured accounts with 402', async () => {
    faults.set({ declineAccountIds: ['acc-1'] });
    const body = request();
    const res = await authorize(body, body.paymentId);
    assert.equal(res.status, 402);
    assert.deepEqual(await res.json(), { status: 'declined', code: 'do_not_honor' });
  });

  it('injects a 503 without authorizing, and drops a response after authorizing', async () => {
    const body = request();
    faults.set({ next: ['fail', 'drop-response'] });
    assert.equal((await authorize(body, body.paymentId)).status, 503);
    assert.equal((await records(body.paymentId)).length, 0);
    await assert.rejects(authorize(body, body.paymentId), /fetch failed/);
    assert.deepEqual(
      (await records(body.paymentId)).map((r) => r.status),
      ['authorized'],
    );
    assert.equal((await authorize(body, body.paymentId)).status, 200, 'the retry replays what was authorized');
  });

  const voidKey = (key: string) => fetch(`${base}/authorizations/${key}/void`, { method: 'POST' });

  it('voids an authorization, idempotently, and answers a replay of its key with 410 voided', async () => {
    const body = request();
    const { authorizationId } = (await (await authorize(body, body.paymentId)).json()) as { authorizationId: string };
    for (const voided of [await voidKey(body.paymentId), await voidKey(body.paymentId)]) {
      assert.equal(voided.status, 200);
      assert.deepEqual(await voided.json(), { status: 'voided', authorizationId });
    }
    const replay = await authorize(body, body.paymentId);
    assert.equal(replay.status, 410);
    assert.deepEqual(await replay.json(), { status: 'voided', authorizationId });
    assert.deepEqual(
      (await records(body.paymentId)).map((r) => r.status),
      ['voided'],
    );
  });

  it('has nothing to void on a declined key (404)', async () => {
    faults.set({ declineAccountIds: ['acc-1'] });
    const body = request();
    assert.equal((await authorize(body, body.paymentId)).status, 402);
    assert.equal((await voidKey(body.paymentId)).status, 404);
    assert.deepEqual(
      (await records(body.paymentId)).map((r) => r.status),
      ['declined'],
    );
  });

  it('voids a key before any authorization: a later authorize with that key does not authorize', async () => {
    const body = request();
    const voided = await voidKey(body.paymentId);
    assert.equal(voided.status, 200);
    assert.deepEqual(await voided.json(), { status: 'voided', authorizationId: null });
    const late = await authorize(body, body.paymentId);
    assert.equal(late.status, 410);
    assert.deepEqual(await late.json(), { status: 'voided', authorizationId: null });
    assert.deepEqual(
      (await records(body.paymentId)).map(({ status, authorizationId }) => ({ status, authorizationId })),
      [{ status: 'voided', authorizationId: null }],
    );
  });

  it('never leaves an authorization after a successful void when authorize and void race on one key', async () => {
    const bodies = Array.from({ length: 20 }, () => request());
    // Half the pairs send the void first, half the authorization: each must end voided either way.
    const raced = await Promise.all(
      bodies.map(async (body, i) => {
        const [authorized, voided] =
          i % 2 === 0
            ? await Promise.all([authorize(body, body.paymentId), voidKey(body.paymentId)])
            : await Promise.all([voidKey(body.paymentId), authorize(body, body.paymentId)]).then(([v, a]) => [a, v] as const);
        return {
          body,
          authorized: { status: authorized.status, answer: (await authorized.json()) as { authorizationId: string | null } },
          voided: { status: voided.status, answer: (await voided.json()) as { authorizationId: string | null } },
        };
      }),
    );
    for (const { body, authorized, voided } of raced) {
      assert.equal(voided.status, 200, 'a void always succeeds: it voids the authorization or closes the key');
      if (authorized.status === 201) assert.equal(authorized.answer.authorizationId, voided.answer.authorizationId);
      else assert.deepEqual([authorized.status, authorized.answer], [410, { status: 'voided', authorizationId: null }]);
      assert.deepEqual(
        (await records(body.paymentId)).map((r) => r.status),
        ['voided'],
      );
    }
  });

  it('counts the authorizations it is still handling, also after their caller gave up', async () => {
    const inFlight = async () =>
      ((await (await fetch(`${base}/admin/in-flight`)).json()) as { authorizations: number }).authorizations;
    faults.set({ latencyMs: 300 });
    const body = request();
    await assert.rejects(
      fetch(`${base}/authorizations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': body.paymentId },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(50),
      }),
      /aborted|timeout/i,
    );
    assert.equal(await inFlight(), 1, 'the simulator still holds the request its caller abandoned');
    await eventually('the abandoned request handled', async () => (await inFlight()) === 0);
    assert.deepEqual(
      (await records(body.paymentId)).map((r) => r.status),
      ['authorized'],
      'handled after its caller left: the late authorization a void must win over',
    );
  });

  it('takes fault settings on its admin endpoint and rejects invalid ones', async () => {
    const put = (body: unknown) =>
      fetch(`${base}/admin/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await put({ errorRate: 3 })).status, 400);
    const ok = await put({ latencyMs: 5, next: ['timeout'] });
    assert.equal(ok.status, 200);
    assert.deepEqual(((await (await fetch(`${base}/admin/faults`)).json()) as { next: string[] }).next, ['timeout']);
  });
});
