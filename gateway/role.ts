import type { AddressInfo } from 'node:net';
import { listen } from '../roles/listen';
import type { RoleContext, RunningRole } from '../roles/role';
import { FaultInjector } from './faults';
import { createGatewayApp } from './server';

export async function startGateway({ config, pool }: RoleContext): Promise<RunningRole> {
  const server = await listen(
    createGatewayApp({ pool, faults: new FaultInjector(config.gateway.faults) }),
    config.gateway.port,
    config.httpHost,
  );
  return {
    name: 'gateway',
    describe: `gateway simulator listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ready: async () => server.listening,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
