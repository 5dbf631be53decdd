import assert from 'node:assert/strict';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { testServerPath } from '../../tools/stack';
import { sleepOneDay } from '../fixtures/workflows';

/** A time-skipping environment on the Java test server that `npm run stack -- up` provisioned. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath(loadConfig()) } },
  });
}

describe('time-skipping test server (Java, existing-path)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;

  before(async function () {
    this.timeout(60_000);
    Runtime.install({ logger: new DefaultLogger('WARN') });
    env = await createTimeSkippingEnv();
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../fixtures/workflows'),
      logger: new DefaultLogger('WARN'),
    });
  });

  after(async function () {
    this.timeout(30_000);
    await env?.teardown();
  });

  // No timeout of its own: mocha's default bounds it, so a day must pass in skipped, not real, time.
  it('completes a workflow that sleeps one day', async () => {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'time-skipping', workflowBundle });
    const elapsed = await worker.runUntil(
      env.client.workflow.execute(sleepOneDay, { taskQueue: 'time-skipping', workflowId: 'sleep-one-day' }),
    );
    assert.ok(elapsed >= 86_400_000, `workflow time advanced only ${elapsed} ms`);
  });

  it('starts ten environments one after another, each from a cold JVM', async function () {
    this.timeout(120_000);
    for (let i = 0; i < 10; i++) {
      const fresh = await createTimeSkippingEnv();
      try {
        const info = await fresh.connection.workflowService.getSystemInfo({});
        assert.ok(info.capabilities, `environment ${i + 1} answered no system info`);
      } finally {
        await fresh.teardown();
      }
    }
  });
});
