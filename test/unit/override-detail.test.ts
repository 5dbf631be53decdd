/** What the api tells an operator after an override, from the saga's status right after the signal. */
import assert from 'node:assert/strict';
import { overrideDetail, overrideSignalId } from '../../api/override-detail';
import type { Override } from '../../contracts/payment';
import type { PaymentStatus } from '../../workflows/shared';

const ours: Override = { signalId: 'override:p-1:alice:k', operator: 'alice', decision: 'decline', reason: 'fraud' };
const status = (s: Partial<PaymentStatus>): PaymentStatus => ({
  paymentId: 'p-1',
  accountId: 'a-1',
  state: 'AWAITING_ACCOUNT_STATE',
  ...s,
});
const outcome = (decision: 'AUTHORIZED' | 'DECLINED', reason: 'APPROVED' | 'OPERATOR_DECLINED') =>
  ({ paymentId: 'p-1', decision, reason, decidedBy: 'rules', decidedAt: '2026-01-01T00:00:00Z' }) as PaymentStatus['outcome'];

describe('override detail', () => {
  it('scopes the signal id to the payment, and keeps a long one within 200 characters', () => {
    assert.equal(overrideSignalId('p-1', 'alice', 'k'), 'override:p-1:alice:k');
    assert.notEqual(overrideSignalId('p-1', 'alice', 'k'), overrideSignalId('p-2', 'alice', 'k'));
    const long = overrideSignalId('p-1', 'alice', 'k'.repeat(255));
    assert.ok(long.length <= 200 && long.startsWith('override:'));
    assert.notEqual(long, overrideSignalId('p-2', 'alice', 'k'.repeat(255)));
  });

  it('says the saga did not answer when the query failed', () => {
    assert.match(overrideDetail('decline', ours.signalId, undefined), /unless the payment is decided first/);
  });

  it('a decline while the gateway call is in flight: void and release once it returns', () => {
    assert.match(
      overrideDetail('decline', ours.signalId, status({ state: 'AUTHORIZING' })),
      /gateway call in flight completes first; the authorization is then voided and the funds released/,
    );
  });

  it('an approval while the gateway call of the rules is in flight changes nothing', () => {
    assert.match(overrideDetail('approve', 'sig', status({ state: 'AUTHORIZING' })), /rules already approved/);
  });

  it('applied, or decided before the override', () => {
    assert.equal(
      overrideDetail(
        'decline',
        ours.signalId,
        status({ state: 'DECLINED', override: ours, outcome: outcome('DECLINED', 'OPERATOR_DECLINED') }),
      ),
      'applied: the payment is DECLINED (OPERATOR_DECLINED)',
    );
    assert.equal(
      overrideDetail('decline', ours.signalId, status({ state: 'AUTHORIZED', outcome: outcome('AUTHORIZED', 'APPROVED') })),
      'the payment was already AUTHORIZED (APPROVED); the override changes nothing',
    );
  });

  it("another operator's override applied first", () => {
    const theirs = { ...ours, signalId: 'override:p-1:bob:x', operator: 'bob', decision: 'approve' as const };
    assert.match(overrideDetail('approve', ours.signalId, status({ override: theirs })), /another override \(approve by bob\)/);
  });
});
