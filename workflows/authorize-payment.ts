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
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  setWorkflowOptions,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { DatabaseActivities, GatewayActivities, ReserveFundsResult } from '../activities';
import { gatewayAttemptTimeoutMs } from '../contracts/gateway-timeouts';
import type { AccountState, DecidedBy, DecisionReason, Override, PaymentDecided } from '../contracts/payment';
import { isFresh, judgeArrival } from './account-state-verdict';
import { currentDetails } from './current-details';
import { PaymentIdKey, PaymentStatusKey } from './search-attributes';
import {
  accountStateSignal,
  GATEWAY_REJECTED,
  overrideSignal,
  statusQuery,
  type AuthorizePaymentInput,
  type PaymentOutcome,
  type PaymentState,
  type PaymentStatus,
} from './shared';

/** The patch that applies a decline override received while AUTHORIZING (earlier workflows ignored it). */
const DECLINE_WHILE_AUTHORIZING = 'decline-while-authorizing';
/**
 * The patch that runs the database steps as local activities and takes its search attributes from its start
 * (earlier workflows ran them as activities and upserted every attribute).
 */
const LOCAL_DATABASE_STEPS = 'local-database-steps';
/** The patch that records entering review in the timeline (earlier workflows entered it without a step). */
const REVIEW_TIMELINE_ROW = 'review-timeline-row';

/*
 * Each proxy is typed to the activities it may call, no more: the database steps cannot reach the gateway,
 * and the gateway call's budget and retries cover nothing else.
 */
// Database work must happen eventually: retried without limit, visible in the Web UI while it fails.
const databaseRetry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;
const db = proxyActivities<DatabaseActivities>({ startToCloseTimeout: '10s', retry: databaseRetry });
/**
 * The same steps in the workflow task itself: no task queue round trip, a marker in history. A local
 * activity may run again if its task is lost, and the saga may then take another path (signals come first
 * in the retried task): the database keeps the first decision, and the saga adopts it.
 */
const localDb = proxyLocalActivities<DatabaseActivities>({ startToCloseTimeout: '10s', retry: databaseRetry });

export async function authorizePayment({ payment, policy, revision = 0 }: AuthorizePaymentInput): Promise<PaymentOutcome> {
  const { paymentId, accountId, merchantId, amount, currency } = payment;
  /** Whether this saga runs the change `patch` names: by its revision, else (recorded before revisions) by its marker. */
  const runs = (since: number, patch: string) => revision >= since || patched(patch);
  // The gateway gets a bounded budget (then the saga compensates); compensation itself never gives up.
  const gatewayAttemptMs = gatewayAttemptTimeoutMs(policy.gatewayRequestTimeoutMs);
  const gateway = proxyActivities<Pick<GatewayActivities, 'authorizeAtGateway'>>({
    startToCloseTimeout: gatewayAttemptMs,
    scheduleToCloseTimeout: policy.gatewayRetryBudgetMs,
    retry: {
      initialInterval: '500ms',
      backoffCoefficient: 2,
      maximumInterval: '10s',
      nonRetryableErrorTypes: [GATEWAY_REJECTED],
    },
  });
  // releaseFunds here: histories recorded before LOCAL_DATABASE_STEPS released the funds with these options.
  const compensation = proxyActivities<Pick<GatewayActivities, 'voidAtGateway'> & Pick<DatabaseActivities, 'releaseFunds'>>({
    startToCloseTimeout: gatewayAttemptMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  });

  // Decided here, in the first workflow task, for the whole run: histories recorded before replay as they were.
  const localSteps = runs(1, LOCAL_DATABASE_STEPS);
  const steps = localSteps ? localDb : db;
  const releaseFunds = localSteps ? localDb.releaseFunds : compensation.releaseFunds;

  const requestedAt = Date.parse(payment.requestedAt);
  let state: PaymentState = 'RECEIVED';
  let account: AccountState | undefined;
  let override: Override | undefined;
  /** A decline received while AUTHORIZING: applied once the gateway call returns, if that call authorized. */
  let declineWhileAuthorizing: Override | undefined;
  let outcome: PaymentOutcome | undefined;
  let deadline: number | undefined;
  const overridesSeen = new Set<string>();
  /** What the rules reserved in the saga's first step (revision 2), when the account's state was fresh then. */
  let rulesReservation: ReserveFundsResult | undefined;

  const setState = (next: PaymentState) => {
    state = next;
    // One upsert per transition; none when the start set this status already.
    if (!localSteps || workflowInfo().typedSearchAttributes.get(PaymentStatusKey) !== next)
      upsertSearchAttributes([{ key: PaymentStatusKey, value: next }]);
    // The decision, through the SDK's sink (not replayed): one line per payment; the states between are in the Web
    // UI and the timeline. A line per transition cost a sink call each (docs/performance.md).
    if (next === 'AUTHORIZED' || next === 'DECLINED') log.info('payment state', { paymentId, state: next });
    showDetails();
  };
  const fresh = () => isFresh(account, payment.requestedAt);
  const undecided = () => state === 'RECEIVED' || state === 'AWAITING_ACCOUNT_STATE' || state === 'PENDING_REVIEW';
  const status = (): PaymentStatus => ({
    paymentId,
    accountId,
    state,
    deadline: deadline === undefined ? undefined : new Date(deadline).toISOString(),
    waitingFor: undecided() && !fresh() ? { accountId, asOfAtLeast: payment.requestedAt } : undefined,
    accountState: account,
    override,
    outcome,
  });
  /**
   * What the Web UI shows as the saga's current details, renewed on every change the status query would show.
   * Kept in the workflow's memory and read by the SDK's metadata query: no command, so histories replay as before.
   */
  const showDetails = () => setCurrentDetails(currentDetails(status(), policy.timeoutPolicy));

  /** Keeps the newest snapshot of this account: older and duplicate versions change nothing. */
  const applyAccountState = (s: AccountState) => {
    if (!judgeArrival(s, accountId, account).kept) return;
    account = s;
    showDetails();
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
      runs(1, DECLINE_WHILE_AUTHORIZING)
    ) {
      declineWhileAuthorizing = o;
      await condition(() => outcome !== undefined);
      await steps.recordOverride({ paymentId, override: o, outcome: override === o ? 'applied' : 'ignored_already_decided' });
      return;
    }
    const applied = undecided() && override === undefined;
    if (applied) override = o;
    showDetails();
    await steps.recordOverride({ paymentId, override: o, outcome: applied ? 'applied' : 'ignored_already_decided' });
  });
  setHandler(statusQuery, status);

  /** Waits until ready() or the deadline (a durable timer); true when ready() holds. */
  const waitUntil = async (ready: () => boolean, until: number): Promise<boolean> => {
    if (ready()) return true;
    const remaining = until - Date.now();
    return remaining > 0 && (await condition(ready, remaining));
  };

  /** The recorded decision stands (see localDb): normally this saga's own, else one an earlier attempt recorded. */
  const adopt = (recorded: PaymentDecided) => {
    if (recorded.decision !== outcome?.decision || recorded.reason !== outcome.reason)
      log.warn('adopting the decision recorded before', { paymentId, decision: recorded.decision, reason: recorded.reason });
    const { decision, reason, decidedBy, gatewayAuthorizationId, exceededAvailableFunds, decidedAt } = recorded;
    outcome = {
      paymentId,
      decision,
      reason,
      decidedBy,
      ...(gatewayAuthorizationId === undefined ? {} : { gatewayAuthorizationId }),
      ...(exceededAvailableFunds === undefined ? {} : { exceededAvailableFunds }),
      decidedAt,
    };
    if (state !== recorded.decision) setState(recorded.decision);
    else showDetails();
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
    const recorded = await steps.recordDecision({
      eventId: uuid4(),
      event: { ...outcome, accountId, merchantId, amount, currency },
      requestedAt: payment.requestedAt,
    });
    if (localSteps) adopt(recorded);
    await condition(allHandlersFinished); // an override being audited finishes before the workflow closes
    return outcome;
  };

  const authorize = async (decidedBy: DecidedBy): Promise<PaymentOutcome> => {
    setState('AUTHORIZING');
    const forced = decidedBy === 'operator';
    // What the first step reserved stands, unless an operator now forces a hold the rules refused.
    const reservation =
      rulesReservation && (rulesReservation.reserved || !forced)
        ? rulesReservation
        : await steps.reserveFunds({ paymentId, accountId, amount, currency, snapshot: account, force: forced });
    if (!reservation.reserved) return finish({ decision: 'DECLINED', reason: reservation.reason, decidedBy });
    let response;
    try {
      response = await gateway.authorizeAtGateway({ paymentId, accountId, merchantId, amount, currency });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      // The gateway may have authorized and lost its answer: void first, then release the funds.
      log.warn('gateway failed past its retry budget; compensating', { paymentId, error: err.cause?.message });
      await compensation.voidAtGateway({ paymentId });
      await releaseFunds({ paymentId, reason: 'GATEWAY_UNAVAILABLE' });
      return finish({ decision: 'DECLINED', reason: 'GATEWAY_UNAVAILABLE', decidedBy });
    }
    if (response.status === 'declined') {
      await releaseFunds({ paymentId, reason: 'GATEWAY_DECLINED' });
      return finish({ decision: 'DECLINED', reason: 'GATEWAY_DECLINED', decidedBy });
    }
    // Before undoing an authorization: was it recorded already, by a lost task that had not seen this decline?
    if (declineWhileAuthorizing && !(localSteps && (await localDb.recordedDecision({ paymentId })))) {
      override = declineWhileAuthorizing;
      await compensation.voidAtGateway({ paymentId });
      await releaseFunds({ paymentId, reason: 'OPERATOR_DECLINED' });
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

  // Starters set these at start (temporal/start-payment.ts); a start without them gets them here.
  if (!localSteps || workflowInfo().typedSearchAttributes.get(PaymentIdKey) === undefined) {
    upsertSearchAttributes([{ key: PaymentIdKey, value: paymentId }]);
  }
  setState('AWAITING_ACCOUNT_STATE');
  const waitDeadline = requestedAt + policy.accountStateDeadlineMs;
  // The deadline is for the timeline only; a replay does not compare an activity's input, so histories recorded
  // without it replay as they were.
  const waiting = { paymentId, accountId, requestedAt: payment.requestedAt, deadline: new Date(waitDeadline).toISOString() };
  if (revision >= 2 && override === undefined) {
    // One step where there were two: with fresh state recorded, the rules reserve at once (rulesReservation);
    // otherwise the payment registers its wait. An override that came with the start takes the steps apart.
    const begun = await localDb.beginOrReserve({ ...waiting, amount, currency });
    if (begun.state) applyAccountState(begun.state);
    rulesReservation = begun.reservation;
  } else {
    const recorded = await steps.beginWaiting(waiting);
    if (recorded) applyAccountState(recorded);
  }

  const decidable = () => fresh() || override !== undefined;
  deadline = waitDeadline;
  showDetails();
  if (!(await waitUntil(decidable, deadline))) {
    if (policy.timeoutPolicy === 'decline')
      return finish({ decision: 'DECLINED', reason: 'ACCOUNT_STATE_TIMEOUT', decidedBy: 'timeout' });
    setState('PENDING_REVIEW');
    deadline = Date.now() + policy.reviewDeadlineMs;
    showDetails();
    // The review queue and the payment's stream show the review from this row; histories recorded before it
    // entered review without the step, and replay so.
    if (runs(1, REVIEW_TIMELINE_ROW))
      await steps.beginReview({ paymentId, deadline: new Date(deadline).toISOString(), timeoutPolicy: policy.timeoutPolicy });
    if (!(await waitUntil(decidable, deadline)))
      return finish({ decision: 'DECLINED', reason: 'REVIEW_EXPIRED', decidedBy: 'timeout' });
  }
  deadline = undefined;
  if (override?.decision === 'decline')
    return finish({ decision: 'DECLINED', reason: 'OPERATOR_DECLINED', decidedBy: 'operator' });
  return authorize(override ? 'operator' : 'rules');
}

/**
 * PINNED: a saga runs to its end on the worker build it started on. It waits minutes for account state and a day
 * in review; replaying that wait on changed code is exactly what breaks a saga when a change is not guarded with
 * `patched()`, and AUTO_UPGRADE would do that replay at the first task after a deploy. A build is therefore kept
 * running until its last saga closes (docs/runbook.md, Deploy a new saga version); fixes that must reach waiting
 * sagas are made replay-safe with `patched()` and moved with `temporal workflow update-options`. Declared on a
 * versioned worker only: an unversioned one (WORKER_VERSIONING=off, the time-skipping tests) refuses a workflow
 * that names a behaviour.
 */
setWorkflowOptions(
  () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {}),
  authorizePayment,
);
