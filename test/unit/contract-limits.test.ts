import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { envelopeSchema } from '../../contracts/events';
import { accountStateSchema, overrideSchema, paymentDecidedSchema } from '../../contracts/payment';

describe('contract limits: what PostgreSQL could not store never passes for valid', () => {
  const state = { accountId: 'a-1', version: 1, asOf: '2026-11-22T10:00:00Z', status: 'active', balance: 100, currency: 'EUR' };
  const override = { signalId: 'operator:k-1', decision: 'approve', operator: 'alice', reason: 'known customer' };

  it('accepts instants between 2000 and 2100, in any offset', () => {
    for (const asOf of ['2000-01-01T00:00:00Z', '2099-12-31T23:59:59.999Z', '2026-11-22T10:00:00+14:00'])
      assert.equal(accountStateSchema.safeParse({ ...state, asOf }).success, true, asOf);
  });

  it('refuses instants before 2000 or from 2100 on, with the range in the error', () => {
    for (const asOf of ['0000-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2100-01-01T00:00:00Z', '9999-12-31T23:59:59-23:59']) {
      const parsed = accountStateSchema.safeParse({ ...state, asOf });
      assert.equal(parsed.success, false, asOf);
      assert.match(parsed.error.issues[0]!.message, /between 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z/);
    }
    const envelope = {
      type: 'account.state.updated',
      version: 1,
      id: randomUUID(),
      occurredAt: '1970-01-01T00:00:00Z',
      data: {},
    };
    assert.equal(envelopeSchema.safeParse(envelope).success, false, 'the envelope too');
  });

  it('refuses balances beyond the safe integer range', () => {
    assert.equal(accountStateSchema.safeParse({ ...state, balance: 2 ** 63 }).success, false);
    assert.equal(accountStateSchema.safeParse({ ...state, balance: -(2 ** 53) }).success, false);
  });

  it('refuses a NUL character in free text', () => {
    const parsed = overrideSchema.safeParse({ ...override, reason: 'known\u0000customer' });
    assert.equal(parsed.success, false);
    assert.match(parsed.error.issues[0]!.message, /NUL/);
    assert.equal(overrideSchema.safeParse(override).success, true);
    const decided = paymentDecidedSchema.shape.gatewayAuthorizationId;
    assert.equal(decided.safeParse('auth_\u0000').success, false);
  });
});
