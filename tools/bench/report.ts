/** The bench's outputs: bench.json (everything), bench.md (the tables) and knee.svg (latency against offered rate). */
import fs from 'node:fs';
import path from 'node:path';
import type { HistoryShape, StepCost } from './cost';
import type { SagaShape } from './floor-workflows';
import type { ShapeStepResult } from './floors';
import type { BenchOptions } from './options';
import type { StepResult } from './payment-load';
import type { LatencySummary } from './stats';

export interface SweepStep extends StepResult {
  cost: StepCost;
  history: { sampled: number; mean: HistoryShape; median: HistoryShape } | null;
}

export interface Floors {
  emptyWorkflow: LatencySummary;
  signal: LatencySummary;
  kafkaRoundTrip: LatencySummary;
  postgresCommit: LatencySummary;
  sagaShaped: {
    /** Derived from the median history of the sampled payments of the run. */
    shape: SagaShape;
    /** The no-op workflow's own history, to check it matches the saga's. */
    measured: HistoryShape | null;
    sweep: ShapeStepResult[];
    maxSustainableRate: number | null;
  };
}

export interface BenchReport {
  benchmark: string;
  measuredAt: string;
  machine: { cpus: number; model?: string; memoryGiB: number; loadAverageAtStart: number[]; note: string };
  options: Omit<BenchOptions, 'outDir'>;
  system: {
    processes: string;
    /** Decided payments written to the tables before the run (--seed-payments). */
    seededPayments: number;
    /** Events the console's list stream received during the sweep (--console-stream), null when it was not open. */
    consoleStreamEvents: number | null;
    /** The engines' topology: one node of each, or the cluster (three brokers, Temporal's services apart). */
    topology: 'single' | 'cluster';
    kafkaReplicationFactor: number;
    readyMs: Record<string, number>;
    accounts: Record<string, number>;
  };
  /** POST → decided of the warm-up's payments, sent one at a time on the idle system. */
  oneAtATime: LatencySummary;
  /** CPU of every role and engine with nothing offered, per second. */
  idle: { seconds: number; msPerS: Record<string, number>; totalMsPerS: number };
  sweep: SweepStep[];
  maxSustainableRate: number | null;
  floors: Floors | null;
  ratios: {
    /** paysaga's max sustainable rate over the saga-shaped no-op workflow's, same run. */
    sustainableRateToShapedFloor: number | null;
    /** p50 POST → decided at the lowest rate over the empty workflow's p50 and over the shaped no-op's p50. */
    p50ToEmptyWorkflow: number | null;
    p50ToShapedFloor: number | null;
  };
}

const fmt = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '–' : v.toFixed(digits));

export function markdown(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(`# paysaga bench, ${r.measuredAt}`);
  lines.push('');
  lines.push(
    `${r.machine.cpus} cores (${r.machine.model ?? 'unknown'}), load average at start ${r.machine.loadAverageAtStart.join(' ')}. ${r.machine.note}`,
  );
  lines.push(
    `Engines: ${r.system.topology === 'cluster' ? 'the cluster topology (three Kafka brokers, Temporal’s services apart)' : 'one node of each'}, ` +
      `Kafka replication factor ${r.system.kafkaReplicationFactor}. ` +
      `Roles: ${r.system.processes}; accounts ${Object.entries(r.system.accounts)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}; ` +
      `each rate offered ${r.options.durationMs / 1000} s; account-state deadline ${r.options.deadlineMs / 1000} s.`,
  );
  lines.push(`One payment at a time on the idle system: p50 ${fmt(r.oneAtATime.p50Ms)} ms over ${r.oneAtATime.samples}.`);
  if (r.system.seededPayments > 0) lines.push(`Tables seeded with ${r.system.seededPayments} decided payments before the run.`);
  if (r.system.consoleStreamEvents !== null)
    lines.push(`The console's list stream was open during the sweep: ${r.system.consoleStreamEvents} events read.`);
  lines.push('');
  lines.push(
    `**Maximum sustainable rate: ${r.maxSustainableRate === null ? 'below the lowest offered rate' : `${r.maxSustainableRate} payments/s`}** ` +
      `(p99 POST → decided < 2 s, no growing backlog, no false timeout, nothing undecided).`,
  );
  if (r.floors) {
    lines.push(
      `Saga-shaped no-op workflow, same run: ${r.floors.sagaShaped.maxSustainableRate === null ? 'below the lowest offered rate' : `${r.floors.sagaShaped.maxSustainableRate} workflows/s`}; ` +
        `ratio ${fmt(r.ratios.sustainableRateToShapedFloor, 2)}.`,
    );
  }
  lines.push('');
  lines.push('## Sweep');
  lines.push('');
  lines.push(
    '| offered/s | decided/s | p50 ms | p95 ms | p99 ms | false timeouts | backlog max | backlog slope/s | sustainable | SQL tx/payment | Kafka records/payment | Kafka bytes stored/payment | CPU ms/payment | history events | workflow tasks | activities | local activities | signals |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of r.sweep) {
    const h = s.history?.mean;
    lines.push(
      `| ${s.offeredRate} | ${s.decidedPerS} | ${fmt(s.latency?.p50Ms)} | ${fmt(s.latency?.p95Ms)} | ${fmt(s.latency?.p99Ms)} | ${s.falseTimeouts} | ` +
        `${s.backlog.max} | ${s.backlog.slopePerS} | ${s.sustainable ? 'yes' : `no: ${s.failed.join('; ')}`} | ` +
        `${s.cost.perPayment.sqlTransactions} | ${s.cost.perPayment.kafkaRecords} | ${fmt(s.cost.perPayment.kafkaBytesStored)} | ` +
        `${fmt(s.cost.perPayment.cpuS * 1000, 1)} | ` +
        `${fmt(h?.events, 1)} | ${fmt(h?.workflowTasks, 1)} | ${fmt(h?.activities, 1)} | ${fmt(h?.localActivities, 1)} | ${fmt(h?.signals, 1)} |`,
    );
  }
  const last = r.sweep.at(-1);
  if (last) {
    lines.push('');
    lines.push(`## CPU and memory per process at ${last.offeredRate}/s`);
    lines.push('');
    lines.push(`| process | CPU s over the step | CPU ms per payment | idle CPU ms per second | resident MiB |`);
    lines.push('|---|---|---|---|---|');
    for (const [name, u] of Object.entries(last.cost.processes)) {
      lines.push(
        `| ${name} | ${u.cpuS} | ${fmt(last.cost.payments ? (u.cpuS * 1000) / last.cost.payments : null, 1)} | ${fmt(r.idle.msPerS[name], 1)} | ${u.rssMiB} |`,
      );
    }
    lines.push('');
    lines.push(
      `Idle (nothing offered, ${r.idle.seconds} s): ${r.idle.totalMsPerS} ms of CPU per second, all roles and engines together.`,
    );
  }
  if (r.floors) {
    const f = r.floors;
    lines.push('');
    lines.push('## Floors (same run)');
    lines.push('');
    lines.push('| floor | samples | p50 ms | p99 ms |');
    lines.push('|---|---|---|---|');
    const row = (name: string, l: LatencySummary) =>
      lines.push(`| ${name} | ${l.samples} | ${fmt(l.p50Ms, 1)} | ${fmt(l.p99Ms, 1)} |`);
    row('empty workflow, start → result', f.emptyWorkflow);
    row('signal call', f.signal);
    row('KafkaJS produce (acks all, idempotent) → consume', f.kafkaRoundTrip);
    row('PostgreSQL single-row commit', f.postgresCommit);
    const s = f.sagaShaped.shape;
    const m = f.sagaShaped.measured;
    lines.push('');
    lines.push(
      `Saga-shaped no-op workflow: ${s.activities} activities, ${s.localActivities} local activities, ${s.signals} signals, ` +
        `${s.timers} timers, ${s.upserts} upserts` +
        (m ? ` (its own history: ${m.events} events, ${m.workflowTasks} workflow tasks).` : '.'),
    );
    lines.push('');
    lines.push(
      '| offered/s | completed/s | p50 ms | p95 ms | p99 ms | backlog max | CPU ms/workflow (Temporal + client and worker) | sustainable |',
    );
    lines.push('|---|---|---|---|---|---|---|---|');
    for (const st of f.sagaShaped.sweep) {
      lines.push(
        `| ${st.offeredRate} | ${st.completedPerS} | ${fmt(st.latency?.p50Ms)} | ${fmt(st.latency?.p95Ms)} | ${fmt(st.latency?.p99Ms)} | ` +
          `${st.backlog.max} | ${fmt(st.cpuMsPerWorkflow, 1)} | ${st.sustainable ? 'yes' : `no: ${st.failed.join('; ')}`} |`,
      );
    }
    lines.push('');
    lines.push(
      `Ratios: paysaga's max sustainable rate / the shaped floor's ${fmt(r.ratios.sustainableRateToShapedFloor, 2)}; ` +
        `p50 at the lowest rate / empty workflow ${fmt(r.ratios.p50ToEmptyWorkflow, 1)}, / shaped no-op ${fmt(r.ratios.p50ToShapedFloor, 1)}.`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Latency (log scale) against offered rate: paysaga's p50 and p99, the shaped floor's, and the 2 s bound. */
export function kneeSvg(r: BenchReport): string {
  const W = 640;
  const H = 400;
  const m = { left: 60, right: 160, top: 30, bottom: 45 };
  const series: { name: string; color: string; dash?: string; points: [number, number][] }[] = [
    {
      name: 'paysaga p50',
      color: '#1f77b4',
      points: r.sweep.filter((s) => s.latency).map((s) => [s.offeredRate, s.latency!.p50Ms]),
    },
    {
      name: 'paysaga p99',
      color: '#d62728',
      points: r.sweep.filter((s) => s.latency).map((s) => [s.offeredRate, s.latency!.p99Ms]),
    },
  ];
  const floor = r.floors?.sagaShaped.sweep.filter((s) => s.latency) ?? [];
  if (floor.length > 0) {
    series.push({
      name: 'no-op saga shape p50',
      color: '#1f77b4',
      dash: '5 4',
      points: floor.map((s) => [s.offeredRate, s.latency!.p50Ms]),
    });
    series.push({
      name: 'no-op saga shape p99',
      color: '#d62728',
      dash: '5 4',
      points: floor.map((s) => [s.offeredRate, s.latency!.p99Ms]),
    });
  }
  const all = series.flatMap((s) => s.points);
  const maxRate = Math.max(1, ...all.map(([x]) => x), ...r.options.rates);
  const ys = all.map(([, y]) => Math.max(1, y));
  const lo = Math.floor(Math.log10(Math.min(10, ...ys)));
  const hi = Math.ceil(Math.log10(Math.max(10_000, ...ys)));
  const x = (v: number) => m.left + (v / maxRate) * (W - m.left - m.right);
  const y = (v: number) => H - m.bottom - ((Math.log10(Math.max(1, v)) - lo) / (hi - lo)) * (H - m.top - m.bottom);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(
    `<text x="${m.left}" y="18" font-size="13">POST → decided latency against offered rate (${r.measuredAt.slice(0, 16)})</text>`,
  );
  for (let e = lo; e <= hi; e++) {
    const v = 10 ** e;
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
  }
  for (const rate of r.options.rates) {
    out.push(`<line x1="${x(rate)}" x2="${x(rate)}" y1="${H - m.bottom}" y2="${H - m.bottom + 4}" stroke="#333"/>`);
    out.push(`<text x="${x(rate)}" y="${H - m.bottom + 16}" text-anchor="middle">${rate}</text>`);
  }
  out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 8}" text-anchor="middle">offered payments per second</text>`);
  out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y(2000)}" y2="${y(2000)}" stroke="#999" stroke-dasharray="2 3"/>`);
  out.push(`<text x="${W - m.right - 4}" y="${y(2000) - 4}" text-anchor="end" fill="#666">p99 bound 2 s</text>`);
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#333"/>`);
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const [a, b] of s.points) out.push(`<circle cx="${x(a).toFixed(1)}" cy="${y(b).toFixed(1)}" r="3" fill="${s.color}"/>`);
    const ly = m.top + 10 + i * 18;
    out.push(
      `<line x1="${W - m.right + 10}" x2="${W - m.right + 34}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${W - m.right + 40}" y="${ly + 4}">${s.name}</text>`);
  });
  if (r.maxSustainableRate !== null) {
    out.push(`<text x="${W - m.right + 10}" y="${m.top + 100}">max sustainable: ${r.maxSustainableRate}/s</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export function writeReport(r: BenchReport, outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const files = [
    [path.join(outDir, 'bench.json'), JSON.stringify(r, null, 2) + '\n'],
    [path.join(outDir, 'bench.md'), markdown(r)],
    [path.join(outDir, 'knee.svg'), kneeSvg(r)],
  ] as const;
  for (const [file, text] of files) fs.writeFileSync(file, text);
  return files.map(([file]) => file);
}
