/**
 * tools/chaos/schedule.ts: the fault suite's plan on the cluster topology. Its own faults (broker and controller
 * kills, restarts, a rolling restart, a kill of one instance of every role, Temporal's history service) join the
 * draw; role kills name instances; the single-node engine restarts do not apply there.
 */
import assert from 'node:assert/strict';
import { CLUSTER_FAULTS, clusterInstanceNames, planChaos } from '../../tools/chaos/schedule';
import { clusterInstances } from '../../tools/supervisor';
import { ROLE_NAMES } from '../../roles';

const options = { seed: 7, payments: 200, ratePerSecond: 5, faults: 18, runId: 'r', cluster: true };

describe('the fault suite on the cluster topology (tools/chaos/schedule.ts)', () => {
  it('names every instance the supervisor runs: two of each role, the gateway once', () => {
    const names = clusterInstanceNames();
    assert.equal(
      names.length,
      ROLE_NAMES.reduce((n, role) => n + clusterInstances(role), 0),
    );
    assert.ok(names.includes('gateway') && !names.includes('gateway-1'));
    assert.ok(names.includes('bridge-1') && names.includes('bridge-2') && !names.includes('bridge'));
  });

  it('draws every cluster fault within 18 faults, kills instances only, and restarts no single-node engine', () => {
    const { faults } = planChaos(options);
    const cluster = faults.filter((f) => f.kind === 'cluster-fault').map((f) => f.target);
    assert.deepEqual([...new Set(cluster)].sort(), [...CLUSTER_FAULTS].sort());
    const kills = faults.filter((f) => f.kind === 'kill-role').map((f) => f.target);
    assert.ok(kills.length > 0);
    for (const target of kills) assert.ok(clusterInstanceNames().includes(target), target);
    assert.equal(faults.filter((f) => f.kind === 'restart-engine').length, 0);
    for (const f of faults) if (f.kind === 'cluster-fault') assert.ok(f.pick >= 1 && f.pick <= 3 && f.downMs >= 3_000);
  });

  it('replays the same plan from the same seed, and a single-node plan is as before', () => {
    assert.deepEqual(planChaos(options), planChaos(options));
    const single = planChaos({ ...options, cluster: false });
    assert.equal(single.faults.filter((f) => f.kind === 'cluster-fault').length, 0);
    assert.ok(single.faults.some((f) => f.kind === 'restart-engine'));
  });
});
