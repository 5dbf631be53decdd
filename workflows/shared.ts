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

export interface AuthorizePaymentInput {
  payment: PaymentRequest;
  policy: SagaPolicy;
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
