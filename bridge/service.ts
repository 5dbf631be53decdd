import { TOPICS } from '../contracts/topics';
import { createKafka } from '../kafka/client';
import type { RoleContext, RunningRole } from '../roles/role';
import { createTemporalClient } from '../temporal/connection';
import { bridgeGroupIds, createBridge } from './index';
import { consumerLag } from './lag';

const LAG_REPORT_MS = 30_000;

export async function startBridge({ config, pool }: RoleContext): Promise<RunningRole> {
  const kafka = createKafka(config, 'bridge');
  const client = await createTemporalClient(config);
  const bridge = createBridge({ config, kafka, pool, client });
  await bridge.start();

  const admin = kafka.admin();
  await admin.connect();
  const groups = bridgeGroupIds(config);
  const total = (l: { lag: number }[]) => l.reduce((sum, p) => sum + p.lag, 0);
  const reportLag = setInterval(() => {
    void Promise.all([
      consumerLag(admin, groups.requests, TOPICS.paymentRequested),
      consumerLag(admin, groups.accounts, TOPICS.accountStateUpdated),
    ])
      .then(([requests, accounts]) =>
        console.log(`bridge: lag ${TOPICS.paymentRequested}=${total(requests)} ${TOPICS.accountStateUpdated}=${total(accounts)}`),
      )
      .catch((err: Error) => console.error(`bridge: lag unavailable: ${err.message}`));
  }, LAG_REPORT_MS);

  return {
    name: 'bridge',
    describe: `bridge consuming ${TOPICS.paymentRequested} and ${TOPICS.accountStateUpdated}`,
    async stop() {
      clearInterval(reportLag);
      await bridge.stop();
      await admin.disconnect();
      await client.connection.close();
    },
  };
}
