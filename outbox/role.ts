import { createKafka } from '../kafka/client';
import type { RoleContext, RunningRole } from '../roles/role';
import { gauges } from '../observability/metrics';
import { OutboxRelay } from './relay';
import { applyOutboxRetention, countUnsent } from '../db/outbox';
import { startPeriodicJob } from '../roles/periodic-job';

export async function startOutboxRelay({ config, pool }: RoleContext): Promise<RunningRole> {
  const relay = new OutboxRelay({
    pool,
    kafka: createKafka(config, 'outbox-relay'),
    databaseUrl: config.database.url,
  });
  await relay.start();
  const retention = startPeriodicJob({
    name: 'outbox-retention',
    everyMs: 60_000,
    run: () => applyOutboxRetention(pool, config.outbox.retentionMs),
  });
  const removeProbe = gauges.outboxBacklog.addProbe(async () => [{ value: await countUnsent(pool) }]);
  return {
    name: 'outbox-relay',
    describe: 'outbox relay publishing to Kafka',
    ready: async () => relay.failures === 0,
    async stop() {
      removeProbe();
      await retention.stop();
      await relay.stop();
    },
  };
}
