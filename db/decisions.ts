/**
 * A payment's decision and what it causes, written at once (activities/outcome.ts recordDecision): the decision row,
 * the ledger, the reservation, the end of its wait and the decided event in the outbox. The one statement that writes
 * these tables together; each table's module (db/reservations.ts, db/outbox.ts, db/payment-waits.ts) has the rest.
 */
import type { Envelope } from '../contracts/events';
import type { PaymentDecided } from '../contracts/payment';
import { TOPICS } from '../contracts/topics';
import { traceHeaders } from '../observability/tracing';
import { prepared, type PoolClient } from './pool';

/**
 * Records a decision and everything it causes, in one statement, each part only if the decision row was inserted
 * (they read from it): for an authorization the ledger's balanced hold transaction (customer debit, merchant pending
 * credit) and its reservation authorized, for a decline its hold released (a hold made on a path the saga left, after
 * a lost workflow task), the payment's wait ended, and the decided event queued in the outbox. One round trip where
 * the same steps took six, under the account lock taken before it (db/accounts.ts). The ledger's balance is checked
 * at commit (a deferred constraint trigger).
 */
const recordDecisionStatement = prepared(
  'record-decision',
  `with decision as (
     insert into payment_decisions (payment_id, event_id, decision, decided_at) values ($1, $2, $3, $4)
     on conflict (payment_id) do nothing returning payment_id
   ), ledger_transaction as (
     insert into ledger_transactions (transaction_id, payment_id, kind)
     select 'authorization:' || $1, $1, 'authorization_hold' from decision where $3 = 'AUTHORIZED'
     on conflict (transaction_id) do nothing returning transaction_id
   ), ledger_entry as (
     insert into ledger_entries (transaction_id, ledger_account, direction, amount, currency)
     select t.transaction_id, e.ledger_account, e.direction, $7, $8
     from ledger_transaction t, (values ($5, 'debit'), ($6, 'credit')) as e (ledger_account, direction)
   ), reservation as (
     update reservations
     set status = case when $3 = 'AUTHORIZED' then 'authorized' else 'released' end,
         authorized_at = case when $3 = 'AUTHORIZED' then now() else authorized_at end,
         released_at = case when $3 = 'AUTHORIZED' then released_at else now() end,
         release_reason = case when $3 = 'AUTHORIZED' then release_reason else $9 end
     where payment_id = $1 and status = 'held' and exists (select 1 from decision)
   ), wait as (
     delete from payment_waits where payment_id = $1 and exists (select 1 from decision)
   ), queued as (
     insert into outbox (event_id, topic, message_key, payload, headers)
     select $2, $10, $11, $12, $13 from decision on conflict (event_id) do nothing
   )
   select count(*)::int as recorded from decision`,
);

/**
 * Inserts the decision with its effects, unless the payment has one already (then nothing changes): whether it did.
 * The caller holds the account's lock (db/accounts.ts).
 */
export async function insertDecision(
  tx: PoolClient,
  d: {
    eventId: string;
    event: PaymentDecided;
    /** The ledger accounts of the hold: the customer's (debited) and the merchant's pending (credited). */
    customerAccount: string;
    merchantAccount: string;
    envelope: Envelope<PaymentDecided>;
  },
): Promise<boolean> {
  const { event } = d;
  const { rows } = await tx.query<{ recorded: number }>(
    recordDecisionStatement([
      event.paymentId,
      d.eventId,
      event.decision,
      event.decidedAt,
      d.customerAccount,
      d.merchantAccount,
      event.amount,
      event.currency,
      event.reason,
      TOPICS.paymentDecided,
      event.accountId,
      d.envelope,
      traceHeaders(),
    ]),
  );
  return rows[0]!.recorded === 1;
}
