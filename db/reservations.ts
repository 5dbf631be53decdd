/**
 * Funds paysaga holds for payments (DESIGN.md §4, §8). A reservation counts against the account's snapshot
 * balance while it is held (gateway pending), and once authorized until a snapshot reflects it; then it is
 * released, and removed after retention. Every reader and writer of the table goes through here; callers hold
 * the account lock (db/accounts.ts) for everything that reads or changes an account's reservations.
 */
import type { AccountState, DecisionReason } from '../contracts/payment';
import type { Pool, PoolClient } from './pool';

export interface Reservation {
  status: 'held' | 'authorized' | 'released';
  forced: boolean;
  releaseReason: DecisionReason | 'REFLECTED_IN_SNAPSHOT' | null;
}

export async function findReservation(tx: PoolClient, paymentId: string): Promise<Reservation | undefined> {
  const { rows } = await tx.query<{
    status: Reservation['status'];
    forced: boolean;
    release_reason: Reservation['releaseReason'];
  }>('select status, forced, release_reason from reservations where payment_id = $1', [paymentId]);
  return rows[0] && { status: rows[0].status, forced: rows[0].forced, releaseReason: rows[0].release_reason };
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

/** What the account's holds not yet reflected in a snapshot add up to, in one currency. */
export async function reservedNotReflected(tx: PoolClient, accountId: string, currency: string): Promise<number> {
  const { rows } = await tx.query<{ held: number }>(
    `select coalesce(sum(amount), 0)::bigint as held from reservations
     where account_id = $1 and status in ('held', 'authorized') and currency = $2`,
    [accountId, currency],
  );
  return rows[0]!.held;
}

export async function holdFunds(
  tx: PoolClient,
  hold: { paymentId: string; accountId: string; amount: number; currency: string; forced: boolean },
): Promise<void> {
  await tx.query(
    `insert into reservations (payment_id, account_id, amount, currency, status, forced)
     values ($1, $2, $3, $4, 'held', $5)`,
    [hold.paymentId, hold.accountId, hold.amount, hold.currency, hold.forced],
  );
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

/** The payment was authorized: its hold now counts until a snapshot reflects the charge. */
export async function authorizeReservation(tx: PoolClient, paymentId: string): Promise<void> {
  await tx.query(
    `update reservations set status = 'authorized', authorized_at = now() where payment_id = $1 and status = 'held'`,
    [paymentId],
  );
}

/** The payment was declined: its hold, if it still has one, is freed (an authorized one is never released here). */
export async function releaseHeldReservation(tx: PoolClient, paymentId: string, reason: DecisionReason): Promise<void> {
  await tx.query(
    `update reservations set status = 'released', released_at = now(), release_reason = $2
     where payment_id = $1 and status = 'held'`,
    [paymentId, reason],
  );
}

/** Retention: deletes reservations released longer ago than `retentionMs` (held or authorized ones always stay). */
export async function applyReservationRetention(db: Pool | PoolClient, retentionMs: number): Promise<number> {
  const { rowCount } = await db.query(
    `delete from reservations where status = 'released' and released_at < now() - make_interval(secs => $1 / 1000.0)`,
    [retentionMs],
  );
  return rowCount ?? 0;
}
