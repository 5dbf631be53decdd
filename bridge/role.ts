import { TOPICS } from '../contracts/topics';
import { createKafka } from '../kafka/client';
import { reportLag } from '../kafka/lag';
import type { RoleContext, RunningRole } from '../roles/role';
import { createTemporalClient } from '../temporal/connection';
import { bridgeGroupIds, createBridge } from './consumers';

export async function startBridge({ config, pool }: RoleContext): Promise<RunningRole> {
  const kafka = createKafka(config, 'bridge');
  const client = await createTemporalClient(config);
  const bridge = createBridge({ config, kafka, pool, client });
  await bridge.start();
  const groups = bridgeGroupIds(config);
  const stopLag = await reportLag(kafka, [
    { group: groups.requests, topic: TOPICS.paymentRequested },
    { group: groups.accounts, topic: TOPICS.accountStateUpdated },
  ]);
  return {
    name: 'bridge',
    describe: `bridge consuming ${TOPICS.paymentRequested} and ${TOPICS.accountStateUpdated}`,
    ready: async () => bridge.requests.healthy && bridge.accounts.healthy,
    async stop() {
      await stopLag();
      await bridge.stop();
      await client.connection.close();
    },
  };
}
