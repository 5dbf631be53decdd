/** The outbox relay process: `npm run outbox-relay`. Stops gracefully on SIGTERM or SIGINT. */
import { ConfigError, loadConfig } from '../config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createKafka } from '../kafka/client';
import { ensureTopics } from '../kafka/topics';
import { OutboxRelay } from './relay';

async function main(): Promise<void> {
  const config = loadConfig();
  const pool = createPool(config);
  await migrate(pool);
  const kafka = createKafka(config, 'outbox-relay');
  await ensureTopics(kafka, config);
  const relay = new OutboxRelay({ pool, kafka, databaseUrl: config.database.url, retentionMs: config.outbox.retentionMs });
  await relay.start();
  console.log('outbox relay: publishing');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  console.log('outbox relay: stopping');
  await relay.stop();
  await pool.end();
  console.log(`outbox relay: stopped after publishing ${relay.published} events`);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
