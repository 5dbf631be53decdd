import { createKafka } from '../kafka/client';
import type { RoleContext, RunningRole } from '../roles/role';
import { gauges } from '../observability/metrics';
import { OutboxRelay } from './relay';

export async function startOutboxRelay({ config, pool }: RoleContext): Promise<RunningRole> {
  const relay = new OutboxRelay({
    pool,
    kafka: createKafka(config, 'outbox-relay'),
    databaseUrl: config.database.url,
    retentionMs: config.outbox.retentionMs,
  });
  await relay.start();
  const removeProbe = gauges.outboxBacklog.addProbe(async () => [
    { value: (await pool.query<{ n: number }>('select count(*)::int as n from outbox where sent_at is null')).rows[0]!.n },
  ]);
  return {
    name: 'outbox-relay',
    describe: 'outbox relay publishing to Kafka',
    ready: async () => relay.failures === 0,
    async stop() {
      removeProbe();
      await relay.stop();
    },
  };
}
