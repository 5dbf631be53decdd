/**
 * The deploy drill on the real dev server, in both modes, with few payments: Worker Versioning keeps the waiting
 * sagas on the build they started on through an unpatched change, and without it the same deploy breaks them.
 */
import assert from 'node:assert/strict';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { formatDeployDrill } from '../../tools/deploy-drill/report';
import { runDeployDrill } from '../../tools/deploy-drill/run';

const SMALL = { payments: 20, review: 4, log: () => undefined };

describe('npm run deploy-drill', function () {
  this.timeout(240_000);

  before(() => {
    // The control's failing workflow tasks are core warnings, one per saga: the drill counts them itself.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
  });

  it('versioned: every waiting saga stays pinned to v1 through the deploy and decides there; new ones run on v2', async () => {
    const r = await runDeployDrill({ ...SMALL, unversioned: false });
    const report = formatDeployDrill(r);
    assert.equal(r.mode, 'versioned');
    assert.equal(r.payments, 20);
    assert.equal(r.review, 4);
    assert.equal(r.after, 20);
    assert.deepEqual(r.decided, { authorized: 40, declined: 0, undecided: 0 }, report);
    assert.equal(r.versions.oldPinnedV1, 20, report);
    assert.equal(r.versions.newOnV2, 20, report);
    assert.deepEqual(r.versions.seen, { [`PINNED on ${r.builds.v1}`]: 20, [`PINNED on ${r.builds.v2}`]: 20 }, report);
    assert.equal(r.taskFailures, 0, report);
    assert.equal(r.nondeterminism.count, 0, report);
    assert.equal(r.runningOnV1AtSwitch, 20, report);
    assert.equal(r.runningOnV1, 0, report);
    assert.ok(r.drainageV1 === 'DRAINING' || r.drainageV1 === 'DRAINED', `v1's drainage is reported (${r.drainageV1})`);
    assert.equal(r.terminated, 0, report);
    assert.equal(r.leftRunning, 0, report);
    assert.ok(r.ok, report);
    for (const p of ['setup', 'start', 'deploy', 'after', 'deliver', 'close', 'check', 'teardown'] as const)
      assert.equal(typeof r.phasesMs[p], 'number', `phase ${p} is timed`);
  });

  it('unversioned: the same deploy replays the waiting sagas on v2, they fail as nondeterministic, and none is left running', async () => {
    const r = await runDeployDrill({ ...SMALL, unversioned: true });
    const report = formatDeployDrill(r);
    assert.equal(r.mode, 'unversioned');
    assert.ok(r.nondeterminism.count >= 1, report);
    assert.ok(r.nondeterminism.count <= r.nondeterminism.ofWaiting, report);
    assert.match(r.nondeterminism.firstMessage ?? '', /Nondeterminism error/, report);
    assert.deepEqual(r.versions.seen, { unversioned: 40 }, report);
    // The new sagas never ran on v1: v2's code is fine for them.
    assert.equal(r.decided.authorized, 20, report);
    assert.ok(r.terminated >= r.nondeterminism.count, report);
    assert.equal(r.leftRunning, 0, report);
    assert.ok(r.ok, report);
  });
});
