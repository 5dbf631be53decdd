/**
 * The soak's arithmetic: a series' trend after the warm-up (a leak grows past its tolerance, noise around a
 * level does not), metrics read from Prometheus text, and the command line.
 */
import assert from 'node:assert/strict';
import { parseOptions } from '../../tools/soak/options';
import { trendsOf } from '../../tools/soak/report';
import { metricValue, type Sample } from '../../tools/soak/sampler';
import { slope, trend } from '../../tools/soak/trend';

const sample = (atS: number, over: Partial<Sample> = {}): Sample => ({
  atS,
  openStreams: 1,
  dbConnections: 12,
  dbTransactionsPerS: 40,
  loopDelayP99Ms: { api: 12 },
  rssMiB: { api: 150, 'engine: kafka': 600 },
  cpuPct: { api: 8 },
  ...over,
});

describe('soak: trends and samples', () => {
  it('finds the least-squares slope of a line and of noise around a level', () => {
    assert.equal(
      slope([
        { atS: 0, value: 1 },
        { atS: 10, value: 3 },
        { atS: 20, value: 5 },
      ]),
      0.2,
    );
    assert.equal(
      slope([
        { atS: 0, value: 4 },
        { atS: 10, value: 6 },
        { atS: 20, value: 4 },
      ]),
      0,
    );
    assert.equal(slope([{ atS: 5, value: 1 }]), 0, 'one point has no slope');
  });

  it('calls a series flat when its drift over the window stays within the tolerance, and leaves out the warm-up', () => {
    // Warm-up climbs from 100 to 200 MiB, then the level holds with noise.
    const points = [0, 30, 60, 90, 120, 150, 180, 210].map((atS, i) => ({
      atS,
      value: i < 3 ? 100 + i * 50 : 200 + (i % 2) * 6,
    }));
    const after = trend(points, 90, { abs: 16, rel: 0.1 })!;
    assert.equal(after.samples, 5);
    assert.equal(after.verdict, 'flat', JSON.stringify(after));
    const withWarmUp = trend(points, 0, { abs: 16, rel: 0.1 })!;
    assert.equal(withWarmUp.verdict, 'grows', 'the warm-up, counted, looks like growth');
    assert.equal(trend(points, 180, { abs: 1, rel: 0 }), undefined, 'fewer than three samples: no trend');
    const settling = points.map((p) => ({ atS: p.atS, value: 400 - p.value }));
    assert.equal(trend(settling, 0, { abs: 16, rel: 0.1 })!.verdict, 'falls', 'memory handed back is no leak');
  });

  it('finds a stream that leaks once a minute and a poll rate that grows with it', () => {
    const samples = Array.from({ length: 30 }, (_, i) =>
      sample(i * 30, { openStreams: 1 + Math.floor(i / 2), dbTransactionsPerS: 40 + 2 * Math.floor(i / 2) }),
    );
    const trends = Object.fromEntries(trendsOf(samples, 300).map((t) => [t.series, t]));
    assert.equal(trends['open event streams (api)']!.verdict, 'grows');
    assert.ok(trends['open event streams (api)']!.slopePerHour > 55, JSON.stringify(trends['open event streams (api)']));
    assert.equal(trends['database transactions per second']!.verdict, 'grows');
    assert.equal(trends['resident memory: api']!.verdict, 'flat');
    assert.equal(trends['resident memory: engine: kafka']!.verdict, 'flat');
  });

  it('sums a metric over its label sets in Prometheus text, and tells it from a longer name', () => {
    const text = [
      '# HELP paysaga_api_event_streams Open event streams',
      '# TYPE paysaga_api_event_streams gauge',
      'paysaga_api_event_streams{stream="payment"} 2',
      'paysaga_api_event_streams{stream="list"} 1',
      'paysaga_api_event_streams_total 40',
      'nodejs_eventloop_lag_p99_seconds 0.0123',
    ].join('\n');
    assert.equal(metricValue(text, 'paysaga_api_event_streams'), 3);
    assert.equal(metricValue(text, 'nodejs_eventloop_lag_p99_seconds'), 0.0123);
    assert.equal(metricValue(text, 'absent_metric'), undefined);
  });

  it('reads its command line, and refuses one that leaves no samples after the warm-up', () => {
    const o = parseOptions(['--duration', '10m', '--warm-up', '2m', '--rate', '1.5', '--dwell', '1s-3s']);
    assert.notEqual(o, 'help');
    if (o === 'help') return;
    assert.deepEqual(
      [o.durationMs, o.warmUpMs, o.intervalMs, o.rate, o.dwell, o.quickShare],
      [600_000, 120_000, 30_000, 1.5, { minMs: 1_000, maxMs: 3_000 }, 0.3],
    );
    assert.throws(() => parseOptions(['--duration', '5m']), /--duration: must leave at least three samples/);
    assert.throws(() => parseOptions(['--quick', '2']), /--quick: must be a share between 0 and 1/);
    assert.throws(() => parseOptions(['--dwell', '5s-1s']), /--dwell: must be <min>-<max>/);
  });
});
