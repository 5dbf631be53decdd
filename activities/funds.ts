/** Funds: waiting for account state, reserving and releasing funds, atomically per account (DESIGN.md §4, §5). */
import type { AccountState, DecisionReason } from '../contracts/payment';
import { lockAccount, readAccountState, recordAccountState } from '../db/accounts';
import { beginWaiting, endWaiting } from '../db/payment-waits';
import { appendTimelineRowOnce } from '../db/payment-timeline';
import { withTransaction, type Pool } from '../db/pool';
import {
  findReservation,
  holdFunds,
  releaseReflectedReservations,
  releaseReservation,
  reservedNotReflected,
} from '../db/reservations';
import { findRecordedDecision } from './outcome';
import { applyRules } from './rules';

export interface BeginWaitingInput {
  paymentId: string;
  accountId: string;
  requestedAt: string;
  /** When the wait ends (ISO), for the timeline; optional: sagas started before it was passed have none. */
  deadline?: string;
}

export interface BeginReviewInput {
  paymentId: string;
  /** When review ends (ISO) without an operator's decision. */
  deadline: string;
  timeoutPolicy: 'decline' | 'review';
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
    async beginWaiting({ paymentId, accountId, requestedAt, deadline }: BeginWaitingInput): Promise<AccountState | undefined> {
      return withTransaction(pool, async (tx) => {
        await lockAccount(tx, accountId);
        const latest = await beginWaiting(tx, { paymentId, accountId, asOfAtLeast: requestedAt });
        // The timeline (and a client's event stream) shows the wait only when there is one to show.
        if (!latest || Date.parse(latest.asOf) < Date.parse(requestedAt))
          await appendTimelineRowOnce(tx, {
            paymentId,
            status: 'AWAITING_ACCOUNT_STATE',
            detail: { asOfAtLeast: requestedAt, ...(latest && { latestAsOf: latest.asOf }), ...(deadline && { deadline }) },
          });
        return latest;
      });
    },

    /** The payment waits for an operator until `deadline`: the timeline (and the review queue) shows it, once. */
    async beginReview({ paymentId, deadline, timeoutPolicy }: BeginReviewInput): Promise<void> {
      await withTransaction(pool, (tx) =>
        appendTimelineRowOnce(tx, { paymentId, status: 'PENDING_REVIEW', detail: { deadline, timeoutPolicy } }),
      );
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
        // Decided already, by an earlier attempt of this workflow task whose path the saga has since left:
        // reserve nothing, and let the saga adopt the recorded decision.
        const decided = await findRecordedDecision(tx, paymentId);
        if (decided) return { reserved: false, reason: decided.reason, available: 0 };
        const existing = await findReservation(tx, paymentId);
        if (existing) {
          const { status, forced, releaseReason } = existing;
          return status === 'released'
            ? {
                reserved: false,
                reason: releaseReason && releaseReason !== 'REFLECTED_IN_SNAPSHOT' ? releaseReason : 'INSUFFICIENT_FUNDS',
                available: 0,
              }
            : { reserved: true, available: 0, exceededAvailableFunds: forced };
        }
        // From here the payment decides on the recorded state: no account state can change that, so the bridge
        // stops signalling it.
        await endWaiting(tx, paymentId);
        if (snapshot) await recordAccountState(tx, snapshot);
        const latest = await readAccountState(tx, accountId);
        if (latest) await releaseReflectedReservations(tx, latest);
        const held = await reservedNotReflected(tx, accountId, latest?.currency ?? currency);
        const rules = applyRules({ amount, currency, snapshot: latest, reservedNotReflected: held });
        if (!rules.approved && !force) return { reserved: false, reason: rules.reason, available: rules.available };
        await holdFunds(tx, { paymentId, accountId, amount, currency, forced: !rules.approved });
        return { reserved: true, available: rules.available, exceededAvailableFunds: !rules.approved };
      });
    },

    /** Compensation: releases a payment's hold. Idempotent: releasing twice, or nothing, is fine. */
    async releaseFunds({ paymentId, reason }: { paymentId: string; reason: DecisionReason }): Promise<boolean> {
      return releaseReservation(pool, paymentId, reason);
    },
  };
}
