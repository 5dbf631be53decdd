/** The REST api (express + zod): stateless, so any number of them run behind a load balancer. */
import type { Client } from '@temporalio/client';
import express from 'express';
import type { Config } from '../config';
import type { EncryptionCodec } from '../temporal/codec';
import type { Pool } from '../db/pool';
import { httpServerTelemetry } from '../observability/http';
import { metricsHandler } from '../observability/server';
import { createAuth } from './auth';
import { codecRoutes } from './codec';
import { EventStreams } from './event-stream';
import { consoleRoutes } from './console';
import { consoleSessionRoutes } from './console-session';
import { kafkaDeadLetterRoutes, type KafkaDeadLetters } from './kafka-dead-letters';
import { ledgerRoutes } from './ledger';
import { merchantRoutes, type MerchantTotalsTable } from './merchants';
import { openApiDocument } from './openapi';
import { paymentEventRoutes } from './payment-events';
import { paymentHistoryRoutes } from './payment-history';
import { paymentRoutes, type PaymentRoutesHooks } from './payments';
import { errorHandler, problem } from './problem';
import { requestScope } from './request-scope';
import { reviewQueueRoutes } from './review-queue';
import { undeclaredRequests } from './undeclared';
import { webhookRoutes } from './webhooks';
import { fatalError } from '../roles/lifecycle';

/**
 * Throws, saying why, unless PostgreSQL and Temporal answer, the merchant totals have caught up once and are
 * followed, and (when given) the bridge's consumer groups consume: a payment accepted while no bridge consumes
 * would wait for account state that nobody delivers.
 */
export async function checkReady(opts: {
  pool: Pool;
  client: Client;
  merchantTotals?: MerchantTotalsTable;
  bridgeConsuming?: () => Promise<void>;
}): Promise<void> {
  await opts.pool.query('select 1');
  await opts.client.workflowService.getSystemInfo({});
  if (opts.merchantTotals && !opts.merchantTotals.isCaughtUp) throw new Error('merchant totals are still catching up');
  if (opts.merchantTotals && !opts.merchantTotals.healthy) throw new Error('merchant totals are not followed (consumer down)');
  await opts.bridgeConsuming?.();
}

export function createApiApp(opts: {
  pool: Pool;
  client: Client;
  config: Config;
  hooks?: PaymentRoutesHooks;
  /** How long an Idempotency-Key claim lasts before a retry may take it over (default 30 s; tests shorten it). */
  idempotencyLeaseMs?: number;
  /** The aggregate's output in memory (api/merchants.ts); without it GET /merchants/:id/totals answers 503. */
  merchantTotals?: MerchantTotalsTable;
  /** Throws unless the bridge consumes (api/role.ts asks the brokers); part of /health/ready. */
  bridgeConsuming?: () => Promise<void>;
  /** The dead-letter topics followed, and the client that replays them; without it /dead-letters/kafka answers 503. */
  kafkaDeadLetters?: KafkaDeadLetters;
  /** The event streams served, which the api role stops and waits for before it closes the pool. Absent: the
   * app's own, whose streams end when their connections close. */
  streams?: EventStreams;
  /** The payload codec the api's Temporal client uses (temporal/codec.ts), served at /codec; absent: TEMPORAL_CODEC=off. */
  codec?: EncryptionCodec;
}) {
  const { pool, client, config } = opts;
  if (!config.api.tokens) throw new Error('API_TOKENS must list at least one bearer token for the api to start');
  const auth = createAuth(config.api.tokens, pool);
  const { requireRole } = auth;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestScope()); // first: a route's request-scoped work sees a client that leaves during any await
  app.use(httpServerTelemetry('api'));
  // The console's page and files are not api operations: served before the document's list is enforced.
  app.use(consoleRoutes());
  const document = openApiDocument();
  app.use(undeclaredRequests(document.paths));
  // Before the api's own body limit: a history's payloads are larger than any api request.
  app.use(codecRoutes({ config, codec: opts.codec, auth }));
  app.use(express.json({ limit: '16kb', strict: true }));
  app.get('/metrics', metricsHandler);

  app.get('/openapi.json', (_req, res) => void res.json(document));
  app.get('/health/live', (_req, res) => {
    const fatal = fatalError();
    if (fatal) return void problem(res, 503, 'failed', { detail: `${fatal.role} cannot recover: ${fatal.error}` });
    res.json({ status: 'live' });
  });
  app.get('/health/ready', async (_req, res) => {
    try {
      await checkReady(opts);
      res.json({ status: 'ready' });
    } catch (err) {
      problem(res, 503, 'not ready', { detail: (err as Error).message.split('\n')[0] });
    }
  });
  app.use(consoleSessionRoutes({ pool, config, auth }));
  app.use(paymentRoutes({ pool, client, config, requireRole, hooks: opts.hooks, idempotencyLeaseMs: opts.idempotencyLeaseMs }));
  app.use(paymentEventRoutes({ pool, streams: opts.streams ?? new EventStreams(pool), requireRole }));
  app.use(paymentHistoryRoutes({ pool, client, config, requireRole }));
  app.use(reviewQueueRoutes({ pool, requireRole }));
  app.use(ledgerRoutes({ pool, requireRole }));
  app.use(merchantRoutes({ totals: opts.merchantTotals, requireRole }));
  app.use(webhookRoutes({ pool, config, requireRole }));
  app.use(kafkaDeadLetterRoutes({ pool, config, deadLetters: opts.kafkaDeadLetters, requireRole }));
  app.use((_req, res) => void problem(res, 404, 'not found'));
  app.use(errorHandler);
  return app;
}
