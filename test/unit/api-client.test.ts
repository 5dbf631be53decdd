import assert from 'node:assert/strict';
import { createPaysagaClient } from '../../api/client';
import { readCommittedClientSchema, renderClientSchema } from '../../api/client/generate';

/** The first line where two texts differ, for a message that says where without a 1,000-line diff. */
function firstDifference(committed: string, fresh: string): string {
  const a = committed.split('\n');
  const b = fresh.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}: committed ${JSON.stringify(a[at] ?? '(end)')}, generated ${JSON.stringify(b[at] ?? '(end)')}`;
}

describe('the typed api client (api/client/)', function () {
  this.timeout(30_000);

  it('is generated from the OpenAPI document as committed in api/client/schema.d.ts', async () => {
    const fresh = await renderClientSchema();
    const committed = readCommittedClientSchema();
    assert.ok(committed !== undefined, 'api/client/schema.d.ts is missing: run `npm run api:client`');
    if (committed !== fresh)
      assert.fail(
        `api/client/schema.d.ts differs from the OpenAPI document (${firstDifference(committed, fresh)}): run \`npm run api:client\``,
      );
  });

  it('sends the bearer token, the Idempotency-Key header, the path parameter and the JSON body the operation declares', async () => {
    const accepted = {
      paymentId: 'p 1',
      signalId: 's-1',
      status: 'OVERRIDE_REQUESTED',
      state: 'PENDING_REVIEW',
      detail: 'approved',
    };
    const sent: Request[] = [];
    const api = createPaysagaClient('http://paysaga.invalid/', 'tok-1', {
      fetch: async (request: Request) => {
        sent.push(request.clone());
        return Response.json(accepted, { status: 202 });
      },
    });
    const { data, response } = await api.POST('/payments/{paymentId}/override', {
      params: { path: { paymentId: 'p 1' }, header: { 'Idempotency-Key': 'k-1' } },
      body: { decision: 'approve', reason: 'known customer' },
    });
    assert.equal(response.status, 202);
    assert.deepEqual(data, accepted);
    assert.equal(data?.status, 'OVERRIDE_REQUESTED');
    const [request] = sent;
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, 'http://paysaga.invalid/payments/p%201/override');
    assert.equal(request.headers.get('authorization'), 'Bearer tok-1');
    assert.equal(request.headers.get('idempotency-key'), 'k-1');
    assert.equal(request.headers.get('content-type'), 'application/json');
    assert.deepEqual(await request.json(), { decision: 'approve', reason: 'known customer' });
  });
});
