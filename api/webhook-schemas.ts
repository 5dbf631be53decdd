/** REST bodies and responses of the webhook dead-letter routes (operators), as zod schemas; also in the OpenAPI document. */
import { z } from 'zod';
import { idCursor } from './cursor';

const id = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes, colons or underscores');

export const listDeadLettersQuery = z
  .strictObject({
    merchantId: id.optional(),
    endpointId: id.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: idCursor.optional(),
  })
  .meta({ id: 'ListWebhookDeadLettersQuery' });

export const webhookDeadLetter = z
  .object({
    id: z.number().int(),
    endpointId: z.string(),
    merchantId: z.string(),
    eventId: z.string(),
    paymentId: z.string(),
    attempts: z.number().int(),
    lastError: z.string(),
    lastStatus: z.number().int().nullable().meta({ description: 'HTTP status of the last attempt; null when none came back' }),
    createdAt: z.string(),
    deadLetteredAt: z.string(),
  })
  .meta({ id: 'WebhookDeadLetter', description: 'a webhook delivery the notifier gave up on' });

export const webhookDeadLetterList = z
  .object({ deadLetters: z.array(webhookDeadLetter), nextCursor: z.string().nullable() })
  .meta({ id: 'WebhookDeadLetterList', description: 'newest first; pass nextCursor as cursor for the next page' });

export const redeliverBody = z.strictObject({ reason: z.string().trim().min(3).max(1000) }).meta({ id: 'WebhookRedelivery' });

export const redeliveryAccepted = z
  .object({
    deadLetterId: z.number().int(),
    deliveryId: z.number().int(),
    endpointId: z.string(),
    eventId: z.string(),
    status: z.literal('PENDING'),
  })
  .meta({ id: 'WebhookRedeliveryAccepted', description: 'scheduled again with its attempts reset; sent within a moment' });
