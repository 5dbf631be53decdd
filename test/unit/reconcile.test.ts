import assert from 'node:assert/strict';
import type { PaymentDecided } from '../../contracts/payment';
import type { LedgerHold } from '../../ledger/views';
import { compare, type DecidedRecord, type GatewayRecord } from '../../reconcile/compare';

const decided = (paymentId: string, overrides: Partial<PaymentDecided> = {}, eventId = `ev-${paymentId}`): DecidedRecord => ({
  eventId,
  data: {
    paymentId,
    accountId: 'acc-1',
    merchantId: 'm-1',
    amount: 1_000,
    currency: 'EUR',
    decision: 'AUTHORIZED',
    reason: 'APPROVED',
    decidedBy: 'rules',
    gatewayAuthorizationId: `auth-${paymentId}`,
    decidedAt: '2026-11-22T10:00:00.000Z',
    ...overrides,
  },
});
const gateway = (paymentId: string, overrides: Partial<GatewayRecord> = {}): GatewayRecord => ({
  paymentId,
  accountId: 'acc-1',
  merchantId: 'm-1',
  amount: 1_000,
  currency: 'EUR',
  status: 'authorized',
  authorizationId: `auth-${paymentId}`,
  ...overrides,
});
const hold = (paymentId: string, overrides: Partial<LedgerHold> = {}): LedgerHold => ({
  paymentId,
  transactionId: `authorization:${paymentId}`,
  debitAccounts: ['customer:acc-1'],
  creditAccounts: ['merchant:m-1:pending'],
  amount: 1_000,
  currency: 'EUR',
  balanced: true,
  at: '2026-11-22T10:00:00.000Z',
  ...overrides,
});
const kinds = (input: Parameters<typeof compare>[0]) => compare(input).map((m) => `${m.paymentId} ${m.kind}`);

describe('reconciliation rules', () => {
  it('finds nothing when the three sources agree, also for a declined payment and a duplicate publication', () => {
    const declined = decided('p2', { decision: 'DECLINED', reason: 'INSUFFICIENT_FUNDS', gatewayAuthorizationId: undefined });
    assert.deepEqual(
      kinds({
        gateway: [
          gateway('p1'),
          gateway('p3', { status: 'voided' }),
          gateway('p4', { status: 'declined', authorizationId: null }),
        ],
        ledger: [hold('p1')],
        events: [
          decided('p1'),
          decided('p1'),
          declined,
          decided('p3', { decision: 'DECLINED', reason: 'GATEWAY_UNAVAILABLE' }),
          decided('p4', { decision: 'DECLINED', reason: 'GATEWAY_DECLINED' }),
        ],
      }),
      [],
    );
  });

  it('reports money held at the gateway without an authorized decision', () => {
    assert.deepEqual(kinds({ gateway: [gateway('p1')], ledger: [], events: [] }), ['p1 GATEWAY_WITHOUT_AUTHORIZED_EVENT']);
    assert.deepEqual(
      kinds({
        gateway: [gateway('p1')],
        ledger: [],
        events: [decided('p1', { decision: 'DECLINED', reason: 'REVIEW_EXPIRED' })],
      }),
      ['p1 GATEWAY_WITHOUT_AUTHORIZED_EVENT'],
    );
  });

  it('reports an authorization missing at the gateway or in the ledger, and a hold without one', () => {
    assert.deepEqual(kinds({ gateway: [], ledger: [], events: [decided('p1')] }), [
      'p1 AUTHORIZED_WITHOUT_GATEWAY',
      'p1 AUTHORIZED_WITHOUT_LEDGER',
    ]);
    assert.deepEqual(kinds({ gateway: [gateway('p1', { status: 'voided' })], ledger: [hold('p1')], events: [decided('p1')] }), [
      'p1 AUTHORIZED_WITHOUT_GATEWAY',
    ]);
    assert.deepEqual(kinds({ gateway: [], ledger: [hold('p1')], events: [] }), ['p1 LEDGER_WITHOUT_AUTHORIZED_EVENT']);
  });

  it('reports two decisions of one payment, and fields that disagree', () => {
    assert.deepEqual(
      kinds({ gateway: [gateway('p1')], ledger: [hold('p1')], events: [decided('p1'), decided('p1', {}, 'another-event')] }),
      ['p1 DECIDED_TWICE'],
    );
    const found = compare({
      gateway: [gateway('p1', { amount: 999, authorizationId: 'other' })],
      ledger: [hold('p1', { currency: 'USD', creditAccounts: ['merchant:m-2:pending'] })],
      events: [decided('p1')],
    });
    assert.deepEqual(
      found.map((m) => m.detail.split(':')[0]),
      ['amount', 'gatewayAuthorizationId', 'currency', 'credited account'],
    );
    assert.ok(found.every((m) => m.kind === 'FIELD_MISMATCH'));
  });

  it('reports an unbalanced ledger transaction', () => {
    assert.deepEqual(kinds({ gateway: [gateway('p1')], ledger: [hold('p1', { balanced: false })], events: [decided('p1')] }), [
      'p1 UNBALANCED_LEDGER_TRANSACTION',
    ]);
  });
});
