/**
 * Open-loop arrivals: the i-th arrival is due at start + i/rate whatever happened to the earlier ones, so many
 * requests are in flight when the system is slow (a closed loop would slow down with it and hide the backlog).
 */
import { sleep } from '../stack/proc';
import type { BacklogSample } from './stats';

/** Fires `rate × duration` arrivals on schedule; resolves when the last one is fired (not finished). */
export async function offer(
  rate: number,
  durationMs: number,
  fire: (i: number) => Promise<void>,
): Promise<{ startedAt: number; inFlight: Promise<void>[] }> {
  const startedAt = Date.now();
  const total = Math.round((rate * durationMs) / 1000);
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = startedAt + (i * 1000) / rate - Date.now();
    if (wait > 0) await sleep(wait);
    // A late timer fires every arrival that is due at once: the schedule, not the timer, sets the rate.
    inFlight.push(fire(i));
  }
  return { startedAt, inFlight };
}

/** Samples `backlog()` every `everyMs` until stopped. */
export function sampleBacklog(backlog: () => number, startedAt: number, everyMs = 500): { stop: () => BacklogSample[] } {
  const samples: BacklogSample[] = [];
  const timer = setInterval(
    () => samples.push({ atS: Math.round((Date.now() - startedAt) / 100) / 10, backlog: backlog() }),
    everyMs,
  );
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}
