/** What a demo run saw, scenario by scenario: the summary runDemo returns (tools/demo/run.ts gathers it). */
import type { DecisionReason } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import {
  countByStatus,
  latencyStats,
  paymentIdQuery,
  startedSinceQuery,
  type DemoSummary,
  type PaymentResult,
  type ScenarioResult,
} from './report';
import type { DemoPlan, PlannedPayment, ScenarioId } from './scenarios';

export interface Tracked extends PaymentResult {
  planned: PlannedPayment;
  /** When the POST (or the Kafka record) went out (Date.now()). */
  sentAt?: number;
  requestedAt?: string;
}

/** A scenario's own checks beyond each payment's outcome (the poison record has only these). */
export interface ScenarioCheck {
  met: boolean;
  detail: string;
}

/** Latency figures of the payments decided so far. */
export function demoLatency(tracked: Tracked[]) {
  return latencyStats(tracked.flatMap((t) => (t.latencyMs === undefined ? [] : [t.latencyMs])));
}

export function summarizeDemo(run: {
  plan: DemoPlan;
  tracked: Tracked[];
  checks: Map<ScenarioId, ScenarioCheck>;
  startedAt: number;
  aborted: boolean;
  deadLetters: { group: string; reason: string }[];
  webUi: (query: string) => string;
}): DemoSummary {
  const { plan, tracked, checks, startedAt, aborted, deadLetters, webUi: ui } = run;
  // Scenarios whose own check must have run: a missing one (stopped early, or failed) is not met.
  const needsCheck = new Set<ScenarioId>(['fresh-state', 'late-state', 'legacy-duplicates', 'poison-record', 'published-twice']);
  if (plan.timeoutPolicy === 'review') needsCheck.add('timeout');
  const scenarios: ScenarioResult[] = plan.scenarios.map((s) => {
    const payments = tracked.filter((t) => t.scenario === s.id);
    const misses = payments.flatMap((t) => paymentMisses(t));
    const check = checks.get(s.id);
    // Stopped early, a finished scenario still counts; an unfinished one has undecided payments or no check.
    const met = misses.length === 0 && (check ? check.met : !needsCheck.has(s.id));
    const outcomes = [...new Set(payments.map((t) => `${t.expected.decision} ${t.expected.reason}`))];
    const ids = payments.flatMap((t) => (t.paymentId ? [t.paymentId] : []));
    return {
      id: s.id,
      title: s.title,
      expectation: s.expectation,
      met,
      outcome: [
        misses.length > 0
          ? misses.slice(0, 3).join('; ') + (misses.length > 3 ? `; and ${misses.length - 3} more` : '')
          : undefined,
        misses.length === 0 && payments.length > 0
          ? `${payments.length} × ${outcomes.join(', ')}, one decided event each`
          : undefined,
        check?.detail,
        !check && needsCheck.has(s.id) ? 'not finished' : undefined,
      ]
        .filter(Boolean)
        .join('; '),
      paymentIds: ids,
      // A long list of ids makes a URL no one reads: the stream is found by when the demo started instead.
      webUiUrl: ids.length === 0 ? undefined : ids.length <= 10 ? ui(paymentIdQuery(ids)) : ui(startedSinceQuery(startedAt)),
    };
  });
  const byReason: Partial<Record<DecisionReason, number>> = {};
  for (const t of tracked) if (t.reason) byReason[t.reason] = (byReason[t.reason] ?? 0) + 1;
  return {
    runId: plan.runId,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    aborted,
    settings: { accountStateDeadlineMs: plan.accountStateDeadlineMs, timeoutPolicy: plan.timeoutPolicy },
    payments: {
      planned: tracked.length,
      sent: tracked.filter((t) => t.status !== 'UNSENT').length,
      byStatus: countByStatus(tracked),
      byReason,
    },
    latency: demoLatency(tracked),
    decidedEvents: tracked.reduce((sum, t) => sum + t.decidedEvents, 0),
    deadLettered: { groups: [...new Set(deadLetters.map((d) => d.group))].sort(), reason: deadLetters[0]?.reason },
    scenarios,
    webUi: { all: ui(`AccountId STARTS_WITH "demo-${plan.runId}-"`), inReview: ui('PaymentStatus = "PENDING_REVIEW"') },
    ok: !aborted && scenarios.every((s) => s.met),
  };
}

/** Why a payment did not end as planned, if it did not. */
export function paymentMisses(t: Tracked): string[] {
  const name = t.paymentId ?? t.key;
  if (t.status === 'UNSENT') return [`${name} was not sent`];
  if (t.status === 'RECEIVED') return [`${name} undecided (expected ${t.expected.decision} ${t.expected.reason})`];
  const misses: string[] = [];
  if (t.status !== t.expected.decision || t.reason !== t.expected.reason)
    misses.push(`${name}: expected ${t.expected.decision} ${t.expected.reason}, got ${t.status} ${t.reason}`);
  if (t.decidedEvents !== 1) misses.push(`${name}: ${t.decidedEvents} decided events on ${TOPICS.paymentDecided}`);
  return misses;
}
