import { Client, Connection } from '@temporalio/client';
import { toClientOptions, type ConfigDataSource } from '@temporalio/envconfig';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Config } from '../config';
import { temporalUnavailable, waitForEngine } from '../roles/startup';
import { temporalDataConverter } from './codec';
import { localWorkerConnection } from './local-worker';

const source = (path?: string, data?: string): ConfigDataSource | undefined =>
  path !== undefined ? { path } : data !== undefined ? { data } : undefined;

/**
 * Connection options for a client (Connection) or a worker (NativeConnection): the local dev server, a
 * self-hosted cluster with TLS or mTLS, or Temporal Cloud with an API key. The options are made by
 * @temporalio/envconfig's toClientOptions, as for any Temporal SDK client, from the resolved profile.
 */
export function temporalConnectionOptions(config: Config) {
  const { address, apiKey, tls, grpcMeta } = config.temporal;
  const { connectionOptions } = toClientOptions({
    address,
    apiKey,
    grpcMeta,
    tls: tls && {
      serverName: tls.serverName,
      serverCACert: source(tls.serverCaCertPath, tls.serverCaCertData),
      clientCert: source(tls.clientCertPath, tls.clientCertData),
      clientKey: source(tls.clientKeyPath, tls.clientKeyData),
    },
  });
  return { address, apiKey, tls: connectionOptions.tls, metadata: connectionOptions.metadata };
}

export const connectTemporal = (config: Config): Promise<Connection> => Connection.connect(temporalConnectionOptions(config));

/**
 * A client whose payloads are encrypted with the payload codec (temporal/codec.ts) and whose workflow starts and
 * signals carry the caller's trace context to the workflow. A role that starts while Temporal restarts waits for
 * it (roles/startup.ts).
 */
export async function createTemporalClient(config: Config): Promise<Client> {
  const dataConverter = temporalDataConverter(config); // before connecting: missing keys fail at once
  return new Client({
    connection: await waitForEngine('Temporal', () => connectTemporal(config), temporalUnavailable),
    namespace: config.temporal.namespace,
    dataConverter,
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
}

/**
 * The client of a role that starts sagas (the bridge). When this process runs the payment worker too, the client
 * shares the worker's connection and `eager` is true: starts may ask for eager workflow start (temporal/local-worker.ts).
 * `close` closes the client's own connection, never the worker's.
 */
export async function createStarterClient(
  config: Config,
): Promise<{ client: Client; eager: boolean; close: () => Promise<void> }> {
  const shared = localWorkerConnection(config.temporal.namespace, config.temporal.taskQueue);
  if (!shared) {
    const client = await createTemporalClient(config);
    return { client, eager: false, close: () => client.connection.close() };
  }
  const client = new Client({
    connection: shared,
    namespace: config.temporal.namespace,
    dataConverter: temporalDataConverter(config),
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
  return { client, eager: true, close: () => Promise.resolve() };
}
