/**
 * The decision's effects, in one database transaction (DESIGN.md §4, §6): the ledger entries of an
 * authorization and its reservation's new status, the end of the payment's wait, and the decided event in
 * the outbox, from which the read model, the notifier and the merchant totals learn it. (A declined
 * payment's hold was already released by the saga's compensation.) Idempotent by payment id and event id:
 * a retried activity changes nothing the second time.
 */
import { envelope, EVENT_TYPES } from '../contracts/events';
import { paymentDecidedSchema, type PaymentDecided } from '../contracts/payment';
import { TOPICS } from '../contracts/topics';
import { activityLog } from './log';
import { lockAccount } from '../db/accounts';
import { enqueueEvent } from '../db/outbox';
import { endWaiting } from '../db/payment-waits';
import { authorizeReservation, releaseHeldReservation } from '../db/reservations';
import { ledgerAccounts } from '../ledger/accounts';
import { metrics } from '../observability/metrics';
import { withTransaction, type Pool, type PoolClient } from '../db/pool';

export interface RecordDecisionInput {
  /** Made by the workflow (uuid4 from its deterministic random), so a retry writes the same event. */
  eventId: string;
  event: PaymentDecided;
  /** When the payment was requested: the decision latency metric. */
  requestedAt?: string;
}

/** Posts a balanced transaction; returns false when it was posted before. */
async function postAuthorizationHold(tx: PoolClient, e: PaymentDecided): Promise<boolean> {
  const transactionId = `authorization:${e.paymentId}`;
  const { rowCount } = await tx.query(
    `insert into ledger_transactions (transaction_id, payment_id, kind) values ($1, $2, 'authorization_hold')
     on conflict (transaction_id) do nothing`,
    [transactionId, e.paymentId],
  );
  if (rowCount === 0) return false;
  await tx.query(
    `insert into ledger_entries (transaction_id, ledger_account, direction, amount, currency)
     values ($1, $2, 'debit', $4, $5), ($1, $3, 'credit', $4, $5)`,
    [transactionId, ledgerAccounts.customer(e.accountId), ledgerAccounts.merchantPending(e.merchantId), e.amount, e.currency],
  );
  return true;
}

/** The decision recorded for a payment (the first one wins), read back from its decided event. */
export async function findRecordedDecision(db: Pool | PoolClient, paymentId: string): Promise<PaymentDecided | undefined> {
  const { rows } = await db.query<{ event: unknown }>(
    `select o.payload->'data' as event from payment_decisions d join outbox o on o.event_id = d.event_id
     where d.payment_id = $1`,
    [paymentId],
  );
  return rows[0] ? paymentDecidedSchema.parse(rows[0].event) : undefined;
}

export function createOutcomeActivities({ pool }: { pool: Pool }) {
  return {
    /** The decision already recorded for the payment, if any. */
    async recordedDecision({ paymentId }: { paymentId: string }): Promise<PaymentDecided | undefined> {
      return findRecordedDecision(pool, paymentId);
    },

    /**
     * Records the decision and returns the one that stands: the first recorded for this payment. A saga whose
     * workflow task was lost after this ran (a local activity's effect outlives its task) may come back on
     * another path; it then adopts the recorded decision instead of publishing a second one.
     */
    async recordDecision({ eventId, event, requestedAt }: RecordDecisionInput): Promise<PaymentDecided> {
      const { recorded, decided } = await withTransaction(pool, async (tx) => {
        await lockAccount(tx, event.accountId);
        const { rowCount } = await tx.query(
          `insert into payment_decisions (payment_id, event_id, decision, decided_at) values ($1, $2, $3, $4)
           on conflict (payment_id) do nothing`,
          [event.paymentId, eventId, event.decision, event.decidedAt],
        );
        if (rowCount === 0) return { recorded: false, decided: (await findRecordedDecision(tx, event.paymentId)) ?? event };
        if (event.decision === 'AUTHORIZED') {
          await postAuthorizationHold(tx, event);
          await authorizeReservation(tx, event.paymentId);
        } else {
          // A decline holds nothing: a hold made on a path the saga then left (a lost workflow task) is freed.
          await releaseHeldReservation(tx, event.paymentId, event.reason);
        }
        await endWaiting(tx, event.paymentId);
        // The decided record carries this activity's trace context: the payment's trace goes on to its consumers.
        await enqueueEvent(tx, {
          topic: TOPICS.paymentDecided,
          key: event.accountId,
          envelope: envelope(EVENT_TYPES.paymentDecided, eventId, event.decidedAt, event),
        });
        return { recorded: true, decided: event };
      });
      if (!recorded) return decided; // a retry, or a decision recorded before: counted and logged the first time
      metrics.paymentsDecided.inc({ decision: event.decision, reason: event.reason, decided_by: event.decidedBy });
      if (requestedAt) {
        const seconds = (Date.parse(event.decidedAt) - Date.parse(requestedAt)) / 1000;
        metrics.decisionLatency.observe({ decided_by: event.decidedBy }, Math.max(0, seconds));
      }
      if (event.reason === 'ACCOUNT_STATE_TIMEOUT' || event.reason === 'REVIEW_EXPIRED')
        metrics.sagaTimeouts.inc({ reason: event.reason });
      activityLog.info('decision recorded', {
        paymentId: event.paymentId,
        decision: event.decision,
        reason: event.reason,
        decidedBy: event.decidedBy,
      });
      return decided;
    },
  };
}
