/** The read model's consumers: one group per topic it folds (DESIGN.md §2: a consumer of the decided events). */
import type { Kafka } from 'kafkajs';
import type { Config } from '../config';
import { EVENT_TYPES } from '../contracts/events';
import { TOPICS } from '../contracts/topics';
import type { Pool } from '../db/pool';
import { EventConsumer } from '../kafka/consumer';
import { applyPaymentDecided, applyPaymentRequested } from './projection';
import { readModelGroupIds } from '../roles/consumer-groups';

export { readModelGroupIds };

export function createReadModelConsumers(opts: { config: Config; kafka: Kafka; pool: Pool }) {
  const { config, kafka, pool } = opts;
  const groups = readModelGroupIds(config);
  const requests = new EventConsumer(kafka, {
    type: EVENT_TYPES.paymentRequested,
    topic: TOPICS.paymentRequested,
    groupId: groups.requests,
    handle: (event) => applyPaymentRequested(pool, event).then(() => undefined),
  });
  const decisions = new EventConsumer(kafka, {
    type: EVENT_TYPES.paymentDecided,
    topic: TOPICS.paymentDecided,
    groupId: groups.decisions,
    handle: (event) => applyPaymentDecided(pool, event).then(() => undefined),
  });
  return {
    requests,
    decisions,
    async start() {
      await Promise.all([requests.start(), decisions.start()]);
    },
    async stop() {
      await Promise.all([requests.stop(), decisions.stop()]);
    },
  };
}
