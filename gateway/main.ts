/** The gateway simulator as its own process: `npm run gateway`. */
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { FaultInjector } from './faults';
import { listen } from '../http/listen';
import { createGatewayApp } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const pool = createPool(config);
  await migrate(pool);
  const faults = new FaultInjector(config.gateway.faults);
  const server = await listen(createGatewayApp({ pool, faults }), config.gateway.port);
  console.log(`gateway simulator: listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const stop = () => {
    console.log('gateway simulator: stopping');
    server.close(() => void pool.end().then(() => process.exit(0)));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
