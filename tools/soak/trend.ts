/**
 * Is a series flat? Its least-squares slope over the samples after the warm-up, and the drift that slope adds
 * up to over that window, against what the series may wander by on its own (an absolute amount, or a share of
 * its mean, whichever is larger). A leak is a drift beyond that; noise around a level is not.
 */

export interface Point {
  /** Seconds since the soak started. */
  atS: number;
  value: number;
}

export interface Tolerance {
  /** Drift allowed over the measured window, in the series' unit. */
  abs: number;
  /** Drift allowed as a share of the series' mean over the window. */
  rel: number;
}

export interface Trend {
  samples: number;
  mean: number;
  min: number;
  max: number;
  /** Units per hour. */
  slopePerHour: number;
  /** slope × the measured window: how much the series grew (or fell) from its first to its last sample. */
  drift: number;
  allowed: number;
  /**
   * flat: the drift stays within what is allowed; grows: it exceeds it upwards (a leak); falls: downwards (a
   * level still settling, e.g. memory the GC hands back: reported, not a leak).
   */
  verdict: 'flat' | 'grows' | 'falls';
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Least-squares slope of value against atS (units per second); 0 for fewer than two distinct times. */
export function slope(points: Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.atS, 0) / n;
  const my = points.reduce((s, p) => s + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.atS - mx) * (p.value - my);
    sxx += (p.atS - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/** The trend of the samples taken at or after `fromS`; undefined when fewer than three are left. */
export function trend(points: Point[], fromS: number, tolerance: Tolerance): Trend | undefined {
  const kept = points.filter((p) => p.atS >= fromS && Number.isFinite(p.value));
  if (kept.length < 3) return undefined;
  const values = kept.map((p) => p.value);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const perS = slope(kept);
  const drift = perS * (kept.at(-1)!.atS - kept[0]!.atS);
  const allowed = Math.max(tolerance.abs, tolerance.rel * Math.abs(mean));
  return {
    samples: kept.length,
    mean: round(mean),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    slopePerHour: round(perS * 3600),
    drift: round(drift),
    allowed: round(allowed),
    verdict: drift > allowed ? 'grows' : drift < -allowed ? 'falls' : 'flat',
  };
}
