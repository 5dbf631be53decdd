/**
 * The records of the aggregate's two output topics, both written to the partition of the input they come from:
 * - merchants.authorized-totals: key `merchantId|currency|partition`, value the versioned envelope of
 *   `merchant.authorized-totals.updated` with the partial totals after the batch;
 * - merchants.authorized-totals.seen: key the counted event id, value when it was counted.
 * Together they are the state of an input partition: restore.ts reads them back.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaMessage, Message } from 'kafkajs';
import { z } from 'zod';
import { envelope, EVENT_TYPES } from '../contracts/events';
import { merchantTotalsKey, type MerchantTotals } from '../contracts/merchant-totals';
import { decodeRecord } from '../kafka/consumer';
import type { MerchantPartial } from './state';

const seenValueSchema = z.strictObject({ countedAt: z.iso.datetime({ offset: true }) });

export function totalsMessage(partial: MerchantPartial, partition: number, at: Date): Message {
  const data: MerchantTotals = { ...partial, sourcePartition: partition, updatedAt: at.toISOString() };
  return {
    key: merchantTotalsKey(partial.merchantId, partial.currency, partition),
    value: JSON.stringify(envelope(EVENT_TYPES.merchantTotalsUpdated, randomUUID(), data.updatedAt, data)),
    partition,
  };
}

export function seenMessage(eventId: string, countedAt: number, partition: number): Message {
  return { key: eventId, value: JSON.stringify({ countedAt: new Date(countedAt).toISOString() }), partition };
}

/** A totals record back into its data; throws on a record that is not a valid v1 envelope. */
export function decodeTotals(message: KafkaMessage): MerchantTotals {
  return decodeRecord(EVENT_TYPES.merchantTotalsUpdated, message.value).data;
}

/** A seen record back into when its event was counted (epoch ms). */
export function decodeSeen(message: KafkaMessage): number {
  if (!message.value) throw new Error('seen record has no value');
  const parsed = seenValueSchema.safeParse(JSON.parse(message.value.toString('utf8')));
  if (!parsed.success) throw new Error(`invalid seen record: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return Date.parse(parsed.data.countedAt);
}
