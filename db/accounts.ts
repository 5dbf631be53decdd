/**
 * The latest account snapshot per account (DESIGN.md §5), and the per-account lock that orders its users and
 * the payments waiting for it (db/payment-waits.ts).
 */
import type { AccountState } from '../contracts/payment';
import { prepared, type Pool, type PoolClient } from './pool';

/**
 * Serialises everything that reads or changes one account's funds or waiters, until the transaction ends.
 * An advisory lock, not a row lock: it works before the account's first snapshot row exists.
 */
const takeAccountLock = prepared('account-lock', 'select pg_advisory_xact_lock(hashtextextended($1, 0))');

export async function lockAccount(tx: PoolClient, accountId: string): Promise<void> {
  await tx.query(takeAccountLock([`account:${accountId}`]));
}

export interface AccountStateRow {
  account_id: string;
  version: number;
  as_of: Date;
  status: AccountState['status'];
  balance: number;
  currency: string;
}

export const toAccountState = (r: AccountStateRow): AccountState => ({
  accountId: r.account_id,
  version: r.version,
  asOf: r.as_of.toISOString(),
  status: r.status,
  balance: r.balance,
  currency: r.currency,
});

const selectAccountState = prepared(
  'account-state',
  'select account_id, version, as_of, status, balance, currency from account_states where account_id = $1',
);

export async function readAccountState(db: Pool | PoolClient, accountId: string): Promise<AccountState | undefined> {
  const { rows } = await db.query<AccountStateRow>(selectAccountState([accountId]));
  return rows[0] && toAccountState(rows[0]);
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
