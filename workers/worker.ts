/** The payment worker: authorizePayment and its activities on the configured task queue. */
import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { Config } from '../config';

/**
 * The prebuilt workflow bundle (`npm run build` writes dist/workflow-bundle.js) when this file runs from
 * dist/, so production starts skip bundling; from source, the worker bundles workflows/ itself.
 */
const PREBUILT_BUNDLE = path.resolve(__dirname, '..', 'workflow-bundle.js');
export const WORKFLOWS_PATH = require.resolve('../workflows');

export function workflowCode(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  return fs.existsSync(PREBUILT_BUNDLE) ? { workflowBundle: { codePath: PREBUILT_BUNDLE } } : { workflowsPath: WORKFLOWS_PATH };
}

export async function createPaymentWorker(opts: {
  config: Config;
  connection: NativeConnection;
  activities: Activities;
  /** Tests pass a bundle they built once; otherwise see workflowCode(). */
  workflowCode?: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;
  taskQueue?: string;
}): Promise<Worker> {
  const { config } = opts;
  return Worker.create({
    connection: opts.connection,
    namespace: config.temporal.namespace,
    taskQueue: opts.taskQueue ?? config.temporal.taskQueue,
    activities: opts.activities,
    ...(opts.workflowCode ?? workflowCode()),
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    // On SIGTERM: stop polling, let running activities finish within this grace time, then exit.
    shutdownGraceTime: '20s',
  });
}
