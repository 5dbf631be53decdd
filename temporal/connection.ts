import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Config } from '../config';
import { temporalUnavailable, waitForEngine } from '../roles/startup';

/**
 * Connection options for a client (Connection) or a worker (NativeConnection): the local dev server, a
 * self-hosted cluster with TLS or mTLS, or Temporal Cloud with an API key.
 */
export function temporalConnectionOptions(config: Config) {
  const { address, tls, apiKey } = config.temporal;
  const read = (file?: string) => (file ? fs.readFileSync(file) : undefined);
  return {
    address,
    apiKey,
    tls: tls
      ? {
          serverNameOverride: tls.serverName,
          serverRootCACertificate: read(tls.caFile),
          clientCertPair: tls.certFile && tls.keyFile ? { crt: read(tls.certFile)!, key: read(tls.keyFile)! } : undefined,
        }
      : undefined,
  };
}

export const connectTemporal = (config: Config): Promise<Connection> => Connection.connect(temporalConnectionOptions(config));

/**
 * A client whose workflow starts and signals carry the caller's trace context to the workflow. A role that
 * starts while Temporal restarts waits for it (roles/startup.ts).
 */
export async function createTemporalClient(config: Config): Promise<Client> {
  return new Client({
    connection: await waitForEngine('Temporal', () => connectTemporal(config), temporalUnavailable),
    namespace: config.temporal.namespace,
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
}
