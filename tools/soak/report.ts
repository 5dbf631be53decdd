/**
 * The soak's report: every sampled series with its trend after the warm-up (tools/soak/trend.ts), written as
 * soak.json (all samples) and soak.md (the table docs/testing.md quotes).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SoakOptions } from './options';
import type { Sample } from './sampler';
import type { TourCounts } from './console-tour';
import type { TrafficCounts } from './traffic';
import { trend, type Point, type Tolerance, type Trend } from './trend';

/**
 * What a steady series may drift by over the measured window on a shared 2-core machine. Open streams are whole
 * streams: the console holds at most one at a time, so one more at the end than at the start is already a leak.
 * The rest wander with the load's own noise (GC, checkpoints, which page the tour is on), so a share of their
 * level is allowed; a leaked stream polls twice a second, so a few of them exceed it.
 */
const TOLERANCES = {
  openStreams: { abs: 1, rel: 0 },
  dbConnections: { abs: 2, rel: 0.1 },
  dbTransactionsPerS: { abs: 2, rel: 0.15 },
  loopDelayP99Ms: { abs: 10, rel: 0.5 },
  rssMiB: { abs: 16, rel: 0.1 },
  cpuPct: { abs: 3, rel: 0.25 },
} satisfies Record<string, Tolerance>;

export interface SeriesTrend extends Trend {
  series: string;
  unit: string;
}

export interface SoakReport {
  soak: string;
  measuredAt: string;
  commit: string;
  loadAverageAtStart: number[];
  options: Omit<SoakOptions, 'outDir'>;
  traffic: TrafficCounts;
  tour: TourCounts;
  /** The api's open event streams 10 s after the browser closed: every one of them should have ended. */
  openStreamsAfterLeaving: number;
  trends: SeriesTrend[];
  /** No series grows, no stream is left open, every payment is decided, no page reported an error. */
  ok: boolean;
  samples: Sample[];
}

/** One series per figure and per process, named as the report's table shows them. */
export function seriesOf(samples: Sample[]): { series: string; unit: string; points: Point[]; tolerance: Tolerance }[] {
  const scalar = (key: 'openStreams' | 'dbConnections' | 'dbTransactionsPerS', series: string, unit: string) => ({
    series,
    unit,
    points: samples.map((s) => ({ atS: s.atS, value: s[key] })),
    tolerance: TOLERANCES[key],
  });
  const perProcess = (key: 'loopDelayP99Ms' | 'rssMiB' | 'cpuPct', what: string, unit: string) => {
    const names = [...new Set(samples.flatMap((s) => Object.keys(s[key])))].sort();
    return names.map((name) => ({
      series: `${what}: ${name}`,
      unit,
      points: samples.filter((s) => s[key][name] !== undefined).map((s) => ({ atS: s.atS, value: s[key][name]! })),
      tolerance: TOLERANCES[key],
    }));
  };
  return [
    scalar('openStreams', 'open event streams (api)', 'streams'),
    scalar('dbConnections', 'database connections', 'connections'),
    scalar('dbTransactionsPerS', 'database transactions per second', 'tx/s'),
    ...perProcess('loopDelayP99Ms', 'event-loop delay p99', 'ms'),
    ...perProcess('rssMiB', 'resident memory', 'MiB'),
    ...perProcess('cpuPct', 'CPU', '% of a core'),
  ];
}

export function trendsOf(samples: Sample[], warmUpS: number): SeriesTrend[] {
  return seriesOf(samples).flatMap(({ series, unit, points, tolerance }) => {
    const t = trend(points, warmUpS, tolerance);
    return t ? [{ series, unit, ...t }] : [];
  });
}

export function formatMarkdown(r: SoakReport): string {
  const rows = r.trends.map(
    (t) =>
      `| ${t.series} | ${t.unit} | ${t.mean} | ${t.min}–${t.max} | ${t.slopePerHour} | ${t.drift} | ±${t.allowed} | ${t.verdict === 'grows' ? '**grows**' : t.verdict} |`,
  );
  const minutes = (ms: number) => Math.round(ms / 6_000) / 10;
  return [
    `# Soak, ${r.measuredAt} (commit ${r.commit})`,
    '',
    `${minutes(r.options.durationMs)} min at ${r.options.rate} payments/s with an operator moving between the console's pages ` +
      `(${r.tour.visits} visits, ${r.tour.quickVisits} left at once), sampled every ${r.options.intervalMs / 1000} s; ` +
      `trends over the samples after ${minutes(r.options.warmUpMs)} min. Load average at the start: ${r.loadAverageAtStart.join(', ')}.`,
    '',
    `Payments: ${r.traffic.accepted} accepted of ${r.traffic.sent} sent (${r.traffic.errors} errors), ${r.traffic.decided} decided, ` +
      `${r.traffic.undecided} undecided. Page errors: ${r.tour.pageErrors.length}. Open streams 10 s after the browser left: ` +
      `${r.openStreamsAfterLeaving}. Verdict: **${r.ok ? 'nothing leaks' : 'something leaks or failed'}**.`,
    '',
    '| series | unit | mean | range | slope per hour | drift over the window | allowed | |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
  ].join('\n');
}

export function writeReport(report: SoakReport, outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, 'soak.json');
  const md = path.join(outDir, 'soak.md');
  fs.writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(md, formatMarkdown(report));
  return [json, md];
}
