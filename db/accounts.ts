/**
 * The latest account snapshot per account and the payments waiting for it (DESIGN.md §5), and the per-account
 * lock that orders their users.
 */
import type { AccountState } from '../contracts/payment';
import type { Pool, PoolClient } from './pool';

/**
 * Serialises everything that reads or changes one account's funds or waiters, until the transaction ends.
 * An advisory lock, not a row lock: it works before the account's first snapshot row exists.
 */
export async function lockAccount(tx: PoolClient, accountId: string): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`account:${accountId}`]);
}

interface AccountStateRow {
  account_id: string;
  version: number;
  as_of: Date;
  status: AccountState['status'];
  balance: number;
  currency: string;
}

const toState = (r: AccountStateRow): AccountState => ({
  accountId: r.account_id,
  version: r.version,
  asOf: r.as_of.toISOString(),
  status: r.status,
  balance: r.balance,
  currency: r.currency,
});

export async function readAccountState(tx: PoolClient, accountId: string): Promise<AccountState | undefined> {
  const { rows } = await tx.query<AccountStateRow>(
    'select account_id, version, as_of, status, balance, currency from account_states where account_id = $1',
    [accountId],
  );
  return rows[0] && toState(rows[0]);
}

/** Stores a snapshot unless one of the same or a higher version is stored; returns whether it was stored. */
export async function recordAccountState(tx: PoolClient, s: AccountState): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into account_states (account_id, version, as_of, status, balance, currency)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (account_id) do update
       set version = excluded.version, as_of = excluded.as_of, status = excluded.status,
           balance = excluded.balance, currency = excluded.currency, updated_at = now()
       where account_states.version < excluded.version`,
    [s.accountId, s.version, s.asOf, s.status, s.balance, s.currency],
  );
  return rowCount === 1;
}

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
