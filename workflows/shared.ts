/**
 * What clients of the payment workflow share with it: its id, input, signals, query and states. Safe to
 * import from workflow code and from clients alike (no I/O).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AccountState, DecidedBy, Decision, DecisionReason, Override, PaymentRequest } from '../contracts/payment';

export const paymentWorkflowId = (paymentId: string) => `payment-${paymentId}`;

export const PAYMENT_STATES = [
  'RECEIVED',
  'AWAITING_ACCOUNT_STATE',
  'PENDING_REVIEW',
  'AUTHORIZING',
  'AUTHORIZED',
  'DECLINED',
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** Policy of one saga, fixed at its start (defaults come from configuration, never read by the workflow). */
export interface SagaPolicy {
  /** How long after requestedAt the payment waits for fresh account state. */
  accountStateDeadlineMs: number;
  /** At that deadline: decline (ACCOUNT_STATE_TIMEOUT), or wait in PENDING_REVIEW for an operator. */
  timeoutPolicy: 'decline' | 'review';
  /** How long PENDING_REVIEW lasts before REVIEW_EXPIRED. */
  reviewDeadlineMs: number;
  /** One gateway call, and the whole retry budget before the saga compensates and declines. */
  gatewayRequestTimeoutMs: number;
  gatewayRetryBudgetMs: number;
}

/**
 * The revision of the saga that starters ask for. A revision stands for every change to the saga's commands made
 * since recorded histories began: a saga started with one runs them all without asking `patched()`, which on every new
 * workflow records a marker and upserts the TemporalChangeVersion search attribute (one more event and one more
 * visibility write per patch, per payment: docs/performance.md). A saga started without one (histories recorded
 * before revisions, starters of older code) decides by its patch markers, as it always has. Worker Versioning keeps a
 * saga on the build it started on; the revision is what lets recorded histories of every earlier shape still replay
 * on this code without a marker in each new one.
 *
 * 1: the database steps as local activities, a decline received while AUTHORIZING applied, the review's timeline
 *    row (the patches local-database-steps, decline-while-authorizing and review-timeline-row).
 * 2: the first step reserves at once when the account's recorded state is fresh (beginOrReserve), one local activity
 *    where there were two (beginWaiting, then reserveFunds).
 */
export const SAGA_REVISION = 2;

export interface AuthorizePaymentInput {
  payment: PaymentRequest;
  policy: SagaPolicy;
  /** SAGA_REVISION when the starter set it; absent in histories recorded before revisions. */
  revision?: number;
}

export interface PaymentOutcome {
  paymentId: string;
  decision: Decision;
  reason: DecisionReason;
  decidedBy: DecidedBy;
  gatewayAuthorizationId?: string;
  exceededAvailableFunds?: boolean;
  decidedAt: string;
}

export interface PaymentStatus {
  paymentId: string;
  accountId: string;
  state: PaymentState;
  /** When the current wait ends (account state, or review), if the payment is waiting. */
  deadline?: string;
  /** The freshness it waits for: account state with asOf at or after this instant. */
  waitingFor?: { accountId: string; asOfAtLeast: string };
  /** The newest account state it has received. */
  accountState?: AccountState;
  override?: Override;
  outcome?: PaymentOutcome;
}

/** A snapshot from the legacy feed; its version is its id for deduplication. */
export const accountStateSignal = defineSignal<[AccountState]>('accountState');
/** An operator's approve or decline; its signalId is its id for deduplication. */
export const overrideSignal = defineSignal<[Override]>('override');
export const statusQuery = defineQuery<PaymentStatus>('status');

/** The error type of a gateway 4xx that retrying cannot fix (thrown by the activity, not retried). */
export const GATEWAY_REJECTED = 'GatewayRejectedRequest';
/** The error type of an authorization attempt that met its payment's key voided (thrown, not retried). */
export const GATEWAY_VOIDED = 'GatewayKeyVoided';
