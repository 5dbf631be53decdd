/** The bridge process: `npm run bridge`. Logs consumer lag every 30 s; stops gracefully on SIGTERM or SIGINT. */
import { ConfigError, loadConfig } from '../config';
import { TOPICS } from '../contracts/topics';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createKafka } from '../kafka/client';
import { ensureTopics } from '../kafka/topics';
import { createTemporalClient } from '../temporal/connection';
import { bridgeGroupIds, createBridge } from './index';
import { consumerLag } from './lag';

async function main(): Promise<void> {
  const config = loadConfig();
  const pool = createPool(config);
  await migrate(pool);
  const kafka = createKafka(config, 'bridge');
  await ensureTopics(kafka, config);
  const client = await createTemporalClient(config);
  const bridge = createBridge({ config, kafka, pool, client });
  await bridge.start();
  console.log(`bridge: consuming ${TOPICS.paymentRequested} and ${TOPICS.accountStateUpdated}`);

  const admin = kafka.admin();
  await admin.connect();
  const groups = bridgeGroupIds(config);
  const reportLag = setInterval(() => {
    void Promise.all([
      consumerLag(admin, groups.requests, TOPICS.paymentRequested),
      consumerLag(admin, groups.accounts, TOPICS.accountStateUpdated),
    ])
      .then(([requests, accounts]) => {
        const total = (l: { lag: number }[]) => l.reduce((sum, p) => sum + p.lag, 0);
        console.log(`bridge: lag ${TOPICS.paymentRequested}=${total(requests)} ${TOPICS.accountStateUpdated}=${total(accounts)}`);
      })
      .catch((err: Error) => console.error(`bridge: lag unavailable: ${err.message}`));
  }, 30_000);

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  console.log('bridge: stopping');
  clearInterval(reportLag);
  await bridge.stop();
  await admin.disconnect();
  await client.connection.close();
  await pool.end();
  console.log('bridge: stopped');
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
