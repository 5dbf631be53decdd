/** Latency percentiles and the backlog trend of one measured step. */
import { percentile } from '../demo/report';

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentiles; null when nothing was measured. */
export function summarize(latenciesMs: number[]): LatencySummary | null {
  if (latenciesMs.length === 0) return null;
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1)!),
  };
}

export interface BacklogSample {
  /** Seconds since the step's first arrival. */
  atS: number;
  /** Accepted but not yet decided. */
  backlog: number;
}

/** Least-squares slope (backlog per second) of the samples. */
export function slope(samples: BacklogSample[]): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const mx = samples.reduce((s, p) => s + p.atS, 0) / n;
  const my = samples.reduce((s, p) => s + p.backlog, 0) / n;
  const sxx = samples.reduce((s, p) => s + (p.atS - mx) ** 2, 0);
  const sxy = samples.reduce((s, p) => s + (p.atS - mx) * (p.backlog - my), 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/**
 * The backlog grows when, over the second half of the offered window, it rises by more than a tenth of the
 * offered rate per second and ends above two seconds' worth of arrivals: at a steady state it stays near
 * rate × latency, which the p99 bound keeps under two seconds' worth, and noise alone does not trip both.
 */
export function backlogGrowing(
  samples: BacklogSample[],
  offeredRate: number,
  durationS: number,
): { growing: boolean; slopePerS: number } {
  const secondHalf = samples.filter((s) => s.atS >= durationS / 2 && s.atS <= durationS);
  const slopePerS = Math.round(slope(secondHalf) * 100) / 100;
  const end = secondHalf.at(-1)?.backlog ?? 0;
  return { growing: slopePerS > 0.1 * offeredRate && end > 2 * offeredRate, slopePerS };
}
