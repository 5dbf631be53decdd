import assert from 'node:assert/strict';
import { applyRules } from '../../activities/rules';
import type { AccountState } from '../../contracts/payment';

const snapshot = (overrides: Partial<AccountState> = {}): AccountState => ({
  accountId: 'acc-1',
  version: 1,
  asOf: '2026-01-01T00:00:00.000Z',
  status: 'active',
  balance: 10_000,
  currency: 'EUR',
  ...overrides,
});

describe('authorization rules', () => {
  it('approves when the snapshot minus what paysaga holds covers the amount exactly', () => {
    assert.deepEqual(applyRules({ amount: 4_000, currency: 'EUR', snapshot: snapshot(), reservedNotReflected: 6_000 }), {
      approved: true,
      available: 4_000,
    });
  });

  it('declines one minor unit beyond the available funds', () => {
    assert.deepEqual(applyRules({ amount: 4_001, currency: 'EUR', snapshot: snapshot(), reservedNotReflected: 6_000 }), {
      approved: false,
      reason: 'INSUFFICIENT_FUNDS',
      available: 4_000,
    });
  });

  it('declines an overdrawn account', () => {
    const result = applyRules({ amount: 1, currency: 'EUR', snapshot: snapshot({ balance: -50 }), reservedNotReflected: 0 });
    assert.deepEqual(result, { approved: false, reason: 'INSUFFICIENT_FUNDS', available: -50 });
  });

  it('declines frozen and closed accounts before looking at funds', () => {
    const frozen = applyRules({ amount: 1, currency: 'EUR', snapshot: snapshot({ status: 'frozen' }), reservedNotReflected: 0 });
    const closed = applyRules({ amount: 1, currency: 'EUR', snapshot: snapshot({ status: 'closed' }), reservedNotReflected: 0 });
    assert.equal(!frozen.approved && frozen.reason, 'ACCOUNT_FROZEN');
    assert.equal(!closed.approved && closed.reason, 'ACCOUNT_CLOSED');
  });

  it('declines a payment in another currency than the account', () => {
    const result = applyRules({ amount: 1, currency: 'USD', snapshot: snapshot(), reservedNotReflected: 0 });
    assert.equal(!result.approved && result.reason, 'CURRENCY_MISMATCH');
  });

  it('declines without any snapshot', () => {
    assert.deepEqual(applyRules({ amount: 1, currency: 'EUR', snapshot: undefined, reservedNotReflected: 0 }), {
      approved: false,
      reason: 'INSUFFICIENT_FUNDS',
      available: 0,
    });
  });
});
