/** payments.authorization.requested → start the payment's workflow (a duplicate delivery is a no-op). */
import type { Client } from '@temporalio/client';
import { prepared, type Pool } from '../db/pool';
import { EVENT_TYPES } from '../contracts/events';
import { TOPICS } from '../contracts/topics';
import { startPayment } from '../temporal/start-payment';
import type { SagaPolicy } from '../workflows/shared';
import type { ConsumerHandler } from '../kafka/consumer';

const selectDecided = prepared('bridge-decided', 'select 1 from payment_decisions where payment_id = $1');

export function paymentRequestsHandler(opts: {
  client: Client;
  pool: Pool;
  policy: SagaPolicy;
  taskQueue: string;
  eagerStart: boolean;
  groupId: string;
  /** Test hook: runs after Temporal accepted the start, before the offset is committed. */
  afterStart?: (paymentId: string) => Promise<void>;
}): ConsumerHandler<typeof EVENT_TYPES.paymentRequested> {
  return {
    type: EVENT_TYPES.paymentRequested,
    topic: TOPICS.paymentRequested,
    groupId: opts.groupId,
    async handle({ data: payment }) {
      // Decided already: a replayed request after the namespace's retention deleted the closed workflow must not
      // start a second saga (while the workflow is retained, the start below is a no-op anyway).
      const decided = await opts.pool.query(selectDecided([payment.paymentId]));
      if (decided.rowCount === 1) return;
      await startPayment(opts.client, { payment, policy: opts.policy, taskQueue: opts.taskQueue, eager: opts.eagerStart });
      await opts.afterStart?.(payment.paymentId);
    },
  };
}
