import { TOPICS } from '../contracts/topics';
import { createKafka } from '../kafka/client';
import { watchConsumers } from '../kafka/lag';
import type { RoleContext, RunningRole } from '../roles/role';
import { createTemporalClient } from '../temporal/connection';
import { createBridge } from './consumers';

export async function startBridge({ config, pool }: RoleContext): Promise<RunningRole> {
  const kafka = createKafka(config, 'bridge');
  const client = await createTemporalClient(config);
  const bridge = createBridge({ config, kafka, pool, client });
  await bridge.start();
  const health = await watchConsumers(kafka, [bridge.requests, bridge.accounts]);
  return {
    name: 'bridge',
    describe: `bridge consuming ${TOPICS.paymentRequested} and ${TOPICS.accountStateUpdated}`,
    ready: health.ready,
    async stop() {
      await health.stop();
      await bridge.stop();
      await client.connection.close();
    },
  };
}
