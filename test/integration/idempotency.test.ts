/**
 * One Idempotency-Key, one payment, whatever the timing: a request that outlives its claim's lease loses the
 * key to a retry, and then answers with the winner's response (or 409), never with a second payment. Real
 * PostgreSQL, Kafka and Temporal; the lease is shortened to a second so the test can let it expire.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { claimKey, releaseKey } from '../../api/idempotency';
import { TOPICS } from '../../contracts/topics';
import { eventually } from '../eventually';
import { pipelineForSuite, TOKENS } from './pipeline-harness';

const LEASE_MS = 1_000;

describe('Idempotency-Key: a claim that outlives its lease (real engines)', function () {
  this.timeout(60_000);
  const h = pipelineForSuite({ idempotencyLeaseMs: LEASE_MS });
  const auth = { authorization: `Bearer ${TOKENS.client}` };
  afterEach(() => {
    h.apiHooks = {};
  });

  const leaseExpired = (key: string) =>
    eventually(
      `lease of ${key} expired`,
      async () =>
        (
          await h.pool.query(
            `select 1 from idempotency_keys where caller = 'shop-1' and idempotency_key = $1 and locked_until < now()`,
            [key],
          )
        ).rowCount === 1,
    );

  /** Pauses the next request right after it claimed its key; `claimed` resolves then, `resume` lets it go on. */
  const pauseNextRequest = () => {
    let resume!: () => void;
    const claimed = new Promise<void>((resolve) => {
      h.apiHooks.afterKeyClaimed = () => {
        h.apiHooks = {}; // only this request
        resolve();
        return new Promise<void>((r) => (resume = r));
      };
    });
    return { claimed, resume: () => resume() };
  };

  it('makes one payment when the first request resumes after a retry took its key over', async () => {
    const key = randomUUID();
    const accountId = h.accountId();
    const body = { accountId, merchantId: 'm-1', amount: 1_000, currency: 'EUR' };
    const post = () => h.post('/payments', body, { ...auth, 'idempotency-key': key });

    const first = pauseNextRequest();
    const firstResponse = post();
    await first.claimed;
    await leaseExpired(key);
    const retry = await post();
    assert.equal(retry.status, 202, 'the retry takes the expired claim over and creates the payment');
    const { paymentId } = (await retry.json()) as { paymentId: string };

    first.resume();
    const late = await firstResponse;
    const lateBody = (await late.json()) as { paymentId?: string };
    assert.ok(
      (late.status === 202 && lateBody.paymentId === paymentId) || late.status === 409,
      `the first request answers with the winner's payment or 409 (got ${late.status} ${JSON.stringify(lateBody)})`,
    );
    if (late.status === 202) assert.equal(late.headers.get('idempotent-replayed'), 'true');

    const count = async (sql: string, params: unknown[]) => (await h.pool.query<{ n: number }>(sql, params)).rows[0]!.n;
    assert.equal(await count(`select count(*)::int as n from payments where account_id = $1`, [accountId]), 1);
    assert.equal(
      await count(`select count(*)::int as n from outbox where topic = $1 and message_key = $2`, [
        TOPICS.paymentRequested,
        accountId,
      ]),
      1,
    );
    assert.equal(
      await count(
        `select count(*)::int as n from payment_callers where payment_id in (select payment_id from payments where account_id = $1)`,
        [accountId],
      ),
      1,
    );
    const again = await post();
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(((await again.json()) as { paymentId: string }).paymentId, paymentId);
  });

  it("never lets a request that lost its claim release the new owner's claim", async () => {
    const key = randomUUID();
    const first = await claimKey(h.pool, 'shop-1', key, 'h', LEASE_MS);
    assert.equal(first.kind, 'claimed');
    await leaseExpired(key);
    const second = await claimKey(h.pool, 'shop-1', key, 'h', LEASE_MS);
    assert.equal(second.kind, 'claimed', 'the expired claim is taken over');
    await releaseKey(h.pool, 'shop-1', key, first.kind === 'claimed' ? first.token : 'none');
    assert.equal((await claimKey(h.pool, 'shop-1', key, 'h', LEASE_MS)).kind, 'in-flight', "the new owner's claim stands");
    await releaseKey(h.pool, 'shop-1', key, second.kind === 'claimed' ? second.token : 'none');
    assert.equal((await claimKey(h.pool, 'shop-1', key, 'h', LEASE_MS)).kind, 'claimed', 'its owner released it');
  });
});
