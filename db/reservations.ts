/**
 * Funds paysaga holds for payments (DESIGN.md §4, §8). A reservation counts against the account's snapshot
 * balance while it is held (gateway pending), and once authorized until a snapshot reflects it; then it is
 * released, and removed after retention. Every reader and writer of the table goes through here, but for the
 * statement that records a decision (db/decisions.ts); callers hold the account lock (db/accounts.ts) for everything
 * that reads or changes an account's reservations.
 */
import type { AccountState, DecisionReason } from '../contracts/payment';
import { toAccountState, type AccountStateRow } from './accounts';
import { prepared, type Pool, type PoolClient } from './pool';

export interface Reservation {
  status: 'held' | 'authorized' | 'released';
  forced: boolean;
  releaseReason: DecisionReason | 'REFLECTED_IN_SNAPSHOT' | null;
}

const selectReservationFacts = prepared(
  'reservations-facts',
  `select (select o.payload->'data' from payment_decisions d join outbox o on o.event_id = d.event_id
           where d.payment_id = $1) as decided,
          (select row_to_json(r) from (select status, forced, release_reason from reservations where payment_id = $1) r)
            as reservation,
          (select row_to_json(a) from (select account_id, version, as_of, status, balance, currency from account_states
                                        where account_id = $2) a) as latest`,
);

/**
 * What reserving funds for a payment starts from, in one statement (run it after taking the account lock, so that
 * it reads what the lock's previous holder committed): the decided event recorded for the payment, if any (its
 * `data`, unparsed), its reservation, if any, and the account's newest snapshot, if any.
 */
export async function reservationFacts(
  tx: PoolClient,
  paymentId: string,
  accountId: string,
): Promise<{ decided: unknown; reservation?: Reservation; latest?: AccountState }> {
  const { rows } = await tx.query<{
    decided: unknown;
    reservation: { status: Reservation['status']; forced: boolean; release_reason: Reservation['releaseReason'] } | null;
    latest: (Omit<AccountStateRow, 'as_of'> & { as_of: string }) | null;
  }>(selectReservationFacts([paymentId, accountId]));
  const { decided, reservation, latest } = rows[0]!;
  return {
    decided,
    ...(reservation
      ? { reservation: { status: reservation.status, forced: reservation.forced, releaseReason: reservation.release_reason } }
      : {}),
    ...(latest ? { latest: toAccountState({ ...latest, as_of: new Date(latest.as_of) }) } : {}),
  };
}

/**
 * Releases the account's authorized holds that the snapshot already reflects (authorized at or before its
 * asOf): its balance has the charge, so counting the hold too would count it twice. Returns how many.
 */
export async function releaseReflectedReservations(tx: PoolClient, snapshot: AccountState): Promise<number> {
  const { rowCount } = await tx.query(
    `update reservations set status = 'released', released_at = now(), release_reason = 'REFLECTED_IN_SNAPSHOT'
     where account_id = $1 and status = 'authorized' and authorized_at <= $2`,
    [snapshot.accountId, snapshot.asOf],
  );
  return rowCount ?? 0;
}

const releaseReflectedAndSumHeld = prepared(
  'reservations-release-reflected-sum-held',
  `with released as (
     update reservations set status = 'released', released_at = now(), release_reason = 'REFLECTED_IN_SNAPSHOT'
     where account_id = $1 and status = 'authorized' and authorized_at <= $2 returning amount, currency
   )
   select (select coalesce(sum(amount), 0) from reservations
           where account_id = $1 and status in ('held', 'authorized') and currency = $3)
        - (select coalesce(sum(amount), 0) from released where currency = $3) as held`,
);

/**
 * What paysaga holds for the account in `currency` that the newest snapshot (taken at `asOf`; none: null) does not
 * reflect: first the authorized holds that snapshot reflects are released (its balance has them), then the holds and
 * authorizations left are summed. One statement: its sum is read before the release within it, so the released
 * amounts are taken off it. Under the account lock.
 */
export async function reservedNotReflected(
  tx: PoolClient,
  accountId: string,
  asOf: string | null,
  currency: string,
): Promise<number> {
  const { rows } = await tx.query<{ held: number }>(releaseReflectedAndSumHeld([accountId, asOf, currency]));
  return Number(rows[0]!.held);
}

const endWaitAndHold = prepared(
  'reservations-hold',
  `with ended as (delete from payment_waits where payment_id = $1)
   insert into reservations (payment_id, account_id, amount, currency, status, forced) values ($1, $2, $3, $4, 'held', $5)`,
);

/**
 * Holds `amount` for the payment (forced: beyond the funds, by an operator), and ends its wait: it has decided on the
 * recorded state, which no account state can change any more, so the bridge stops signalling it.
 */
export async function holdFunds(
  tx: PoolClient,
  hold: { paymentId: string; accountId: string; amount: number; currency: string; forced: boolean },
): Promise<void> {
  await tx.query(endWaitAndHold([hold.paymentId, hold.accountId, hold.amount, hold.currency, hold.forced]));
}

/** Releases a payment's hold; false when there was none, or it was released already. */
export async function releaseReservation(db: Pool | PoolClient, paymentId: string, reason: DecisionReason): Promise<boolean> {
  const { rowCount } = await db.query(
    `update reservations set status = 'released', released_at = now(), release_reason = $2
     where payment_id = $1 and status <> 'released'`,
    [paymentId, reason],
  );
  return rowCount === 1;
}

/** Retention: deletes reservations released longer ago than `retentionMs` (held or authorized ones always stay). */
export async function applyReservationRetention(db: Pool | PoolClient, retentionMs: number): Promise<number> {
  const { rowCount } = await db.query(
    `delete from reservations where status = 'released' and released_at < now() - make_interval(secs => $1 / 1000.0)`,
    [retentionMs],
  );
  return rowCount ?? 0;
}
