/** The fault suite's report: faults by kind, payments by outcome, violations by invariant; as a table and as JSON. */
import type { FeedStats } from './feed';
import type { InjectedFault } from './injector';
import { INVARIANTS, type Decided, type Violation } from './invariants';
import type { TrackedPayment } from './load';
import type { ChaosSchedule } from './schedule';
import type { RoleExit } from '../supervisor';

export interface ChaosReport {
  runId: string;
  seed: number;
  options: { payments: number; ratePerSecond: number; faults: number };
  startedAt: string;
  durationMs: number;
  faults: { byKind: Record<string, { planned: number; injected: number }>; injected: InjectedFault[]; allInjected: boolean };
  payments: {
    planned: number;
    accepted: number;
    notAccepted: { key: string; error?: string }[];
    byOutcome: Record<string, number>;
  };
  legacyFeed: FeedStats;
  roleExits: RoleExit[];
  violations: { total: number; byInvariant: Record<string, number>; list: Violation[] };
  ok: boolean;
}

export function buildReport(opts: {
  schedule: ChaosSchedule;
  startedAt: number;
  injected: InjectedFault[];
  tracked: TrackedPayment[];
  decisions: Map<string, Decided>;
  feed: FeedStats;
  exits: RoleExit[];
  violations: Violation[];
}): ChaosReport {
  const { schedule } = opts;
  const byKind: ChaosReport['faults']['byKind'] = {};
  for (const f of schedule.faults) {
    const kind = `${f.kind} ${f.target}`;
    byKind[kind] ??= { planned: 0, injected: 0 };
    byKind[kind].planned++;
  }
  for (const f of opts.injected.filter((f) => f.injected)) byKind[`${f.event.kind} ${f.event.target}`]!.injected++;
  const byOutcome: Record<string, number> = {};
  for (const t of opts.tracked.filter((t) => t.accepted)) {
    const d = t.paymentId ? opts.decisions.get(t.paymentId) : undefined;
    const outcome = d ? `${d.data.decision} ${d.data.reason}` : 'UNDECIDED';
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
  }
  const byInvariant = Object.fromEntries(INVARIANTS.map((i) => [i, opts.violations.filter((v) => v.invariant === i).length]));
  const allInjected = opts.injected.length === schedule.faults.length && opts.injected.every((f) => f.injected);
  return {
    runId: schedule.runId,
    seed: schedule.seed,
    options: { payments: schedule.payments.length, ratePerSecond: schedule.ratePerSecond, faults: schedule.faults.length },
    startedAt: new Date(opts.startedAt).toISOString(),
    durationMs: Date.now() - opts.startedAt,
    faults: { byKind, injected: opts.injected, allInjected },
    payments: {
      planned: opts.tracked.length,
      accepted: opts.tracked.filter((t) => t.accepted).length,
      notAccepted: opts.tracked
        .filter((t) => !t.accepted)
        .map((t) => ({ key: t.planned.key, ...(t.error ? { error: t.error } : {}) })),
      byOutcome,
    },
    legacyFeed: opts.feed,
    roleExits: opts.exits,
    violations: { total: opts.violations.length, byInvariant, list: opts.violations },
    ok: opts.violations.length === 0 && allInjected && opts.tracked.every((t) => t.accepted),
  };
}

const row = (label: string, value: string | number) => `  ${label.padEnd(44)} ${String(value).padStart(6)}`;

export function formatReport(r: ChaosReport): string {
  const lines = [`chaos ${r.runId} (seed ${r.seed}) in ${(r.durationMs / 1000).toFixed(0)}s`];
  lines.push('faults by kind                                  planned / injected');
  for (const [kind, n] of Object.entries(r.faults.byKind).sort()) lines.push(row(kind, `${n.planned} / ${n.injected}`));
  for (const f of r.faults.injected.filter((f) => !f.injected))
    lines.push(`  NOT INJECTED ${f.event.kind} ${f.event.target}: ${f.detail}`);
  lines.push(`payments: ${r.payments.accepted} of ${r.payments.planned} accepted; by outcome`);
  for (const [outcome, n] of Object.entries(r.payments.byOutcome).sort()) lines.push(row(outcome, n));
  for (const p of r.payments.notAccepted.slice(0, 5)) lines.push(`  NOT ACCEPTED ${p.key}: ${p.error ?? 'unknown'}`);
  const unplanned = r.roleExits.filter((e) => !e.planned);
  lines.push(
    `legacy feed: ${r.legacyFeed.published} snapshots (${r.legacyFeed.duplicates} duplicates, ${r.legacyFeed.reordered} reordered, ` +
      `${r.legacyFeed.skippedTicks} ticks skipped); role exits: ${r.roleExits.length - unplanned.length} killed, ${unplanned.length} by themselves`,
  );
  const first = unplanned[0];
  if (first)
    lines.push(
      `  first exit by itself: ${first.instance} at ${first.at} (code ${first.code}); its log ended:`,
      ...(first.lastLines ?? []).map((l) => `    ${l.slice(0, 400)}`),
    );
  lines.push('violations by invariant');
  for (const [invariant, n] of Object.entries(r.violations.byInvariant)) lines.push(row(invariant, n));
  const shown = new Map<string, number>();
  for (const v of r.violations.list) {
    const n = shown.get(v.invariant) ?? 0;
    shown.set(v.invariant, n + 1);
    if (n < 5) lines.push(`  VIOLATION ${v.invariant}${v.paymentId ? ` ${v.paymentId}` : ''}: ${v.detail}`);
  }
  lines.push(
    r.ok
      ? 'chaos: no violation'
      : `chaos: ${r.violations.total} violation(s)${r.faults.allInjected ? '' : ', not every fault injected'}`,
  );
  return lines.join('\n');
}
