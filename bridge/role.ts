import { TOPICS } from '../contracts/topics';
import { createKafka } from '../kafka/client';
import { watchConsumers } from '../kafka/lag';
import type { RoleContext, RunningRole } from '../roles/role';
import { createStarterClient } from '../temporal/connection';
import { createBridge } from './consumers';

export async function startBridge({ config, pool }: RoleContext): Promise<RunningRole> {
  const kafka = createKafka(config, 'bridge');
  const { client, eager, close } = await createStarterClient(config);
  const bridge = createBridge({ config, kafka, pool, client, eagerStart: eager });
  await bridge.start();
  const health = await watchConsumers(kafka, [bridge.requests, bridge.accounts]);
  return {
    name: 'bridge',
    describe:
      `bridge consuming ${TOPICS.paymentRequested} and ${TOPICS.accountStateUpdated}` +
      (eager ? ', starting sagas eagerly on the worker of this process' : ''),
    ready: health.ready,
    async stop() {
      await health.stop();
      await bridge.stop();
      await close();
    },
  };
}
