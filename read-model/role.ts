import { createKafka } from '../kafka/client';
import { applyInboxRetention } from '../db/inbox';
import type { RoleContext, RunningRole } from '../roles/role';
import { watchConsumers } from '../kafka/lag';
import { createReadModelConsumers } from './consumers';
import { READ_MODEL } from './projection';
import { applyPaymentRetention } from './retention';
import { startPeriodicJob } from '../roles/periodic-job';
import { TOPICS } from '../contracts/topics';

const RETENTION_EVERY_MS = 3_600_000;

export async function startReadModel({ config, pool }: RoleContext): Promise<RunningRole> {
  const kafka = createKafka(config, 'read-model');
  const consumers = createReadModelConsumers({ config, kafka, pool });
  await consumers.start();
  const health = await watchConsumers(kafka, [consumers.requests, consumers.decisions]);
  // Retention of its inbox rows, a day older than anything a topic can replay (each consumer deletes its own),
  // and of decided payments.
  const retention = [
    startPeriodicJob({
      name: 'read-model-inbox-retention',
      everyMs: RETENTION_EVERY_MS,
      run: () => applyInboxRetention(pool, READ_MODEL, config.inbox.retentionMs),
    }),
    startPeriodicJob({
      name: 'payment-retention',
      everyMs: RETENTION_EVERY_MS,
      run: () => applyPaymentRetention(pool, config.payments.retentionMs),
    }),
  ];
  return {
    name: 'read-model',
    describe: `read model folding ${TOPICS.paymentRequested} and ${TOPICS.paymentDecided}`,
    ready: health.ready,
    async stop() {
      await Promise.all(retention.map((job) => job.stop()));
      await health.stop();
      await consumers.stop();
    },
  };
}
