/** Funds: waiting for account state, reserving and releasing funds, atomically per account (DESIGN.md §4, §5). */
import type { AccountState, DecisionReason } from '../contracts/payment';
import { lockAccount, readAccountState, recordAccountState } from '../db/accounts';
import { beginWaiting, endWaiting } from '../db/payment-waits';
import { appendTimelineRowOnce } from '../db/payment-timeline';
import { withTransaction, type Pool } from '../db/pool';
import { holdFunds, releaseReservation, reservationFacts, reservedNotReflected } from '../db/reservations';
import { paymentDecidedSchema } from '../contracts/payment';
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

export interface BeginOrReserveInput extends BeginWaitingInput {
  amount: number;
  currency: string;
}

/** The account's newest recorded state, if any; and, when it was fresh, what the rules reserved on it. */
export interface BeginOrReserveResult {
  state?: AccountState;
  reservation?: ReserveFundsResult;
}

const isFreshFor = (state: AccountState | undefined, requestedAt: string): boolean =>
  state !== undefined && Date.parse(state.asOf) >= Date.parse(requestedAt);

type Tx = Parameters<Parameters<typeof withTransaction>[1]>[0];
type Facts = Awaited<ReturnType<typeof reservationFacts>>;

/**
 * Registers the payment as waiting (under the account lock, held by the caller) and returns the newest recorded
 * state; the timeline shows the wait when there is one to show.
 */
async function registerWait(tx: Tx, { paymentId, accountId, requestedAt, deadline }: BeginWaitingInput) {
  const latest = await beginWaiting(tx, { paymentId, accountId, asOfAtLeast: requestedAt });
  if (!isFreshFor(latest, requestedAt))
    await appendTimelineRowOnce(tx, {
      paymentId,
      status: 'AWAITING_ACCOUNT_STATE',
      detail: { asOfAtLeast: requestedAt, ...(latest && { latestAsOf: latest.asOf }), ...(deadline && { deadline }) },
    });
  return latest;
}

/**
 * The rules applied to the newest snapshot and, if they allow it (or an operator forces it), the amount held, from
 * the facts read under the account lock (held by the caller). Idempotent by payment id: a retry returns the first
 * outcome.
 */
async function reserveWithFacts(tx: Tx, input: ReserveFundsInput, facts: Facts): Promise<ReserveFundsResult> {
  const { paymentId, accountId, amount, currency, snapshot, force } = input;
  // Decided already, by an earlier attempt of this workflow task whose path the saga has since left:
  // reserve nothing, and let the saga adopt the recorded decision.
  if (facts.decided) return { reserved: false, reason: paymentDecidedSchema.parse(facts.decided).reason, available: 0 };
  if (facts.reservation) {
    const { status, forced, releaseReason } = facts.reservation;
    return status === 'released'
      ? {
          reserved: false,
          reason: releaseReason && releaseReason !== 'REFLECTED_IN_SNAPSHOT' ? releaseReason : 'INSUFFICIENT_FUNDS',
          available: 0,
        }
      : { reserved: true, available: 0, exceededAvailableFunds: forced };
  }
  // The saga's snapshot, when it is newer than the recorded one (a signal the bridge had not recorded): it stands.
  let latest = facts.latest;
  if (snapshot && snapshot.accountId === accountId && (!latest || snapshot.version > latest.version)) {
    await recordAccountState(tx, snapshot);
    latest = snapshot;
  }
  const held = await reservedNotReflected(tx, accountId, latest?.asOf ?? null, latest?.currency ?? currency);
  const rules = applyRules({ amount, currency, snapshot: latest, reservedNotReflected: held });
  // From here the payment decides on the recorded state: no account state can change that, so the bridge stops
  // signalling it (the hold ends its wait in the same statement).
  if (!rules.approved && !force) {
    await endWaiting(tx, paymentId);
    return { reserved: false, reason: rules.reason, available: rules.available };
  }
  await holdFunds(tx, { paymentId, accountId, amount, currency, forced: !rules.approved });
  return { reserved: true, available: rules.available, exceededAvailableFunds: !rules.approved };
}

export function createFundsActivities({ pool }: { pool: Pool }) {
  return {
    /**
     * Registers the payment as waiting for its account's state and returns the newest recorded state, in one
     * transaction under the account lock, so an update recorded at any moment either is returned here or
     * sees this payment waiting (the bridge signals it). DESIGN.md §5.
     */
    async beginWaiting({ paymentId, accountId, requestedAt, deadline }: BeginWaitingInput): Promise<AccountState | undefined> {
      // Fresh state recorded already (most payments): the saga decides at once and waits for nothing, so there is no
      // wait to register, and a read outside any lock is enough: that state is committed, and reserveFunds decides
      // on the newest one under the account lock anyway. One statement instead of a transaction of four.
      const recorded = await readAccountState(pool, accountId);
      if (recorded && isFreshFor(recorded, requestedAt)) return recorded;
      return withTransaction(pool, async (tx) => {
        await lockAccount(tx, accountId);
        return registerWait(tx, { paymentId, accountId, requestedAt, deadline });
      });
    },

    /**
     * The saga's first step (revision 2, workflows/shared.ts): when the account's recorded state is fresh enough to
     * decide on, the rules are applied and the amount held at once, as reserveFunds does; otherwise the payment
     * registers its wait, as beginWaiting does. One transaction under the account lock either way, and one local
     * activity where a payment with fresh state took two.
     */
    async beginOrReserve(input: BeginOrReserveInput): Promise<BeginOrReserveResult> {
      const { paymentId, accountId, requestedAt, amount, currency } = input;
      return withTransaction(pool, async (tx) => {
        await lockAccount(tx, accountId);
        const facts = await reservationFacts(tx, paymentId, accountId);
        if (isFreshFor(facts.latest, requestedAt)) {
          // As reserveFunds answers: an earlier attempt's decision or reservation stands, else the rules decide.
          const reservation = await reserveWithFacts(tx, { paymentId, accountId, amount, currency, force: false }, facts);
          return { ...(facts.latest ? { state: facts.latest } : {}), reservation };
        }
        const state = await registerWait(tx, input);
        return state ? { state } : {};
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
      return withTransaction(pool, async (tx) => {
        await lockAccount(tx, input.accountId);
        return reserveWithFacts(tx, input, await reservationFacts(tx, input.paymentId, input.accountId));
      });
    },

    /** Compensation: releases a payment's hold. Idempotent: releasing twice, or nothing, is fine. */
    async releaseFunds({ paymentId, reason }: { paymentId: string; reason: DecisionReason }): Promise<boolean> {
      return releaseReservation(pool, paymentId, reason);
    },
  };
}
