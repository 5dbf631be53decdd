/**
 * The notifier (DESIGN.md §2, §4): a consumer of the decided events that schedules merchant webhooks, and the
 * dispatcher that sends them. Either half may run in several processes at once.
 */
import type { Kafka } from 'kafkajs';
import type { Config } from '../config';
import type { Pool } from '../db/pool';
import { EventConsumer } from '../kafka/consumer';
import { WebhookDispatcher, type WebhookDispatcherOptions } from './dispatcher';
import { decidedWebhooksHandler, notifierGroupId } from './handler';

export function createNotifier(opts: {
  config: Config;
  kafka: Kafka;
  pool: Pool;
  /** Tuning of the dispatcher (tests: quick sweeps, a quiet log). */
  dispatcher?: Partial<Omit<WebhookDispatcherOptions, 'pool' | 'databaseUrl' | 'webhooks'>>;
}) {
  const { config, kafka, pool } = opts;
  const consumer = new EventConsumer(
    kafka,
    decidedWebhooksHandler({ pool, endpoints: config.webhooks.endpoints, groupId: notifierGroupId(config) }),
  );
  const dispatcher = new WebhookDispatcher({
    pool,
    databaseUrl: config.database.url,
    webhooks: config.webhooks,
    ...opts.dispatcher,
  });
  return {
    consumer,
    dispatcher,
    async start() {
      await dispatcher.start();
      await consumer.start();
    },
    async stop() {
      await consumer.stop();
      await dispatcher.stop();
    },
  };
}
