/** Operator actions on webhook dead letters (the api's routes call these inside their own transaction). */
import type { PoolClient } from '../db/pool';

export type Redelivery =
  | { kind: 'redelivered'; deliveryId: number; endpointId: string; eventId: string; paymentId: string }
  | { kind: 'not-found' }
  | { kind: 'endpoint-not-configured'; endpointId: string }
  | { kind: 'already-scheduled'; endpointId: string; eventId: string };

/**
 * Moves dead letter `id` back to webhook_deliveries as a pending delivery with its attempts reset, due now
 * (the insert wakes the notifiers). Refused when its endpoint is no longer configured: it would only come
 * straight back. Takes the dead letter's row lock, so two operators cannot redeliver it twice.
 */
export async function redeliverDeadLetter(tx: PoolClient, id: number, configuredEndpointIds: string[]): Promise<Redelivery> {
  const { rows } = await tx.query<{ endpoint_id: string; event_id: string; payment_id: string }>(
    'select endpoint_id, event_id::text, payment_id from webhook_dead_letters where id = $1 for update',
    [id],
  );
  const dead = rows[0];
  if (!dead) return { kind: 'not-found' };
  if (!configuredEndpointIds.includes(dead.endpoint_id)) return { kind: 'endpoint-not-configured', endpointId: dead.endpoint_id };
  const inserted = await tx.query<{ id: number }>(
    `insert into webhook_deliveries (endpoint_id, merchant_id, event_id, payment_id, body, created_at)
     select endpoint_id, merchant_id, event_id, payment_id, body, created_at from webhook_dead_letters where id = $1
     on conflict (endpoint_id, event_id) do nothing
     returning id`,
    [id],
  );
  if (!inserted.rows[0]) return { kind: 'already-scheduled', endpointId: dead.endpoint_id, eventId: dead.event_id };
  await tx.query('delete from webhook_dead_letters where id = $1', [id]);
  return {
    kind: 'redelivered',
    deliveryId: inserted.rows[0].id,
    endpointId: dead.endpoint_id,
    eventId: dead.event_id,
    paymentId: dead.payment_id,
  };
}
