/**
 * What a payment's saga did, read from its Temporal history: every account state it received (and whether the
 * saga used it, by the saga's own rule), its timers, its gateway calls and the overrides it was signalled.
 * Payloads and failures are decoded by the client's data converter, so a codec configured later still works.
 */
import { isGrpcServiceError, type Client } from '@temporalio/client';
import type { LoadedDataConverter } from '@temporalio/common';
import { decodeFromPayloadsAtIndex, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import type { AccountState, Override } from '../contracts/payment';
import { isFresh, judgeArrival, type IgnoredArrival } from '../workflows/account-state-verdict';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

export type SagaEntryKind = 'account-state' | 'timer' | 'gateway-call' | 'override-signal';
export interface SagaEntry {
  at: string;
  kind: SagaEntryKind;
  source: 'saga';
  title: string;
  detail: Record<string, unknown>;
}
export type SagaHistory = { status: 'available'; entries: SagaEntry[] } | { status: 'unavailable'; reason: string };

/** Why an account state changed nothing: the saga's rule, or the state came too late or too stale. */
export type SagaVerdict =
  { verdict: 'used' } | { verdict: 'ignored'; why: IgnoredArrival | 'not-fresh' | 'superseded' | 'after-decision' };

const WHY: Record<Exclude<SagaVerdict, { verdict: 'used' }>['why'], string> = {
  'another-account': "another account's state",
  'duplicate-version': 'a version the saga already had',
  'older-version': 'older than the version the saga had',
  'not-fresh': 'not fresh enough: asOf before the payment was requested',
  superseded: 'a newer version arrived before the saga decided',
  'after-decision': 'arrived after the saga stopped waiting',
};

/** The database steps that end the wait: the first one the saga schedules marks its decision. */
const DECIDING_STEPS = new Set(['reserveFunds', 'recordDecision']);
const GATEWAY_CALLS = new Set(['authorizeAtGateway', 'voidAtGateway']);
/** gRPC NOT_FOUND: no such workflow (never started, or removed after the namespace's retention). */
const NOT_FOUND = 5;

/** Milliseconds of a protobuf Timestamp or Duration (seconds a Long from gRPC, a number from JSON histories). */
const msOf = (t: { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined) =>
  (typeof t?.seconds === 'number' ? t.seconds : (t?.seconds?.toNumber() ?? 0)) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
const atOf = (e: HistoryEvent) => new Date(msOf(e.eventTime)).toISOString();
const idOf = (e: HistoryEvent) => Number(e.eventId);
const seconds = (d: temporal.api.history.v1.ITimerStartedEventAttributes['startToFireTimeout']) => msOf(d) / 1000;

interface Arrival {
  /** The workflow task that applied it (the id of its started event): a signal's next task, a marker's own. */
  task: number;
  at: string;
  state: AccountState;
  via: 'signal' | 'record';
}

/**
 * Replays the arrivals through the saga's rule (judgeArrival, isFresh), in the order the saga applied them.
 * `decisionTask`: the workflow task in which the saga stopped waiting (arrivals applied later change nothing).
 */
export function judgeArrivals(
  arrivals: readonly Pick<Arrival, 'task' | 'state'>[],
  payment: { accountId: string; requestedAt: string },
  decisionTask: number,
): SagaVerdict[] {
  const verdicts: SagaVerdict[] = [];
  let current: { index: number; state: AccountState } | undefined;
  arrivals.forEach((a, index) => {
    if (a.task > decisionTask) return void verdicts.push({ verdict: 'ignored', why: 'after-decision' });
    const judged = judgeArrival(a.state, payment.accountId, current?.state);
    if (!judged.kept) return void verdicts.push({ verdict: 'ignored', why: judged.why });
    if (current)
      verdicts[current.index] = {
        verdict: 'ignored',
        why: isFresh(current.state, payment.requestedAt) ? 'superseded' : 'not-fresh',
      };
    current = { index, state: a.state };
    verdicts.push({ verdict: 'used' });
  });
  // The state the saga held when it stopped waiting decided the payment only if it was fresh.
  if (current && !isFresh(current.state, payment.requestedAt)) verdicts[current.index] = { verdict: 'ignored', why: 'not-fresh' };
  return verdicts;
}

/** A local activity's type and result, from its marker (the SDK's core records both in the marker's details). */
async function localActivityOf(converter: LoadedDataConverter, e: HistoryEvent) {
  const a = e.markerRecordedEventAttributes;
  if (a?.markerName !== 'core_local_activity') return undefined;
  const data = await decodeFromPayloadsAtIndex<{
    activity_type?: string;
    complete_time?: { seconds: number; nanos: number } | null;
  }>(converter, 0, a.details?.data?.payloads);
  const result = a.details?.result?.payloads?.length
    ? await decodeFromPayloadsAtIndex<unknown>(converter, 0, a.details.result.payloads)
    : undefined;
  // When it completed: the marker itself is written only when its workflow task completes, which may be after
  // signals that arrived meanwhile (their events carry their arrival time).
  const completedAt = data?.complete_time ? new Date(msOf(data.complete_time)).toISOString() : atOf(e);
  return { activityType: data?.activity_type ?? '', result, completedAt };
}

/** The id of the workflow task in which the saga stopped waiting (its first deciding step), or Infinity. */
async function decisionTask(converter: LoadedDataConverter, events: HistoryEvent[]): Promise<number> {
  let lastTaskStarted = 0;
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) lastTaskStarted = idOf(e);
    const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
    const local = await localActivityOf(converter, e);
    if (DECIDING_STEPS.has(scheduled ?? local?.activityType ?? '')) return lastTaskStarted;
    // The first step of a saga of revision 2 decides when it reserved (the state was fresh).
    if (local?.activityType === 'beginOrReserve' && (local.result as { reservation?: unknown } | undefined)?.reservation)
      return lastTaskStarted;
  }
  return Infinity;
}

/** Account states in the order the saga applied them (event order: a task's signals come before its markers). */
async function accountStateArrivals(converter: LoadedDataConverter, events: HistoryEvent[]): Promise<Arrival[]> {
  const tasks = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED).map(idOf);
  const nextTask = (e: HistoryEvent) => tasks.find((t) => t > idOf(e)) ?? Infinity;
  /** Sagas started before the database steps ran as local activities read the record in an activity. */
  const beginWaitingActivities = new Set<number>();
  const arrivals: Arrival[] = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'beginWaiting') beginWaitingActivities.add(idOf(e));
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed && beginWaitingActivities.has(Number(completed.scheduledEventId))) {
      const state = await decodeFromPayloadsAtIndex<AccountState | undefined>(converter, 0, completed.result?.payloads);
      if (state) arrivals.push({ task: nextTask(e), at: atOf(e), state, via: 'record' });
    }
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName === 'accountState') {
      const state = await decodeFromPayloadsAtIndex<AccountState>(converter, 0, signal.input?.payloads);
      arrivals.push({ task: nextTask(e), at: atOf(e), state, via: 'signal' });
    }
    const local = await localActivityOf(converter, e);
    // What the account's record held when the saga began waiting (a state that arrived before the saga); a saga of
    // revision 2 reads it in its first step, beginOrReserve.
    const recordedState =
      local?.activityType === 'beginWaiting'
        ? (local.result as AccountState | undefined)
        : local?.activityType === 'beginOrReserve'
          ? (local.result as { state?: AccountState } | undefined)?.state
          : undefined;
    if (local && recordedState)
      arrivals.push({
        task: tasks.filter((t) => t < idOf(e)).at(-1) ?? 0,
        at: local.completedAt,
        state: recordedState,
        via: 'record',
      });
  }
  return arrivals;
}

/** Every account state the saga received, with the verdict of the saga's rule and why. */
async function accountStateEntries(
  converter: LoadedDataConverter,
  events: HistoryEvent[],
  payment: { accountId: string; requestedAt: string },
): Promise<SagaEntry[]> {
  const arrivals = await accountStateArrivals(converter, events);
  const verdicts = judgeArrivals(arrivals, payment, await decisionTask(converter, events));
  return arrivals.map((a, i) => {
    const v = verdicts[i]!;
    const { version, asOf, status, balance, currency, accountId } = a.state;
    return {
      at: a.at,
      kind: 'account-state',
      source: 'saga',
      title:
        `account state v${version} ${v.verdict}` +
        (v.verdict === 'ignored' ? `: ${WHY[v.why]}` : '') +
        (a.via === 'record' ? ' (recorded before the saga began waiting)' : ''),
      detail: {
        accountId,
        version,
        asOf,
        status,
        balance,
        currency,
        via: a.via,
        verdict: v.verdict,
        ...(v.verdict === 'ignored' ? { why: v.why } : {}),
      },
    };
  });
}

function timerEntries(events: HistoryEvent[]): SagaEntry[] {
  const entries: SagaEntry[] = [];
  for (const e of events) {
    const started = e.timerStartedEventAttributes;
    const fired = e.timerFiredEventAttributes;
    const cancelled = e.timerCanceledEventAttributes;
    if (started) {
      const after = seconds(started.startToFireTimeout);
      const firesAt = new Date(msOf(e.eventTime) + after * 1000).toISOString();
      entries.push({
        at: atOf(e),
        kind: 'timer',
        source: 'saga',
        title: `timer started: fires in ${after} s at ${firesAt}`,
        detail: { timerId: started.timerId, seconds: after, firesAt, state: 'started' },
      });
    } else if (fired || cancelled) {
      const timerId = (fired ?? cancelled)!.timerId;
      entries.push({
        at: atOf(e),
        kind: 'timer',
        source: 'saga',
        title: fired ? 'timer fired' : 'timer cancelled (the wait ended before it)',
        detail: { timerId, state: fired ? 'fired' : 'cancelled' },
      });
    }
  }
  return entries;
}

/** What a gateway call answered: an authorization or a decline (authorizeAtGateway), `voided` or `nothing to void`. */
const gatewayOutcome = (result: unknown): { title: string; detail: Record<string, unknown> } => {
  if (typeof result === 'string') return { title: result, detail: { status: result } };
  const r = (result ?? {}) as { status?: string; authorizationId?: string; code?: string };
  if (r.status === 'authorized')
    return { title: `authorized (${r.authorizationId})`, detail: { status: 'authorized', authorizationId: r.authorizationId } };
  if (r.status === 'declined') return { title: `declined (${r.code})`, detail: { status: 'declined', code: r.code } };
  return { title: String(r.status ?? 'completed'), detail: { status: r.status ?? null } };
};

/** Each gateway call: scheduled, the attempt that ended it (and the failure before it), its outcome. */
async function gatewayCallEntries(converter: LoadedDataConverter, events: HistoryEvent[]): Promise<SagaEntry[]> {
  const calls = new Map<number, string>();
  const attempts = new Map<number, number>();
  const entries: SagaEntry[] = [];
  const entry = (e: HistoryEvent, activityType: string, title: string, detail: Record<string, unknown>) =>
    entries.push({
      at: atOf(e),
      kind: 'gateway-call',
      source: 'saga',
      title: `${activityType} ${title}`,
      detail: { activityType, ...detail },
    });
  const failureMessage = async (failure: temporal.api.failure.v1.IFailure | null | undefined) =>
    (await decodeOptionalFailureToOptionalError(converter, failure))?.message;

  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled && GATEWAY_CALLS.has(scheduled.activityType?.name ?? '')) {
      calls.set(idOf(e), scheduled.activityType!.name!);
      entry(e, scheduled.activityType!.name!, 'scheduled', { state: 'scheduled', activityId: scheduled.activityId });
      continue;
    }
    const started = e.activityTaskStartedEventAttributes;
    const ended =
      e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    const activityType = calls.get(Number((started ?? ended)?.scheduledEventId ?? 0));
    if (!activityType) continue;
    if (started) {
      // The server records the attempt that ends the call, with the failure of the attempt before it.
      const attempt = started.attempt ?? 1;
      attempts.set(Number(started.scheduledEventId), attempt);
      if (attempt > 1) {
        const lastFailure = (await failureMessage(started.lastFailure)) ?? null;
        const last = lastFailure === null ? '' : ` (last: ${lastFailure})`;
        entry(e, activityType, `attempt ${attempt} started after ${attempt - 1} failed${last}`, {
          state: 'retried',
          attempt,
          lastFailure,
        });
      }
      continue;
    }
    const attempt = attempts.get(Number(ended!.scheduledEventId)) ?? null;
    if (e.activityTaskCompletedEventAttributes) {
      const result = await decodeFromPayloadsAtIndex<unknown>(
        converter,
        0,
        e.activityTaskCompletedEventAttributes.result?.payloads,
      );
      const outcome = gatewayOutcome(result);
      entry(e, activityType, `completed: ${outcome.title}`, { state: 'completed', attempt, ...outcome.detail });
    } else if (e.activityTaskFailedEventAttributes) {
      const message = await failureMessage(e.activityTaskFailedEventAttributes.failure);
      entry(e, activityType, `failed on attempt ${attempt}: ${message}`, { state: 'failed', attempt, failure: message ?? null });
    } else {
      const message = await failureMessage(e.activityTaskTimedOutEventAttributes!.failure);
      entry(e, activityType, `timed out: ${message}`, { state: 'timed-out', attempt, failure: message ?? null });
    }
  }
  return entries;
}

async function overrideSignalEntries(converter: LoadedDataConverter, events: HistoryEvent[]): Promise<SagaEntry[]> {
  const entries: SagaEntry[] = [];
  for (const e of events) {
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName !== 'override') continue;
    const { signalId, operator, decision, reason } = await decodeFromPayloadsAtIndex<Override>(
      converter,
      0,
      signal.input?.payloads,
    );
    entries.push({
      at: atOf(e),
      kind: 'override-signal',
      source: 'saga',
      title: `override signalled: ${decision} by ${operator}`,
      detail: { signalId, operator, decision, reason },
    });
  }
  return entries;
}

/** The saga's entries from its recorded history, oldest first. */
export async function sagaEntries(
  converter: LoadedDataConverter,
  history: temporal.api.history.v1.IHistory,
  payment: { accountId: string; requestedAt: string },
): Promise<SagaEntry[]> {
  const events = history.events ?? [];
  const entries = [
    ...(await accountStateEntries(converter, events, payment)),
    ...timerEntries(events),
    ...(await gatewayCallEntries(converter, events)),
    ...(await overrideSignalEntries(converter, events)),
  ];
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * The saga's history, or why it cannot be read: gone after the namespace's retention (or never started),
 * Temporal did not answer within `timeoutMs`, or a payload does not decode (its key was retired). Never throws.
 */
export async function readSagaHistory(
  client: Client,
  workflowId: string,
  payment: { accountId: string; requestedAt: string },
  timeoutMs = 3_000,
): Promise<SagaHistory> {
  let history: temporal.api.history.v1.IHistory;
  try {
    history = await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(workflowId).fetchHistory());
  } catch (err) {
    if (isGrpcServiceError(err) && err.code === NOT_FOUND)
      return {
        status: 'unavailable',
        reason: "the saga's history is gone (after the namespace's retention) or the saga never started",
      };
    return { status: 'unavailable', reason: `Temporal did not answer: ${(err as Error).message.split('\n')[0]}` };
  }
  try {
    return { status: 'available', entries: await sagaEntries(client.options.loadedDataConverter, history, payment) };
  } catch (err) {
    // A payload sealed with a key this process no longer has (or a history it cannot read): say so, do not fail.
    return { status: 'unavailable', reason: `the saga's history cannot be decoded: ${(err as Error).message.split('\n')[0]}` };
  }
}
