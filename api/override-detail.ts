/**
 * What an operator is told once an override reached the saga: a sentence saying what happens to the payment,
 * from the saga's `status` query right after the signal (DESIGN.md §4: any payment not yet decided can be
 * overridden; a decline that arrives while the gateway is called voids and releases once the call returns).
 */
import { createHash } from 'node:crypto';
import type { Override } from '../contracts/payment';
import type { PaymentStatus } from '../workflows/shared';

/** A signal id of an override: scoped to the payment, so that every applied override has its own audit row. */
export function overrideSignalId(paymentId: string, operator: string, key: string): string {
  const id = `override:${paymentId}:${operator}:${key}`;
  // Signal ids are at most 200 characters (contracts/payment.ts): a longer one is hashed, still per payment.
  return id.length <= 200 ? id : `override:${createHash('sha256').update(id).digest('base64url')}`;
}

export function overrideDetail(decision: Override['decision'], signalId: string, status: PaymentStatus | undefined): string {
  if (!status) return 'the saga applies the override unless the payment is decided first; GET /payments/{id} shows the outcome';
  const ours = status.override?.signalId === signalId;
  if (status.outcome) {
    const decided = `${status.outcome.decision} (${status.outcome.reason})`;
    return ours ? `applied: the payment is ${decided}` : `the payment was already ${decided}; the override changes nothing`;
  }
  if (status.state === 'AUTHORIZING' && decision === 'decline')
    return 'the gateway call in flight completes first; the authorization is then voided and the funds released, and the payment is declined (OPERATOR_DECLINED)';
  if (status.override && !ours)
    return `another override (${status.override.decision} by ${status.override.operator}) was applied first; this one changes nothing`;
  if (status.state === 'AUTHORIZING')
    return ours
      ? 'applied: the payment is being authorized at the gateway, beyond the available funds if need be (OPERATOR_APPROVED)'
      : 'the rules already approved the payment and the gateway call is in flight; the approval changes nothing';
  return decision === 'decline'
    ? 'the payment is declined (OPERATOR_DECLINED)'
    : 'the payment goes to the gateway, beyond the available funds if need be (OPERATOR_APPROVED)';
}
