/** The payment worker process: `npm run worker`. Stops gracefully on SIGTERM or SIGINT. */
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { ConfigError, loadConfig } from '../config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { temporalConnectionOptions } from '../temporal/connection';
import { createPaymentWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const pool = createPool(config);
  await migrate(pool);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const activities = createActivities({
    pool,
    gatewayUrl: config.gateway.url,
    gatewayRequestTimeoutMs: config.gateway.requestTimeoutMs,
  });
  const worker = await createPaymentWorker({ config, connection, activities });
  console.log(`worker: polling task queue ${config.temporal.taskQueue} in namespace ${config.temporal.namespace}`);
  try {
    // The SDK shuts the worker down on SIGTERM/SIGINT: run() resolves once in-flight tasks are done.
    await worker.run();
  } finally {
    await connection.close();
    await pool.end();
  }
  console.log('worker: stopped');
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
