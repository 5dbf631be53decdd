/**
 * payments.authorization.decided → one webhook delivery per configured endpoint of the payment's merchant.
 * The event is claimed in the inbox in the transaction that inserts its deliveries, so a duplicate record or
 * a replay of the topic from offset zero schedules nothing twice (DESIGN.md §6, §7.5).
 */
import type { Config } from '../config';
import { EVENT_TYPES } from '../contracts/events';
import { TOPICS } from '../contracts/topics';
import { prepared, type Pool } from '../db/pool';
import type { ConsumerHandler } from '../kafka/consumer';
import { decidedWebhookBody } from './payload';

/** The notifier's name in the inbox. */
export const NOTIFIER = 'notifier';

export { notifierGroupId } from '../roles/consumer-groups';

export type WebhookEndpoint = Config['webhooks']['endpoints'][number];

const claimOnly = prepared(
  'notifier-claim',
  'insert into inbox (consumer, event_id) values ($1, $2) on conflict (consumer, event_id) do nothing',
);
const scheduleDeliveries = prepared(
  'notifier-schedule-deliveries',
  `with claimed as (
     insert into inbox (consumer, event_id) values ($1, $2) on conflict (consumer, event_id) do nothing returning event_id
   )
   insert into webhook_deliveries (endpoint_id, merchant_id, event_id, payment_id, body)
   select endpoint_id, $4, claimed.event_id, $5, $6 from claimed, unnest($3::text[]) as endpoint_id
   on conflict (endpoint_id, event_id) do nothing`,
);

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
      // A merchant without endpoints gets no delivery: the claim alone (an insert into webhook_deliveries, even of no
      // row, would wake every dispatcher through its statement trigger's NOTIFY).
      if (endpoints.length === 0) return void (await opts.pool.query(claimOnly([NOTIFIER, event.id])));
      // One statement, one transaction: the deliveries are inserted only if the claim did (they read from it).
      await opts.pool.query(
        scheduleDeliveries([
          NOTIFIER,
          event.id,
          endpoints.map((e) => e.id),
          event.data.merchantId,
          event.data.paymentId,
          decidedWebhookBody(event),
        ]),
      );
    },
  };
}
