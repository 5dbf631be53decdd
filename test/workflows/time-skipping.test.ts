import assert from 'node:assert/strict';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { testServerPath } from '../../tools/stack';
import { beforeColdStart } from '../cold-start';
import { sleepOneDay } from '../fixtures/workflows';

/** A time-skipping environment on the Java test server that `npm run stack -- up` provisioned. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath(loadConfig()) } },
  });
}

describe('time-skipping test server (Java, existing-path)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const sleepOneDayOn = (workflowId: string) =>
    env.client.workflow.execute(sleepOneDay, { taskQueue: 'time-skipping', workflowId });

  // The JVM's start, the bundle, the worker and the first workflow (which loads and compiles most of the server's
  // classes, and the worker's workflow sandbox): seconds on a cold 2-core machine, once per suite.
  beforeColdStart('test server, bundle, worker and a first workflow', async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    env = await createTimeSkippingEnv();
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../fixtures/workflows'),
      logger: new DefaultLogger('WARN'),
    });
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'time-skipping', workflowBundle });
    running = worker.run();
    await sleepOneDayOn('sleep-one-day-first');
  });

  after(async function () {
    this.timeout(30_000);
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  // No timeout of its own: mocha's default bounds it, so a day must pass in skipped, not real, time.
  it('completes a workflow that sleeps one day', async () => {
    const elapsed = await sleepOneDayOn('sleep-one-day');
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
