import type { AddressInfo } from 'node:net';
import { listen } from '../http/listen';
import type { RoleContext, RunningRole } from '../roles/role';
import { createTemporalClient } from '../temporal/connection';
import { createApiApp } from './app';
import { purgeKeys } from './idempotency';

const PURGE_EVERY_MS = 600_000;

export async function startApi({ config, pool }: RoleContext): Promise<RunningRole> {
  const client = await createTemporalClient(config);
  const server = await listen(createApiApp({ pool, client, config }), config.api.port);
  const purge = setInterval(
    () => void purgeKeys(pool, config.api.idempotencyKeyRetentionMs).catch(() => undefined),
    PURGE_EVERY_MS,
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name: 'api',
    describe: `api listening on ${url} (OpenAPI ${url}/openapi.json)`,
    async stop() {
      clearInterval(purge);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await client.connection.close();
    },
  };
}
