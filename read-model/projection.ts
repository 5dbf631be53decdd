/**
 * The read model behind GET /payments (DESIGN.md §3, §6): a payment's status and timeline, folded from its
 * requested and decided events. Each event is claimed in the inbox in the transaction that applies it, so a
 * duplicate delivery or a replay from offset zero changes nothing; and the fold commutes, so the decided
 * event of a Kafka payment may arrive before its requested event (they travel on different topics).
 */
import type { Envelope } from '../contracts/events';
import type { PaymentDecided, PaymentRequest } from '../contracts/payment';
import { claimEvent } from '../db/inbox';
import { appendTimelineRow } from '../db/payment-timeline';
import type { PoolClient } from '../db/pool';

/** The inbox name of the read model's consumer. */
export const READ_MODEL = 'read-model';

export async function applyPaymentRequested(tx: PoolClient, event: Envelope<PaymentRequest>): Promise<boolean> {
  if (!(await claimEvent(tx, READ_MODEL, event.id))) return false;
  const p = event.data;
  // A row the decided event made first keeps its decision; it only learns when the payment was requested.
  await tx.query(
    `insert into payments (payment_id, account_id, merchant_id, amount, currency, requested_at, status)
     values ($1, $2, $3, $4, $5, $6, 'RECEIVED')
     on conflict (payment_id) do update set requested_at = excluded.requested_at, updated_at = now()`,
    [p.paymentId, p.accountId, p.merchantId, p.amount, p.currency, p.requestedAt],
  );
  await appendTimelineRow(tx, { paymentId: p.paymentId, at: p.requestedAt, status: 'RECEIVED', eventId: event.id });
  return true;
}

export async function applyPaymentDecided(tx: PoolClient, event: Envelope<PaymentDecided>): Promise<boolean> {
  if (!(await claimEvent(tx, READ_MODEL, event.id))) return false;
  const d = event.data;
  // The first decision stands: a payment is decided once (DESIGN.md §7.1). Until the requested event is
  // applied, the decision time stands in for the request time.
  await tx.query(
    `insert into payments (payment_id, account_id, merchant_id, amount, currency, requested_at, status,
                           decision, reason, decided_by, gateway_authorization_id, decided_at)
     values ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $6)
     on conflict (payment_id) do update set status = excluded.status, decision = excluded.decision,
       reason = excluded.reason, decided_by = excluded.decided_by,
       gateway_authorization_id = excluded.gateway_authorization_id, decided_at = excluded.decided_at, updated_at = now()
     where payments.decision is null`,
    [
      d.paymentId,
      d.accountId,
      d.merchantId,
      d.amount,
      d.currency,
      d.decidedAt,
      d.decision,
      d.reason,
      d.decidedBy,
      d.gatewayAuthorizationId ?? null,
    ],
  );
  await appendTimelineRow(tx, {
    paymentId: d.paymentId,
    at: d.decidedAt,
    status: d.decision,
    detail: { reason: d.reason, decidedBy: d.decidedBy, ...(d.exceededAvailableFunds ? { exceededAvailableFunds: true } : {}) },
    eventId: event.id,
  });
  return true;
}
