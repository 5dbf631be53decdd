/**
 * The payments waiting for fresh account state (DESIGN.md §5): a payment registers here when it starts waiting,
 * the bridge signals the waiters a newer snapshot concerns, and the wait ends when the payment decides on the
 * recorded state or is decided. Every reader and writer of the table goes through here.
 */
import type { AccountState } from '../contracts/payment';
import { readAccountState } from './accounts';
import type { Pool, PoolClient } from './pool';

/**
 * Registers a payment as waiting for its account's state, fresh as of `asOfAtLeast`, and returns the newest
 * recorded state, which the payment thereby has: the bridge signals it only with newer ones. The caller holds
 * the account lock, so a state recorded at any moment is either returned here or sees this waiter.
 */
export async function beginWaiting(
  tx: PoolClient,
  wait: { paymentId: string; accountId: string; asOfAtLeast: string },
): Promise<AccountState | undefined> {
  const latest = await readAccountState(tx, wait.accountId);
  // A retried registration keeps the row, and learns that the payment now has the newer state.
  await tx.query(
    `insert into payment_waits (payment_id, account_id, as_of_at_least, signalled_version) values ($1, $2, $3, $4)
     on conflict (payment_id) do update
       set signalled_version = greatest(payment_waits.signalled_version, excluded.signalled_version)`,
    [wait.paymentId, wait.accountId, wait.asOfAtLeast, latest?.version ?? null],
  );
  return latest;
}

/**
 * The payments waiting for this account whose decision the state can change: fresh for them (asOf at or
 * after what they wait for) and newer than the version they have. The caller holds the account lock.
 */
export async function waitersToSignal(tx: PoolClient, latest: AccountState): Promise<string[]> {
  const { rows } = await tx.query<{ payment_id: string }>(
    `select payment_id from payment_waits
     where account_id = $1 and as_of_at_least <= $2 and coalesce(signalled_version, -1) < $3
     order by payment_id`,
    [latest.accountId, latest.asOf, latest.version],
  );
  return rows.map((r) => r.payment_id);
}

/** After a signal succeeded: the waiter has this version (never moves back, never recreates a finished wait). */
export async function recordSignalled(db: Pool | PoolClient, paymentId: string, version: number): Promise<void> {
  await db.query(
    `update payment_waits set signalled_version = greatest(coalesce(signalled_version, -1), $2) where payment_id = $1`,
    [paymentId, version],
  );
}

/** The payment waits no more: it decides now on the recorded state, or it has gone. */
export async function endWaiting(db: Pool | PoolClient, paymentId: string): Promise<void> {
  await db.query('delete from payment_waits where payment_id = $1', [paymentId]);
}

/** How many payments wait now (the waiting gauge). */
export async function countWaiting(db: Pool | PoolClient): Promise<number> {
  return (await db.query<{ n: number }>('select count(*)::int as n from payment_waits')).rows[0]!.n;
}
