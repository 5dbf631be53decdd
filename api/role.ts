import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DeadLetterFollower } from '../kafka/dead-letter-follower';
import { listen } from '../roles/listen';
import { bridgeGroupIds } from '../roles/consumer-groups';
import { createKafka } from '../kafka/client';
import { checkGroupsConsuming } from '../kafka/lag';
import type { RoleContext, RunningRole } from '../roles/role';
import { payloadCodec } from '../temporal/codec';
import { createTemporalClient } from '../temporal/connection';
import { checkReady, createApiApp } from './app';
import { EventStreams } from './event-stream';
import { startPeriodicJob } from '../roles/periodic-job';
import { applyConsoleSessionExpiry } from '../db/console-sessions';
import { applyIdempotencyKeyRetention } from './idempotency';
import { createMerchantTotalsTable } from './merchants';

const RETENTION_EVERY_MS = 600_000;

export async function startApi({ config, pool }: RoleContext): Promise<RunningRole> {
  const client = await createTemporalClient(config);
  // Read in the background: /health/ready says not ready until it has caught up once.
  const kafka = createKafka(config, 'api');
  const merchantTotals = createMerchantTotalsTable(kafka, config.kafka.clientId);
  await merchantTotals.start();
  // Followed in the background too: GET /dead-letters/kafka answers 503 until it has caught up once.
  const deadLetters = new DeadLetterFollower(kafka, { groupId: `${config.kafka.clientId}-api-dead-letters-${randomUUID()}` });
  await deadLetters.start();
  const admin = kafka.admin();
  await admin.connect();
  const streams = new EventStreams(pool);
  const groups = bridgeGroupIds(config);
  const bridgeConsuming = () => checkGroupsConsuming(admin, [groups.requests, groups.accounts]);
  const app = createApiApp({
    pool,
    client,
    config,
    merchantTotals,
    bridgeConsuming,
    kafkaDeadLetters: { kafka, follower: deadLetters },
    streams,
    codec: payloadCodec(config),
  });
  const server = await listen(app, config.api.port, config.httpHost).catch(async (err: unknown) => {
    await merchantTotals.stop();
    await deadLetters.stop();
    await admin.disconnect();
    throw err;
  });
  const retention = startPeriodicJob({
    name: 'idempotency-key-retention',
    everyMs: RETENTION_EVERY_MS,
    run: () => applyIdempotencyKeyRetention(pool, config.api.idempotencyKeyRetentionMs),
  });
  const sessionExpiry = startPeriodicJob({
    name: 'console-session-expiry',
    everyMs: RETENTION_EVERY_MS,
    run: () => applyConsoleSessionExpiry(pool),
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name: 'api',
    describe: `api listening on ${url} (OpenAPI ${url}/openapi.json, operator console ${url}/console)`,
    ready: () => checkReady({ pool, client, merchantTotals, bridgeConsuming }).then(() => true),
    async stop() {
      await retention.stop();
      await sessionExpiry.stop();
      // Streams first: they hold their connections open, and poll the pool that the process closes next.
      await streams.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await merchantTotals.stop();
      await deadLetters.stop();
      await admin.disconnect();
      await client.connection.close();
    },
  };
}
