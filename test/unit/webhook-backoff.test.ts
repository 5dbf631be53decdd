import assert from 'node:assert/strict';
import { retryDelayMs } from '../../notifier/backoff';

const policy = { initialMs: 5_000, maxMs: 3_600_000 };
const lowest = () => 0;
const highest = () => 0.999_999_999;

describe('webhook retry backoff', () => {
  it('doubles from the initial delay: after attempt n, between half and all of initial·2^(n-1)', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const base = 5_000 * 2 ** (attempt - 1);
      assert.equal(retryDelayMs(attempt, policy, lowest), base / 2, `attempt ${attempt}, lowest jitter`);
      assert.equal(retryDelayMs(attempt, policy, highest), base, `attempt ${attempt}, highest jitter`);
    }
  });

  it('spreads retries over the whole jitter range, never outside it', () => {
    const delays = Array.from({ length: 2_000 }, () => retryDelayMs(3, policy));
    assert.ok(delays.every((d) => Number.isInteger(d) && d >= 10_000 && d <= 20_000));
    // Jitter at all: a receiver's outage does not bring every failed delivery back at the same instant.
    assert.ok(new Set(delays).size > 1_000);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    assert.ok(mean > 14_000 && mean < 16_000, `mean ${mean} is not near the middle of [10 s, 20 s]`);
  });

  it('is capped by the maximum, also for attempt counts far past any configuration', () => {
    for (const attempt of [11, 12, 50, 1_000, 1_000_000]) {
      assert.equal(retryDelayMs(attempt, policy, highest), 3_600_000);
      assert.equal(retryDelayMs(attempt, policy, lowest), 1_800_000);
    }
    assert.equal(retryDelayMs(4, { initialMs: 20, maxMs: 100 }, highest), 100);
  });

  it('refuses an attempt number that is not a whole number from 1', () => {
    for (const attempt of [0, -1, 1.5, Number.NaN]) assert.throws(() => retryDelayMs(attempt, policy), RangeError);
  });
});
