/** Starting a payment saga: the one place that maps a payment request and the configuration to a workflow start. */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Config } from '../config';
import { formatMinorUnits } from '../contracts/money';
import type { PaymentRequest } from '../contracts/payment';
import type { authorizePayment } from '../workflows';
import { initialSearchAttributes } from '../workflows/search-attributes';
import { paymentWorkflowId, SAGA_REVISION, type AuthorizePaymentInput, type SagaPolicy } from '../workflows/shared';

export function sagaPolicy(config: Config): SagaPolicy {
  return {
    accountStateDeadlineMs: config.saga.accountStateDeadlineMs,
    timeoutPolicy: config.saga.timeoutPolicy,
    reviewDeadlineMs: config.saga.reviewDeadlineMs,
    gatewayRequestTimeoutMs: config.gateway.requestTimeoutMs,
    gatewayRetryBudgetMs: config.gateway.retryBudgetMs,
  };
}

/** The saga's input: the payment, its policy, and the revision of the saga this code starts (workflows/shared.ts). */
export const sagaInput = (payment: PaymentRequest, policy: SagaPolicy): AuthorizePaymentInput => ({
  payment,
  policy,
  revision: SAGA_REVISION,
});

/**
 * What the Temporal Web UI and CLI show of a saga besides its id: a one-line summary that names the payment
 * in its row ("12.50 EUR · acc-1 → m-1"), and fixed details. The saga keeps its current details itself.
 * It names the account and the amount, so it is a payload like any other: the codec seals it (temporal/codec.ts), and
 * only a reader with the codec endpoint sees it in clear (docs/security.md).
 */
export function sagaMetadata(payment: PaymentRequest, policy: SagaPolicy): { staticSummary: string; staticDetails: string } {
  const then = policy.timeoutPolicy === 'decline' ? 'then declines' : `then waits ${policy.reviewDeadlineMs / 1000} s for review`;
  return {
    staticSummary: `${formatMinorUnits(payment.amount, payment.currency)} · ${payment.accountId} → ${payment.merchantId}`,
    staticDetails: [
      `payment ${payment.paymentId}, requested at ${payment.requestedAt}`,
      `waits up to ${policy.accountStateDeadlineMs / 1000} s for account state, ${then}`,
    ].join('\n'),
  };
}

/**
 * Temporal refused a start because the workflow id is taken (with REJECT_DUPLICATE: also by a closed run).
 * By name as well as by class: an error thrown through another copy of the SDK's modules is not an instance.
 */
export function isAlreadyStarted(err: unknown): boolean {
  return (
    err instanceof WorkflowExecutionAlreadyStartedError ||
    (err as Error | undefined)?.name === 'WorkflowExecutionAlreadyStartedError'
  );
}

/**
 * Starts the payment's workflow, or returns the one that exists: a duplicate request (redelivery, retry) is a
 * no-op, including after the first has closed, since a payment id is never decided twice.
 */
export async function startPayment(
  client: Client,
  opts: {
    payment: PaymentRequest;
    policy: SagaPolicy;
    taskQueue: string;
    /** Ask Temporal to hand the first workflow task to this client's worker (temporal/local-worker.ts). */
    eager?: boolean;
  },
): Promise<WorkflowHandle<typeof authorizePayment>> {
  const workflowId = paymentWorkflowId(opts.payment.paymentId);
  try {
    return await client.workflow.start<typeof authorizePayment>('authorizePayment', {
      workflowId,
      taskQueue: opts.taskQueue,
      args: [sagaInput(opts.payment, opts.policy)],
      typedSearchAttributes: initialSearchAttributes(opts.payment),
      ...sagaMetadata(opts.payment, opts.policy),
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      ...(opts.eager ? { requestEagerStart: true } : {}),
    });
  } catch (err) {
    if (isAlreadyStarted(err)) return client.workflow.getHandle(workflowId);
    throw err;
  }
}
