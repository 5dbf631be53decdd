import { createKafka } from '../kafka/client';
import type { RoleContext, RunningRole } from '../roles/role';
import { OutboxRelay } from './relay';

export async function startOutboxRelay({ config, pool }: RoleContext): Promise<RunningRole> {
  const relay = new OutboxRelay({
    pool,
    kafka: createKafka(config, 'outbox-relay'),
    databaseUrl: config.database.url,
    retentionMs: config.outbox.retentionMs,
  });
  await relay.start();
  return {
    name: 'outbox-relay',
    describe: 'outbox relay publishing to Kafka',
    async stop() {
      await relay.stop();
    },
  };
}
