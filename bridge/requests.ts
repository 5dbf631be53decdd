/** payments.authorization.requested → start the payment's workflow (a duplicate delivery is a no-op). */
import type { Client } from '@temporalio/client';
import { EVENT_TYPES } from '../contracts/events';
import { TOPICS } from '../contracts/topics';
import { startPayment } from '../temporal/start-payment';
import type { SagaPolicy } from '../workflows/shared';
import type { ConsumerHandler } from '../kafka/consumer';

export function paymentRequestsHandler(opts: {
  client: Client;
  policy: SagaPolicy;
  taskQueue: string;
  groupId: string;
  /** Test hook: runs after Temporal accepted the start, before the offset is committed. */
  afterStart?: (paymentId: string) => Promise<void>;
}): ConsumerHandler<typeof EVENT_TYPES.paymentRequested> {
  return {
    type: EVENT_TYPES.paymentRequested,
    topic: TOPICS.paymentRequested,
    groupId: opts.groupId,
    async handle({ data: payment }) {
      await startPayment(opts.client, { payment, policy: opts.policy, taskQueue: opts.taskQueue });
      await opts.afterStart?.(payment.paymentId);
    },
  };
}
