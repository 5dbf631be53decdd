import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { countWaiting } from '../db/payment-waits';
import { applySagaRecordRetention } from '../db/retention';
import { gauges } from '../observability/metrics';
import type { RoleContext, RunningRole } from '../roles/role';
import { temporalConnectionOptions } from '../temporal/connection';
import { reportFatal } from '../roles/lifecycle';
import { startPeriodicJob } from '../roles/periodic-job';
import { temporalUnavailable, waitForEngine } from '../roles/startup';
import { promoteAtStart, workerVersion } from './versioning';
import { createPaymentWorker } from './worker';
import { registerLocalWorker } from '../temporal/local-worker';

export async function startWorker({ config, pool }: RoleContext): Promise<RunningRole> {
  const connection = await waitForEngine('Temporal', () => NativeConnection.connect(temporalConnectionOptions(config)), temporalUnavailable);
  const activities = createActivities({
    pool,
    gatewayUrl: config.gateway.url,
    gatewayRequestTimeoutMs: config.gateway.requestTimeoutMs,
  });
  const worker = await createPaymentWorker({ config, connection, activities });
  // The worker rides out a Temporal restart by itself (its polls retry); a run that ends in an error is a
  // worker that will poll no more: the process exits non-zero so its supervisor starts a new one.
  const running = worker.run().catch((err: unknown) => reportFatal('worker', err));
  // Polling now: a first deploy (or one machine's restart, WORKER_PROMOTE) makes this build the current one.
  const version = workerVersion(config);
  if (version)
    await promoteAtStart(connection, config, version).catch(async (err: unknown) => {
      worker.shutdown();
      await running;
      await connection.close();
      throw err;
    });
  // A starter of this process (the bridge) may start sagas eagerly on this worker.
  const unregister = registerLocalWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
  });
  // Hourly: retention of released reservations and decision records past the replay window.
  const retention = startPeriodicJob({
    name: 'saga-record-retention',
    everyMs: 3_600_000,
    run: () => applySagaRecordRetention(pool, config.inbox.retentionMs),
  });
  const removeProbe = gauges.paymentsWaiting.addProbe(async () => [
    { value: await countWaiting(pool) },
  ]);
  return {
    name: 'worker',
    describe:
      `worker polling task queue ${config.temporal.taskQueue} in namespace ${config.temporal.namespace}` +
      (version ? `, version ${version.buildId} of deployment ${version.deploymentName}` : ', unversioned'),
    ready: async () => worker.getState() === 'RUNNING',
    async stop() {
      unregister();
      removeProbe();
      await retention.stop();
      // Stops polling and lets running activities finish within the shutdown grace time. On SIGINT or
      // SIGTERM the SDK has begun that shutdown already.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
