/** Funds: waiting for account state, reserving and releasing funds, atomically per account (DESIGN.md §4, §5). */
import type { AccountState, DecisionReason } from '../contracts/payment';
import { lockAccount, readAccountState, recordAccountState } from '../db/accounts';
import { withTransaction, type Pool } from '../db/pool';
import { applyRules } from './rules';

export interface BeginWaitingInput {
  paymentId: string;
  accountId: string;
  requestedAt: string;
}

export interface ReserveFundsInput {
  paymentId: string;
  accountId: string;
  amount: number;
  currency: string;
  /** The newest snapshot the workflow has; the stored one is used instead when it is newer. */
  snapshot?: AccountState;
  /** An operator's approval: reserve even beyond the available funds, and say so. */
  force: boolean;
}

export type ReserveFundsResult =
  | { reserved: true; available: number; exceededAvailableFunds: boolean }
  | { reserved: false; reason: DecisionReason; available: number };

export function createFundsActivities({ pool }: { pool: Pool }) {
  return {
    /**
     * Registers the payment as waiting for its account's state and returns the newest recorded state, in one
     * transaction under the account lock, so an update recorded at any moment either is returned here or
     * sees this payment waiting (the bridge signals it). DESIGN.md §5.
     */
    async beginWaiting({ paymentId, accountId, requestedAt }: BeginWaitingInput): Promise<AccountState | undefined> {
      return withTransaction(pool, async (tx) => {
        await lockAccount(tx, accountId);
        await tx.query(
          `insert into payment_waits (payment_id, account_id, as_of_at_least) values ($1, $2, $3)
           on conflict (payment_id) do nothing`,
          [paymentId, accountId, requestedAt],
        );
        return readAccountState(tx, accountId);
      });
    },

    /**
     * Applies the rules to the newest snapshot and, if they allow it (or an operator forces it), holds the
     * amount, all under the account lock: concurrent payments on one account never jointly exceed what the
     * snapshot allows. Idempotent by payment id: a retry returns the first outcome.
     */
    async reserveFunds(input: ReserveFundsInput): Promise<ReserveFundsResult> {
      const { paymentId, accountId, amount, currency, snapshot, force } = input;
      return withTransaction(pool, async (tx) => {
        await lockAccount(tx, accountId);
        const existing = await tx.query<{ status: string; forced: boolean; release_reason: DecisionReason | null }>(
          'select status, forced, release_reason from reservations where payment_id = $1',
          [paymentId],
        );
        if (existing.rows[0]) {
          const { status, forced, release_reason } = existing.rows[0];
          return status === 'released'
            ? { reserved: false, reason: release_reason ?? 'INSUFFICIENT_FUNDS', available: 0 }
            : { reserved: true, available: 0, exceededAvailableFunds: forced };
        }
        if (snapshot) await recordAccountState(tx, snapshot);
        const latest = await readAccountState(tx, accountId);
        if (latest) {
          // Authorized holds that the snapshot already reflects in its balance stop counting.
          await tx.query(
            `update reservations set status = 'released', released_at = now(), release_reason = 'REFLECTED_IN_SNAPSHOT'
             where account_id = $1 and status = 'authorized' and authorized_at <= $2`,
            [accountId, latest.asOf],
          );
        }
        const { rows } = await tx.query<{ held: number }>(
          `select coalesce(sum(amount), 0)::bigint as held from reservations
           where account_id = $1 and status in ('held', 'authorized') and currency = $2`,
          [accountId, latest?.currency ?? currency],
        );
        const rules = applyRules({ amount, currency, snapshot: latest, reservedNotReflected: rows[0]!.held });
        if (!rules.approved && !force) return { reserved: false, reason: rules.reason, available: rules.available };
        await tx.query(
          `insert into reservations (payment_id, account_id, amount, currency, status, forced)
           values ($1, $2, $3, $4, 'held', $5)`,
          [paymentId, accountId, amount, currency, !rules.approved],
        );
        return { reserved: true, available: rules.available, exceededAvailableFunds: !rules.approved };
      });
    },

    /** Compensation: releases a payment's hold. Idempotent: releasing twice, or nothing, is fine. */
    async releaseFunds({ paymentId, reason }: { paymentId: string; reason: DecisionReason }): Promise<boolean> {
      const { rowCount } = await pool.query(
        `update reservations set status = 'released', released_at = now(), release_reason = $2
         where payment_id = $1 and status <> 'released'`,
        [paymentId, reason],
      );
      return rowCount === 1;
    },
  };
}
