/** The payment worker: authorizePayment and its activities on the configured task queue. */
import fs from 'node:fs';
import path from 'node:path';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { setupTracing } from '../observability/tracing';
import type { Activities } from '../activities';
import type { Config } from '../config';
import { temporalDataConverter } from '../temporal/codec';
import { workerVersion } from './versioning';

/**
 * The prebuilt workflow bundle (`npm run build` writes dist/workflow-bundle.js) when this file runs from
 * dist/, so production starts skip bundling; from source, the worker bundles workflows/ itself.
 */
const PREBUILT_BUNDLE = path.resolve(__dirname, '..', 'workflow-bundle.js');
export const WORKFLOWS_PATH = require.resolve('../workflows');
/** Temporal's OpenTelemetry workflow interceptors: bundled with the workflows (they run in the sandbox). */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

export function workflowCode(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  return fs.existsSync(PREBUILT_BUNDLE) ? { workflowBundle: { codePath: PREBUILT_BUNDLE } } : { workflowsPath: WORKFLOWS_PATH };
}

/**
 * Workflow task slots and pollers of the payment worker (the bench's floor worker uses the same). Every payment
 * is a new workflow whose first task waits on the task queue's normal (not sticky) partition. With the SDK's
 * defaults (10 pollers, a fifth of them on the normal queue, 20 slots) first tasks queued for seconds under load
 * while the sticky pollers idled; pollers split evenly, more of them and more slots took the bench from about 10 to
 * 16-17 payments decided per second at 20/s offered, the machine then CPU-bound (docs/performance.md).
 */
export function workflowTaskSlots(config: Config): Pick<
  WorkerOptions,
  'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentWorkflowTaskPolls' | 'nonStickyToStickyPollRatio'
> {
  return {
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    maxConcurrentWorkflowTaskPolls: Math.max(2, Math.min(20, config.worker.maxConcurrentWorkflowTasks)),
    nonStickyToStickyPollRatio: 1,
  };
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
  const version = workerVersion(config);
  // Workflow spans leave the sandbox through this sink, into the process's span processors.
  const tracing = setupTracing({
    serviceName: config.observability.serviceName,
    otlpEndpoint: config.observability.otlpEndpoint,
  });
  return Worker.create({
    connection: opts.connection,
    namespace: config.temporal.namespace,
    taskQueue: opts.taskQueue ?? config.temporal.taskQueue,
    activities: opts.activities,
    // Payloads encrypted before they reach Temporal; the failure converter is bundled with the workflows.
    dataConverter: temporalDataConverter(config),
    // A version of the worker deployment; a saga it starts stays on it (workers/versioning.ts).
    ...(version ? { workerDeploymentOptions: { version, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' } } : {}),
    ...(opts.workflowCode ?? workflowCode()),
    ...(tracing.exporting()
      ? {
          interceptors: {
            workflowModules: WORKFLOW_INTERCEPTOR_MODULES,
            activity: [
              (ctx) => ({
                inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
                outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
              }),
            ],
          },
        }
      : {}),
    // Registered either way: a prebuilt bundle (npm run build) has the workflow interceptors compiled in.
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    ...workflowTaskSlots(config),
    // On SIGTERM: stop polling, let running activities finish within this grace time, then exit.
    shutdownGraceTime: '20s',
  });
}
