import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { envelope, EVENT_TYPES, type Envelope } from '../../contracts/events';
import type { PaymentDecided } from '../../contracts/payment';
import { applyDelta, emptyState, foldBatch, forgetSeenBefore } from '../../merchant-totals/state';

const decided = (overrides: Partial<PaymentDecided> = {}, id: string = randomUUID()): Envelope<PaymentDecided> =>
  envelope(EVENT_TYPES.paymentDecided, id, '2026-01-01T00:00:00.000Z', {
    paymentId: `pay-${randomUUID()}`,
    accountId: 'acc-1',
    merchantId: 'm-1',
    amount: 1_000,
    currency: 'EUR',
    decision: 'AUTHORIZED',
    reason: 'APPROVED',
    decidedBy: 'rules',
    gatewayAuthorizationId: 'gw-1',
    decidedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  });

const totalsOf = (state: ReturnType<typeof emptyState>) => Object.fromEntries(state.totals);

describe('merchant totals state fold', () => {
  it('adds authorized amounts and counts per merchant and currency, under keys of its partition', () => {
    const state = emptyState(2);
    const delta = foldBatch(
      state,
      [
        decided({ amount: 1_000 }),
        decided({ amount: 250 }),
        decided({ amount: 70, currency: 'USD' }),
        decided({ amount: 5, merchantId: 'm-2' }),
      ],
      1,
    );
    applyDelta(state, delta);
    assert.deepEqual(totalsOf(state), {
      'm-1|EUR|2': { merchantId: 'm-1', currency: 'EUR', authorizedAmount: 1_250, authorizedCount: 2 },
      'm-1|USD|2': { merchantId: 'm-1', currency: 'USD', authorizedAmount: 70, authorizedCount: 1 },
      'm-2|EUR|2': { merchantId: 'm-2', currency: 'EUR', authorizedAmount: 5, authorizedCount: 1 },
    });
    assert.equal(state.seen.size, 4);
  });

  it('ignores declined decisions and does not remember them', () => {
    const state = emptyState(0);
    const delta = foldBatch(state, [decided({ decision: 'DECLINED', reason: 'INSUFFICIENT_FUNDS' })], 1);
    assert.equal(delta.ignored, 1);
    assert.equal(delta.totals.size, 0);
    assert.equal(delta.seen.size, 0);
  });

  it('counts an event id once, within a batch and across batches', () => {
    const state = emptyState(0);
    const event = decided({ amount: 300 });
    const first = foldBatch(state, [event, event], 1);
    assert.equal(first.duplicates, 1);
    applyDelta(state, first);
    const again = foldBatch(state, [event], 2);
    assert.equal(again.duplicates, 1);
    assert.equal(again.totals.size, 0);
    assert.deepEqual(state.totals.get('m-1|EUR|0'), {
      merchantId: 'm-1',
      currency: 'EUR',
      authorizedAmount: 300,
      authorizedCount: 1,
    });
  });

  it('leaves the state untouched until the delta is applied (a failed commit changes nothing)', () => {
    const state = emptyState(0);
    applyDelta(state, foldBatch(state, [decided({ amount: 100 })], 1));
    const before = structuredClone(state);
    const event = decided({ amount: 900 });
    foldBatch(state, [event], 2); // the transaction failed: the delta is dropped
    assert.deepEqual(state, before);
    applyDelta(state, foldBatch(state, [event], 3)); // the retried batch counts it, once
    assert.equal(state.totals.get('m-1|EUR|0')?.authorizedAmount, 1_000);
  });

  it('refuses a total past 2^53 - 1 minor units instead of losing precision', () => {
    const state = emptyState(0);
    applyDelta(state, foldBatch(state, [decided({ amount: Number.MAX_SAFE_INTEGER })], 1));
    assert.throws(() => foldBatch(state, [decided({ amount: 1 })], 2), RangeError);
  });

  it('forgets event ids counted before the cutoff, and only those', () => {
    const state = emptyState(0);
    const old = decided();
    const recent = decided();
    applyDelta(state, foldBatch(state, [old], 1_000));
    applyDelta(state, foldBatch(state, [recent], 5_000));
    assert.equal(forgetSeenBefore(state, 2_000), 1);
    assert.deepEqual([...state.seen.keys()], [recent.id]);
    assert.equal(state.totals.get('m-1|EUR|0')?.authorizedCount, 2, 'forgetting ids keeps the totals');
  });
});
