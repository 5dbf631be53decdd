/**
 * payments.authorization.decided → one webhook delivery per configured endpoint of the payment's merchant.
 * The event is claimed in the inbox in the transaction that inserts its deliveries, so a duplicate record or
 * a replay of the topic from offset zero schedules nothing twice (DESIGN.md §6, §7.5).
 */
import type { Config } from '../config';
import { EVENT_TYPES } from '../contracts/events';
import { TOPICS } from '../contracts/topics';
import { claimEvent } from '../db/inbox';
import { withTransaction, type Pool } from '../db/pool';
import type { ConsumerHandler } from '../kafka/consumer';
import { decidedWebhookBody } from './payload';

/** The notifier's name in the inbox. */
export const NOTIFIER = 'notifier';

export { notifierGroupId } from '../roles/consumer-groups';

export type WebhookEndpoint = Config['webhooks']['endpoints'][number];

export function decidedWebhooksHandler(opts: {
  pool: Pool;
  endpoints: WebhookEndpoint[];
  groupId: string;
}): ConsumerHandler<typeof EVENT_TYPES.paymentDecided> {
  return {
    type: EVENT_TYPES.paymentDecided,
    topic: TOPICS.paymentDecided,
    groupId: opts.groupId,
    async handle(event) {
      const endpoints = opts.endpoints.filter((e) => e.merchantId === event.data.merchantId);
      await withTransaction(opts.pool, async (tx) => {
        if (!(await claimEvent(tx, NOTIFIER, event.id))) return;
        if (endpoints.length === 0) return;
        await tx.query(
          `insert into webhook_deliveries (endpoint_id, merchant_id, event_id, payment_id, body)
           select endpoint_id, $2, $3, $4, $5 from unnest($1::text[]) as endpoint_id
           on conflict (endpoint_id, event_id) do nothing`,
          [endpoints.map((e) => e.id), event.data.merchantId, event.id, event.data.paymentId, decidedWebhookBody(event)],
        );
      });
    },
  };
}
