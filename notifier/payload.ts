/**
 * What a merchant's endpoint receives (Standard Webhooks payload shape): `type`, `timestamp` (when the event
 * occurred) and `data` (the decided payment). The body is serialized once, when the delivery is created, and
 * sent byte for byte on every attempt: the signature covers those bytes.
 */
import { z } from 'zod';
import type { Envelope } from '../contracts/events';
import { paymentDecidedSchema, type PaymentDecided } from '../contracts/payment';

export const WEBHOOK_TYPES = { paymentDecided: 'payment.authorization.decided' } as const;

export const webhookPayloadSchema = z
  .strictObject({
    type: z.literal(WEBHOOK_TYPES.paymentDecided),
    timestamp: z.iso.datetime({ offset: true }),
    data: paymentDecidedSchema,
  })
  .meta({ id: 'PaymentDecidedWebhook', description: 'the body of a payment.authorization.decided webhook' });
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

export function decidedWebhookBody(event: Envelope<PaymentDecided>): string {
  const payload: WebhookPayload = { type: WEBHOOK_TYPES.paymentDecided, timestamp: event.occurredAt, data: event.data };
  return JSON.stringify(payload);
}
