/** The api process: `npm run api`. Purges expired Idempotency-Keys; stops gracefully on SIGTERM or SIGINT. */
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { listen } from '../http/listen';
import { createTemporalClient } from '../temporal/connection';
import { createApiApp } from './app';
import { purgeKeys } from './idempotency';

async function main(): Promise<void> {
  const config = loadConfig();
  const pool = createPool(config);
  await migrate(pool);
  const client = await createTemporalClient(config);
  const server = await listen(createApiApp({ pool, client, config }), config.api.port);
  console.log(`api: listening on http://127.0.0.1:${(server.address() as AddressInfo).port} (OpenAPI at /openapi.json)`);
  const purge = setInterval(() => void purgeKeys(pool, config.api.idempotencyKeyRetentionMs).catch(() => undefined), 600_000);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  console.log('api: stopping');
  clearInterval(purge);
  await new Promise((r) => server.close(r));
  await client.connection.close();
  await pool.end();
  console.log('api: stopped');
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
