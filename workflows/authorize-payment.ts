/**
 * authorizePayment: one durable saga per payment (DESIGN.md §4).
 *
 *   RECEIVED → AWAITING_ACCOUNT_STATE → (PENDING_REVIEW) → AUTHORIZING → AUTHORIZED | DECLINED
 *
 * It waits with timers for account state fresh enough to decide on (asOf >= requestedAt), applies the timeout
 * policy, takes at most one operator override, then reserves funds, authorizes at the gateway and records
 * the decision. A failure after the reservation is compensated (void at the gateway, release the funds) and
 * the payment is declined: business outcomes never fail the workflow. An operator's decline that arrives
 * during AUTHORIZING is compensated the same way once the gateway call returns authorized; an approval then
 * changes nothing. The history has no loop, so its size is the same for every payment on a given path.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { gatewayAttemptTimeoutMs } from '../contracts/gateway-timeouts';
import type { AccountState, DecidedBy, DecisionReason, Override } from '../contracts/payment';
import { AccountIdKey, PaymentIdKey, PaymentStatusKey } from './search-attributes';
import {
  accountStateSignal,
  GATEWAY_REJECTED,
  overrideSignal,
  statusQuery,
  type AuthorizePaymentInput,
  type PaymentOutcome,
  type PaymentState,
} from './shared';

/** The patch that applies a decline override received while AUTHORIZING (earlier workflows ignored it). */
const DECLINE_WHILE_AUTHORIZING = 'decline-while-authorizing';

// Database work must happen eventually: retried without limit, visible in the Web UI while it fails.
const db = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

export async function authorizePayment({ payment, policy }: AuthorizePaymentInput): Promise<PaymentOutcome> {
  const { paymentId, accountId, merchantId, amount, currency } = payment;
  // The gateway gets a bounded budget (then the saga compensates); compensation itself never gives up.
  const gatewayAttemptMs = gatewayAttemptTimeoutMs(policy.gatewayRequestTimeoutMs);
  const gateway = proxyActivities<Activities>({
    startToCloseTimeout: gatewayAttemptMs,
    scheduleToCloseTimeout: policy.gatewayRetryBudgetMs,
    retry: {
      initialInterval: '500ms',
      backoffCoefficient: 2,
      maximumInterval: '10s',
      nonRetryableErrorTypes: [GATEWAY_REJECTED],
    },
  });
  const compensation = proxyActivities<Activities>({
    startToCloseTimeout: gatewayAttemptMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  });

  const requestedAt = Date.parse(payment.requestedAt);
  let state: PaymentState = 'RECEIVED';
  let account: AccountState | undefined;
  let override: Override | undefined;
  /** A decline received while AUTHORIZING: applied once the gateway call returns, if that call authorized. */
  let declineWhileAuthorizing: Override | undefined;
  let outcome: PaymentOutcome | undefined;
  let deadline: number | undefined;
  const overridesSeen = new Set<string>();

  const setState = (next: PaymentState) => {
    state = next;
    upsertSearchAttributes([{ key: PaymentStatusKey, value: next }]);
    // Through the SDK's sink (not replayed), one line per transition: an operator follows a payment in the logs.
    log.info('payment state', { paymentId, state: next });
  };
  const fresh = () => account !== undefined && Date.parse(account.asOf) >= requestedAt;
  const undecided = () => state === 'RECEIVED' || state === 'AWAITING_ACCOUNT_STATE' || state === 'PENDING_REVIEW';

  /** Keeps the newest snapshot of this account: older and duplicate versions change nothing. */
  const applyAccountState = (s: AccountState) => {
    if (s.accountId !== accountId || (account !== undefined && s.version <= account.version)) return;
    account = s;
  };

  setHandler(accountStateSignal, applyAccountState);
  setHandler(overrideSignal, async (o) => {
    if (overridesSeen.has(o.signalId)) return; // Temporal does not deduplicate signals; we do, by signal id
    overridesSeen.add(o.signalId);
    // A payment not yet decided can still be declined while the gateway is called: the saga undoes the
    // authorization once the call returns, and audits what happened then. Histories recorded before this
    // ignored such a decline, and replay as they were (patched).
    if (
      state === 'AUTHORIZING' &&
      o.decision === 'decline' &&
      override === undefined &&
      declineWhileAuthorizing === undefined &&
      patched(DECLINE_WHILE_AUTHORIZING)
    ) {
      declineWhileAuthorizing = o;
      await condition(() => outcome !== undefined);
      await db.recordOverride({ paymentId, override: o, outcome: override === o ? 'applied' : 'ignored_already_decided' });
      return;
    }
    const applied = undecided() && override === undefined;
    if (applied) override = o;
    await db.recordOverride({ paymentId, override: o, outcome: applied ? 'applied' : 'ignored_already_decided' });
  });
  setHandler(statusQuery, () => ({
    paymentId,
    accountId,
    state,
    deadline: deadline === undefined ? undefined : new Date(deadline).toISOString(),
    waitingFor: undecided() && !fresh() ? { accountId, asOfAtLeast: payment.requestedAt } : undefined,
    accountState: account,
    override,
    outcome,
  }));

  /** Waits until ready() or the deadline (a durable timer); true when ready() holds. */
  const waitUntil = async (ready: () => boolean, until: number): Promise<boolean> => {
    if (ready()) return true;
    const remaining = until - Date.now();
    return remaining > 0 && (await condition(ready, remaining));
  };

  const finish = async (decided: {
    decision: PaymentOutcome['decision'];
    reason: DecisionReason;
    decidedBy: DecidedBy;
    gatewayAuthorizationId?: string;
    exceededAvailableFunds?: boolean;
  }): Promise<PaymentOutcome> => {
    deadline = undefined;
    outcome = { paymentId, ...decided, decidedAt: new Date().toISOString() };
    setState(decided.decision);
    await db.recordDecision({
      eventId: uuid4(),
      event: { ...outcome, accountId, merchantId, amount, currency },
      requestedAt: payment.requestedAt,
    });
    await condition(allHandlersFinished); // an override being audited finishes before the workflow closes
    return outcome;
  };

  const authorize = async (decidedBy: DecidedBy): Promise<PaymentOutcome> => {
    setState('AUTHORIZING');
    const forced = decidedBy === 'operator';
    const reservation = await db.reserveFunds({ paymentId, accountId, amount, currency, snapshot: account, force: forced });
    if (!reservation.reserved) return finish({ decision: 'DECLINED', reason: reservation.reason, decidedBy });
    let response;
    try {
      response = await gateway.authorizeAtGateway({ paymentId, accountId, merchantId, amount, currency });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      // The gateway may have authorized and lost its answer: void first, then release the funds.
      log.warn('gateway failed past its retry budget; compensating', { paymentId, error: err.cause?.message });
      await compensation.voidAtGateway({ paymentId });
      await compensation.releaseFunds({ paymentId, reason: 'GATEWAY_UNAVAILABLE' });
      return finish({ decision: 'DECLINED', reason: 'GATEWAY_UNAVAILABLE', decidedBy });
    }
    if (response.status === 'declined') {
      await compensation.releaseFunds({ paymentId, reason: 'GATEWAY_DECLINED' });
      return finish({ decision: 'DECLINED', reason: 'GATEWAY_DECLINED', decidedBy });
    }
    if (declineWhileAuthorizing) {
      override = declineWhileAuthorizing;
      await compensation.voidAtGateway({ paymentId });
      await compensation.releaseFunds({ paymentId, reason: 'OPERATOR_DECLINED' });
      return finish({ decision: 'DECLINED', reason: 'OPERATOR_DECLINED', decidedBy: 'operator' });
    }
    return finish({
      decision: 'AUTHORIZED',
      reason: forced ? 'OPERATOR_APPROVED' : 'APPROVED',
      decidedBy,
      gatewayAuthorizationId: response.authorizationId,
      ...(reservation.exceededAvailableFunds ? { exceededAvailableFunds: true } : {}),
    });
  };

  upsertSearchAttributes([
    { key: PaymentIdKey, value: paymentId },
    { key: AccountIdKey, value: accountId },
  ]);
  setState('AWAITING_ACCOUNT_STATE');
  const recorded = await db.beginWaiting({ paymentId, accountId, requestedAt: payment.requestedAt });
  if (recorded) applyAccountState(recorded);

  const decidable = () => fresh() || override !== undefined;
  deadline = requestedAt + policy.accountStateDeadlineMs;
  if (!(await waitUntil(decidable, deadline))) {
    if (policy.timeoutPolicy === 'decline')
      return finish({ decision: 'DECLINED', reason: 'ACCOUNT_STATE_TIMEOUT', decidedBy: 'timeout' });
    setState('PENDING_REVIEW');
    deadline = Date.now() + policy.reviewDeadlineMs;
    if (!(await waitUntil(decidable, deadline)))
      return finish({ decision: 'DECLINED', reason: 'REVIEW_EXPIRED', decidedBy: 'timeout' });
  }
  deadline = undefined;
  if (override?.decision === 'decline')
    return finish({ decision: 'DECLINED', reason: 'OPERATOR_DECLINED', decidedBy: 'operator' });
  return authorize(override ? 'operator' : 'rules');
}
