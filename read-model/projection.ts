/**
 * The read model behind GET /payments (DESIGN.md §3, §6): a payment's status and timeline, folded from its
 * requested and decided events. Each event is claimed in the inbox in the transaction that applies it, so a
 * duplicate delivery or a replay from offset zero changes nothing; and the fold commutes, so the decided
 * event of a Kafka payment may arrive before its requested event (they travel on different topics).
 */
import type { Envelope } from '../contracts/events';
import type { PaymentDecided, PaymentRequest } from '../contracts/payment';
import { prepared, type Pool, type PoolClient } from '../db/pool';

/** The inbox name of the read model's consumer. */
export const READ_MODEL = 'read-model';

/*
 * Each event is applied by one statement: its inbox claim, the payment's row and its timeline row, each of the
 * last two only if the claim inserted (they read from it), so a duplicate changes nothing. One statement is one
 * transaction on its own, and one round trip instead of five (begin, three statements, commit). The timeline row
 * reads from the payment's timeline lock (db/payment-timeline.ts says why it is taken), so the lock is held before
 * the row draws its id.
 */
const applyRequested = prepared(
  'read-model-apply-requested',
  `with claimed as (
     insert into inbox (consumer, event_id) values ($1, $2) on conflict (consumer, event_id) do nothing returning event_id
   ), payment as (
     insert into payments (payment_id, account_id, merchant_id, amount, currency, requested_at, status)
     select $3, $4, $5, $6, $7, $8, 'RECEIVED' from claimed
     on conflict (payment_id) do update set requested_at = excluded.requested_at, updated_at = now()
   ), locked as (
     select pg_advisory_xact_lock(hashtextextended('timeline:' || $3, 0)) from claimed
   ), timeline as (
     insert into payment_timeline (payment_id, at, status, detail, event_id)
     select $3, $8, 'RECEIVED', '{}', $2 from locked
     on conflict (event_id) do nothing
   )
   select count(*)::int as applied from claimed`,
);

const applyDecided = prepared(
  'read-model-apply-decided',
  `with claimed as (
     insert into inbox (consumer, event_id) values ($1, $2) on conflict (consumer, event_id) do nothing returning event_id
   ), payment as (
     insert into payments (payment_id, account_id, merchant_id, amount, currency, requested_at, status,
                           decision, reason, decided_by, gateway_authorization_id, decided_at)
     select $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $8 from claimed
     on conflict (payment_id) do update set status = excluded.status, decision = excluded.decision,
       reason = excluded.reason, decided_by = excluded.decided_by,
       gateway_authorization_id = excluded.gateway_authorization_id, decided_at = excluded.decided_at, updated_at = now()
     where payments.decision is null
   ), locked as (
     select pg_advisory_xact_lock(hashtextextended('timeline:' || $3, 0)) from claimed
   ), timeline as (
     insert into payment_timeline (payment_id, at, status, detail, event_id)
     select $3, $8, $9, $13, $2 from locked
     on conflict (event_id) do nothing
   )
   select count(*)::int as applied from claimed`,
);

/** Applies a requested event (false: applied before). In the caller's transaction, or one of its own. */
export async function applyPaymentRequested(db: Pool | PoolClient, event: Envelope<PaymentRequest>): Promise<boolean> {
  const p = event.data;
  // A row the decided event made first keeps its decision; it only learns when the payment was requested.
  const { rows } = await db.query<{ applied: number }>(
    applyRequested([READ_MODEL, event.id, p.paymentId, p.accountId, p.merchantId, p.amount, p.currency, p.requestedAt]),
  );
  return rows[0]!.applied === 1;
}

/**
 * Applies a decided event (false: applied before). The first decision stands: a payment is decided once (DESIGN.md
 * §7.1). Until the requested event is applied, the decision time stands in for the request time.
 */
export async function applyPaymentDecided(db: Pool | PoolClient, event: Envelope<PaymentDecided>): Promise<boolean> {
  const d = event.data;
  const detail = {
    reason: d.reason,
    decidedBy: d.decidedBy,
    ...(d.exceededAvailableFunds ? { exceededAvailableFunds: true } : {}),
  };
  const { rows } = await db.query<{ applied: number }>(
    applyDecided([
      READ_MODEL,
      event.id,
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
      detail,
    ]),
  );
  return rows[0]!.applied === 1;
}
