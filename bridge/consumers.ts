/** The bridge: two consumer groups between Kafka and Temporal (DESIGN.md §2, §5, §6). */
import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import type { Config } from '../config';
import type { Pool } from '../db/pool';
import { sagaPolicy } from '../temporal/start-payment';
import { accountStateHandler, type AccountStateHooks } from './accounts';
import { EventConsumer } from '../kafka/consumer';
import { paymentRequestsHandler } from './requests';
import { bridgeGroupIds } from '../roles/consumer-groups';

export { bridgeGroupIds };

export interface BridgeHooks extends AccountStateHooks {
  afterStart?: (paymentId: string) => Promise<void>;
}

export function createBridge(opts: {
  config: Config;
  kafka: Kafka;
  pool: Pool;
  client: Client;
  /** Ask for eager workflow start: the client shares the connection of a worker of this process. */
  eagerStart?: boolean;
  hooks?: BridgeHooks;
}) {
  const { config, kafka, pool, client, hooks } = opts;
  const groups = bridgeGroupIds(config);
  const requests = new EventConsumer(
    kafka,
    paymentRequestsHandler({
      client,
      pool,
      policy: sagaPolicy(config),
      taskQueue: config.temporal.taskQueue,
      eagerStart: opts.eagerStart ?? false,
      groupId: groups.requests,
      afterStart: hooks?.afterStart,
    }),
  );
  const accounts = new EventConsumer(kafka, accountStateHandler({ client, pool, groupId: groups.accounts, hooks }));
  return {
    requests,
    accounts,
    async start() {
      await Promise.all([requests.start(), accounts.start()]);
    },
    async stop() {
      await Promise.all([requests.stop(), accounts.stop()]);
    },
  };
}
