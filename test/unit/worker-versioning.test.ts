/** The payment worker's version and what a starting worker does with it (workers/versioning.ts); the server faked. */
import assert from 'node:assert/strict';
import { loadConfig } from '../../config';
import { promoteAtStart, workerVersion, workflowBuildId, workflowSourceFiles } from '../../workers/versioning';

/** A WorkflowService that knows one deployment's current build, refuses `refusals` promotions first, and records calls. */
function fakeService(current: string | undefined, refusals: { code: number }[] = []) {
  const promoted: string[] = [];
  const service = {
    describeWorkerDeployment: () =>
      current === undefined
        ? Promise.reject(Object.assign(new Error('not found'), { code: 5 }))
        : Promise.resolve({ workerDeploymentInfo: { routingConfig: { currentDeploymentVersion: { buildId: current } } } }),
    setWorkerDeploymentCurrentVersion: (req: { buildId: string }) => {
      const refusal = refusals.shift();
      if (refusal) return Promise.reject(Object.assign(new Error('not yet'), refusal));
      promoted.push(req.buildId);
      current = req.buildId;
      return Promise.resolve({});
    },
  };
  return { connection: { workflowService: service } as never, promoted };
}

describe('worker versioning', () => {
  it('names the build after the workflow code, the same on every call', () => {
    assert.match(workflowBuildId(), /^wf-[0-9a-f]{12}$/);
    assert.equal(workflowBuildId(), workflowBuildId());
  });

  it('hashes every project file the workflow bundle is made of, imports outside workflows/ included, and no package', () => {
    const files = workflowSourceFiles();
    for (const file of ['workflows/authorize-payment.ts', 'contracts/gateway-timeouts.ts', 'temporal/failure-converter.ts'])
      assert.ok(files.includes(file), `${file} is in the build id`);
    assert.ok(!files.some((f) => f.includes('node_modules')), 'packages are named by the SDK version');
    assert.ok(!files.some((f) => f.startsWith('activities/')), 'activities are not replayed: not in the build id');
  });

  it('is a version of paysaga-<task queue> unless told otherwise, and none when versioning is off', () => {
    assert.deepEqual(workerVersion(loadConfig({ TEMPORAL_TASK_QUEUE: 'payments' })), {
      deploymentName: 'paysaga-payments',
      buildId: workflowBuildId(),
    });
    assert.deepEqual(workerVersion(loadConfig({ WORKER_DEPLOYMENT_NAME: 'pay', WORKER_BUILD_ID: 'release-42' })), {
      deploymentName: 'pay',
      buildId: 'release-42',
    });
    assert.equal(workerVersion(loadConfig({ WORKER_VERSIONING: 'off' })), undefined);
  });

  it('promotes as WORKER_PROMOTE says: first only when there is no current build, always at once, never not', async () => {
    const version = { deploymentName: 'paysaga-payments', buildId: 'v2' };
    const first = loadConfig({ TEMPORAL_ADDRESS: 'temporal.example:7233' });
    assert.equal(first.worker.promote, 'first', 'away from the local stack');
    assert.equal(loadConfig({}).worker.promote, 'always', 'on the local stack');

    let fake = fakeService(undefined);
    assert.equal(await promoteAtStart(fake.connection, first, version), true, 'a first deploy');
    assert.deepEqual(fake.promoted, ['v2']);

    fake = fakeService('v1');
    assert.equal(await promoteAtStart(fake.connection, first, version), false, 'a later deploy waits for its promotion');
    assert.deepEqual(fake.promoted, []);

    fake = fakeService('v1');
    assert.equal(await promoteAtStart(fake.connection, loadConfig({ WORKER_PROMOTE: 'always' }), version), true);
    assert.deepEqual(fake.promoted, ['v2']);

    fake = fakeService('v2');
    assert.equal(
      await promoteAtStart(fake.connection, loadConfig({ WORKER_PROMOTE: 'always' }), version),
      false,
      'already current',
    );

    fake = fakeService(undefined);
    assert.equal(await promoteAtStart(fake.connection, loadConfig({ WORKER_PROMOTE: 'never' }), version), false);
    assert.deepEqual(fake.promoted, []);
  });

  it('retries a promotion the server refuses until it has seen the new build poll, and gives up on other errors', async () => {
    const version = { deploymentName: 'd', buildId: 'v2' };
    const config = loadConfig({ WORKER_PROMOTE: 'always' });
    const fake = fakeService('v1', [{ code: 5 }, { code: 9 }]);
    assert.equal(await promoteAtStart(fake.connection, config, version), true);
    assert.deepEqual(fake.promoted, ['v2']);
    await assert.rejects(promoteAtStart(fakeService('v1', [{ code: 7 }]).connection, config, version), /not yet/);
  });
});
