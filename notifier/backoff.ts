/**
 * When to try a failed webhook again: exponential backoff (the initial delay, doubling per attempt, capped at
 * the maximum) with jitter, so deliveries that failed together (a receiver's outage) do not all come back at
 * the same instant. The delay after attempt n is uniform in [base/2, base], base = min(max, initial·2^(n-1)).
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** The delay before the attempt after `attempt` (1 = the first attempt failed); `random` is in [0, 1). */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a whole number from 1 (got ${attempt})`);
  // Capped before it grows: 2 ** attempt overflows to Infinity only far beyond any cap.
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt - 1, 60));
  return Math.round(base / 2 + (base / 2) * random());
}
