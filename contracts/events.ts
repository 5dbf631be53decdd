/**
 * The versioned envelope of every Kafka record (DESIGN.md §3): type, version, a unique id, occurredAt, data.
 * A consumer validates the envelope and the data of the (type, version) pairs it knows and dead-letters the rest.
 */
import { z } from 'zod';
import { merchantTotalsSchema } from './merchant-totals';
import { accountStateSchema, instant, paymentDecidedSchema, paymentRequestSchema, text } from './payment';
import { MERCHANT_TOTALS_TOPICS, TOPICS } from './topics';

export const EVENT_TYPES = {
  paymentRequested: 'payment.authorization.requested',
  accountStateUpdated: 'account.state.updated',
  paymentDecided: 'payment.authorization.decided',
  merchantTotalsUpdated: 'merchant.authorized-totals.updated',
} as const;

/** Each event type at each version it has, with its data schema and topic. */
export const EVENTS = {
  [EVENT_TYPES.paymentRequested]: { 1: paymentRequestSchema, topic: TOPICS.paymentRequested },
  [EVENT_TYPES.accountStateUpdated]: { 1: accountStateSchema, topic: TOPICS.accountStateUpdated },
  [EVENT_TYPES.paymentDecided]: { 1: paymentDecidedSchema, topic: TOPICS.paymentDecided },
  [EVENT_TYPES.merchantTotalsUpdated]: { 1: merchantTotalsSchema, topic: MERCHANT_TOTALS_TOPICS.totals },
} as const;

export type EventType = keyof typeof EVENTS;

export const envelopeSchema = z.strictObject({
  type: text(200),
  version: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  id: z.uuid(),
  occurredAt: instant,
  data: z.unknown(),
});

export interface Envelope<T> {
  type: EventType;
  version: number;
  id: string;
  occurredAt: string;
  data: T;
}

export function envelope<T>(type: EventType, id: string, occurredAt: string, data: T): Envelope<T> {
  return { type, version: 1, id, occurredAt, data };
}
