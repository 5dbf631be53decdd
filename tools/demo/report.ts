/** What the demo reports: the live line while it runs and the final summary. Pure formatting and statistics. */
import type { DecisionReason } from '../../contracts/payment';
import type { Expected, ScenarioId } from './scenarios';
import { formatMs } from './scenarios';

/** A payment as the demo saw it through GET /payments/:id (RECEIVED until the read model has its decision). */
export type ObservedStatus = 'UNSENT' | 'RECEIVED' | 'AUTHORIZED' | 'DECLINED';

export interface PaymentResult {
  key: string;
  scenario: ScenarioId;
  via: 'rest' | 'kafka';
  paymentId?: string;
  accountId: string;
  expected: Expected;
  status: ObservedStatus;
  reason: DecisionReason | null;
  /** POST → decided status seen by polling (REST payments with fresh state only: PlannedPayment.timed). */
  latencyMs?: number;
  /** Decided events of this payment seen on payments.authorization.decided (exactly one when all is well). */
  decidedEvents: number;
}

export interface ScenarioResult {
  id: ScenarioId;
  title: string;
  expectation: string;
  met: boolean;
  /** What happened, in one line; on a miss, what was expected and what came instead. */
  outcome: string;
  paymentIds: string[];
  /** The scenario's sagas in the Temporal Web UI. */
  webUiUrl?: string;
}

export interface LatencyStats {
  payments: number;
  medianMs: number;
  p90Ms: number;
}

export interface DemoSummary {
  runId: string;
  startedAt: string;
  durationMs: number;
  /** Stopped early (Ctrl-C): scenarios not finished count as not met. */
  aborted: boolean;
  /** The saga settings the demo assumed (read from the configuration). */
  settings: { accountStateDeadlineMs: number; timeoutPolicy: 'decline' | 'review' };
  payments: {
    planned: number;
    sent: number;
    byStatus: Record<ObservedStatus, number>;
    byReason: Partial<Record<DecisionReason, number>>;
  };
  latency: LatencyStats | null;
  /** Decided events of the demo's payments on payments.authorization.decided. */
  decidedEvents: number;
  /** The demo's poison record on payments.authorization.requested.dlt, once per consumer group that rejected it. */
  deadLettered: { groups: string[]; reason?: string };
  scenarios: ScenarioResult[];
  webUi: { all: string; inReview: string };
  ok: boolean;
}

/** Nearest-rank percentile of sorted values (as bench/payment-latency.ts reports them). */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

export function latencyStats(latencies: number[]): LatencyStats | null {
  if (latencies.length === 0) return null;
  const sorted = [...latencies].sort((a, b) => a - b);
  return { payments: sorted.length, medianMs: percentile(sorted, 50), p90Ms: percentile(sorted, 90) };
}

export function countByStatus(payments: Pick<PaymentResult, 'status'>[]): Record<ObservedStatus, number> {
  const counts: Record<ObservedStatus, number> = { UNSENT: 0, RECEIVED: 0, AUTHORIZED: 0, DECLINED: 0 };
  for (const p of payments) counts[p.status]++;
  return counts;
}

/** The Web UI's workflow list filtered by a visibility query on the payment search attributes. */
export const webUiUrl = (uiUrl: string, namespace: string, query: string) =>
  `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;

/**
 * The sagas started since `since`: how the demo names its whole run in Temporal's visibility (the search
 * attributes name no account, docs/security.md). Other traffic of the same minutes shows too.
 */
export const startedSinceQuery = (since: number) =>
  `WorkflowType = "authorizePayment" AND StartTime >= "${new Date(since - 1_000).toISOString()}"`;

/** A visibility query naming payments by their PaymentId search attribute. */
export const paymentIdQuery = (ids: string[]) =>
  ids.length === 1 ? `PaymentId = "${ids[0]}"` : `PaymentId IN (${ids.map((id) => `"${id}"`).join(', ')})`;

export interface LiveSnapshot {
  elapsedMs: number;
  planned: number;
  byStatus: Record<ObservedStatus, number>;
  /** Undecided sagas by state, from Temporal's visibility (undefined when it could not be asked). */
  waiting?: { accountState: number; review: number };
  latency: LatencyStats | null;
}

const ms = (v: number) => (v < 1_000 ? `${Math.round(v)} ms` : `${(v / 1_000).toFixed(1)} s`);

export function formatLive(s: LiveSnapshot): string {
  const sent = s.planned - s.byStatus.UNSENT;
  const clock = `${String(Math.floor(s.elapsedMs / 60_000)).padStart(2, '0')}:${String(Math.floor(s.elapsedMs / 1_000) % 60).padStart(2, '0')}`;
  const waiting = s.waiting ? ` (waiting for account state ${s.waiting.accountState}, in review ${s.waiting.review})` : '';
  const latency = s.latency ? `decision latency median ${ms(s.latency.medianMs)}, p90 ${ms(s.latency.p90Ms)}` : 'no decision yet';
  return (
    `demo ${clock}  sent ${sent}/${s.planned} · AUTHORIZED ${s.byStatus.AUTHORIZED} · DECLINED ${s.byStatus.DECLINED}` +
    ` · undecided ${s.byStatus.RECEIVED}${waiting} · ${latency}`
  );
}

export function formatSummary(s: DemoSummary): string {
  const met = s.scenarios.filter((r) => r.met).length;
  const lines = [
    `paysaga demo ${s.runId}: ${met}/${s.scenarios.length} scenarios met in ${(s.durationMs / 1_000).toFixed(1)} s` +
      `${s.aborted ? ' (stopped early)' : ''}` +
      ` (assuming ACCOUNT_STATE_DEADLINE=${formatMs(s.settings.accountStateDeadlineMs)}, ACCOUNT_STATE_TIMEOUT_POLICY=${s.settings.timeoutPolicy})`,
    `  payments ${s.payments.sent}/${s.payments.planned} sent: AUTHORIZED ${s.payments.byStatus.AUTHORIZED}, DECLINED ${s.payments.byStatus.DECLINED}, ` +
      `undecided ${s.payments.byStatus.RECEIVED}; reasons ${
        Object.entries(s.payments.byReason)
          .map(([reason, n]) => `${reason} ${n}`)
          .join(', ') || 'none'
      }`,
    `  decided events on payments.authorization.decided: ${s.decidedEvents}; dead-lettered: ${
      s.deadLettered.groups.length > 0 ? `by ${s.deadLettered.groups.join(', ')}` : 'nothing seen'
    }`,
    s.latency
      ? `  decision latency, POST → decided (GET polling), ${s.latency.payments} payments with fresh state: median ${ms(s.latency.medianMs)}, p90 ${ms(s.latency.p90Ms)}`
      : '  decision latency: no payment with fresh state decided',
    '',
    ...s.scenarios.flatMap((r) => [
      `  ${r.met ? 'ok  ' : 'FAIL'} ${r.title.padEnd(44)} ${r.outcome}`,
      ...(r.webUiUrl ? [`       ${r.webUiUrl}`] : []),
    ]),
    '',
    `  every saga of this run in the Temporal Web UI: ${s.webUi.all}`,
    `  payments waiting for an operator (PaymentStatus): ${s.webUi.inReview}`,
  ];
  if (s.settings.timeoutPolicy === 'decline')
    lines.push(
      '  note: the timeout scenario ends DECLINED because the policy is decline; run the system and the demo with',
      '        ACCOUNT_STATE_TIMEOUT_POLICY=review to see it wait in PENDING_REVIEW until an operator approves it',
    );
  return lines.join('\n');
}
