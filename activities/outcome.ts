/**
 * The decision's effects, in one database transaction (DESIGN.md §4, §6): the ledger entries of an
 * authorization and its reservation's new status, the end of the payment's wait, and the decided event in
 * the outbox, from which the read model, the notifier and the merchant totals learn it. (A declined
 * payment's hold was already released by the saga's compensation.) Idempotent by payment id and event id:
 * a retried activity changes nothing the second time.
 */
import { envelope, EVENT_TYPES } from '../contracts/events';
import { paymentDecidedSchema, type PaymentDecided } from '../contracts/payment';
import { activityLog } from './log';
import { lockAccount } from '../db/accounts';
import { ledgerAccounts } from '../ledger/accounts';
import { metrics } from '../observability/metrics';
import { insertDecision } from '../db/decisions';
import { withTransaction, type Pool, type PoolClient } from '../db/pool';

export interface RecordDecisionInput {
  /** Made by the workflow (uuid4 from its deterministic random), so a retry writes the same event. */
  eventId: string;
  event: PaymentDecided;
  /** When the payment was requested: the decision latency metric. */
  requestedAt?: string;
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
        // The decided record carries this activity's trace context: the payment's trace goes on to its consumers.
        const inserted = await insertDecision(tx, {
          eventId,
          event,
          customerAccount: ledgerAccounts.customer(event.accountId),
          merchantAccount: ledgerAccounts.merchantPending(event.merchantId),
          envelope: envelope(EVENT_TYPES.paymentDecided, eventId, event.decidedAt, event),
        });
        if (!inserted) return { recorded: false, decided: (await findRecordedDecision(tx, event.paymentId)) ?? event };
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
