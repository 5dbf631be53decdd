import { createKafka } from '../kafka/client';
import { pruneInbox } from '../db/inbox';
import type { RoleContext, RunningRole } from '../roles/role';
import { reportLag } from '../kafka/lag';
import { createReadModelConsumers, readModelGroupIds } from './consumers';
import { READ_MODEL } from './projection';
import { purgeDecidedPayments } from './retention';
import { TOPICS } from '../contracts/topics';

const PRUNE_EVERY_MS = 3_600_000;

export async function startReadModel({ config, pool }: RoleContext): Promise<RunningRole> {
  const kafka = createKafka(config, 'read-model');
  const consumers = createReadModelConsumers({ config, kafka, pool });
  await consumers.start();
  const groups = readModelGroupIds(config);
  const stopLag = await reportLag(kafka, [
    { group: groups.requests, topic: TOPICS.paymentRequested },
    { group: groups.decisions, topic: TOPICS.paymentDecided },
  ]);
  // Its inbox rows a day older than anything a topic can replay (each consumer prunes its own), and decided
  // payments past their retention.
  const prune = setInterval(() => {
    void pruneInbox(pool, READ_MODEL, config.inbox.retentionMs).catch(() => undefined);
    void purgeDecidedPayments(pool, config.payments.retentionMs).catch(() => undefined);
  }, PRUNE_EVERY_MS);
  return {
    name: 'read-model',
    describe: `read model folding ${TOPICS.paymentRequested} and ${TOPICS.paymentDecided}`,
    ready: async () => consumers.requests.healthy && consumers.decisions.healthy,
    async stop() {
      clearInterval(prune);
      await stopLag();
      await consumers.stop();
    },
  };
}
