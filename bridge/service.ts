import { TOPICS } from '../contracts/topics';
import { createKafka } from '../kafka/client';
import { logger } from '../observability/logger';
import { gauges } from '../observability/metrics';
import type { RoleContext, RunningRole } from '../roles/role';
import { createTemporalClient } from '../temporal/connection';
import { bridgeGroupIds, createBridge } from './index';
import { consumerLag } from './lag';

export async function startBridge({ config, pool }: RoleContext): Promise<RunningRole> {
  const kafka = createKafka(config, 'bridge');
  const client = await createTemporalClient(config);
  const bridge = createBridge({ config, kafka, pool, client });
  await bridge.start();

  const admin = kafka.admin();
  await admin.connect();
  const groups = bridgeGroupIds(config);
  // Lag is read when Prometheus scrapes /metrics (paysaga_kafka_consumer_lag).
  const removeProbes = (
    [
      [groups.requests, TOPICS.paymentRequested],
      [groups.accounts, TOPICS.accountStateUpdated],
    ] as const
  ).map(([group, topic]) =>
    gauges.consumerLag.addProbe(async () => [
      { labels: { group, topic }, value: (await consumerLag(admin, group, topic)).reduce((sum, p) => sum + p.lag, 0) },
    ]),
  );
  logger.debug({ groups }, 'bridge started');

  return {
    name: 'bridge',
    describe: `bridge consuming ${TOPICS.paymentRequested} and ${TOPICS.accountStateUpdated}`,
    ready: async () => bridge.requests.healthy && bridge.accounts.healthy,
    async stop() {
      removeProbes.forEach((remove) => remove());
      await bridge.stop();
      await admin.disconnect();
      await client.connection.close();
    },
  };
}
