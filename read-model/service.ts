import { createKafka } from '../kafka/client';
import { pruneInbox } from '../db/inbox';
import type { RoleContext, RunningRole } from '../roles/role';
import { createReadModelConsumers } from './index';
import { TOPICS } from '../contracts/topics';

const PRUNE_EVERY_MS = 3_600_000;

export async function startReadModel({ config, pool }: RoleContext): Promise<RunningRole> {
  const consumers = createReadModelConsumers({ config, kafka: createKafka(config, 'read-model'), pool });
  await consumers.start();
  // The inbox of every consumer in this database: rows a day older than anything a topic can replay.
  const prune = setInterval(() => void pruneInbox(pool, config.inbox.retentionMs).catch(() => undefined), PRUNE_EVERY_MS);
  return {
    name: 'read-model',
    describe: `read model folding ${TOPICS.paymentRequested} and ${TOPICS.paymentDecided}`,
    ready: async () => consumers.requests.healthy && consumers.decisions.healthy,
    async stop() {
      clearInterval(prune);
      await consumers.stop();
    },
  };
}
