/**
 * The fault suite's short variant (docs/chaos.md): every role as its own process, ~100 payments over REST and
 * Kafka with a late, duplicated and reordered legacy feed, overrides and review, while a seeded schedule kills
 * a role, restarts an engine and turns on gateway faults. Every fault must be injected and no invariant broken.
 */
import assert from 'node:assert/strict';
import { formatReport } from '../../tools/chaos/report';
import { runChaos } from '../../tools/chaos/run';
import { planChaos } from '../../tools/chaos/schedule';

describe('chaos: the seeded fault suite, short variant', function () {
  this.timeout(900_000);

  it('replays the same schedule from the same seed', () => {
    const options = { seed: 42, payments: 100, ratePerSecond: 5, faults: 3, runId: 'r' };
    assert.deepEqual(planChaos(options), planChaos(options));
    assert.notDeepEqual(planChaos(options).faults, planChaos({ ...options, seed: 43 }).faults);
    assert.deepEqual(
      planChaos(options).faults.map((f) => f.kind),
      ['kill-role', 'restart-engine', 'gateway-fault'],
    );
  });

  it('injects a role kill, an engine restart and gateway faults under 100 payments, with no violation', async () => {
    const lines: string[] = [];
    const report = await runChaos({ seed: 42, payments: 100, ratePerSecond: 5, faults: 3, log: (l) => lines.push(l) });
    const table = `${lines.join('\n')}\n${formatReport(report)}`;
    assert.ok(report.faults.allInjected, `every fault of the schedule injected:\n${table}`);
    assert.equal(report.payments.accepted, 100, table);
    assert.equal(report.violations.total, 0, table);
  });
});
