/**
 * Restores the state of one input partition from partition P of the aggregate's two output topics, read
 * read_committed from the beginning to the end. The caller first initialises P's transactional producer: that
 * fences any older producer of P and aborts its open transaction, so the end read here is final and nobody
 * else can add to it while this processor owns P.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { merchantTotalsKey } from '../contracts/merchant-totals';
import { MERCHANT_TOTALS_TOPICS } from '../contracts/topics';
import { KafkaTable } from '../kafka/table';
import { decodeSeen, decodeTotals } from './changelog';
import { emptyState, forgetSeenBefore, type MerchantPartial, type PartitionState } from './state';

export async function restorePartition(
  kafka: Kafka,
  opts: { partition: number; groupId: string; seenCutoff: number; timeoutMs: number },
): Promise<PartitionState> {
  const { partition } = opts;
  const group = () => `${opts.groupId}-restore-${partition}-${randomUUID()}`;
  const totals = new KafkaTable<MerchantPartial>(kafka, {
    topic: MERCHANT_TOTALS_TOPICS.totals,
    groupId: group(),
    partitions: [partition],
    label: `merchant-totals restore ${partition}`,
    decode: (message) => {
      const { merchantId, currency, sourcePartition, authorizedAmount, authorizedCount } = decodeTotals(message);
      if (sourcePartition !== partition || message.key?.toString() !== merchantTotalsKey(merchantId, currency, partition))
        throw new Error(`totals of partition ${sourcePartition} under key ${message.key?.toString()} on partition ${partition}`);
      return { merchantId, currency, authorizedAmount, authorizedCount };
    },
  });
  const seen = new KafkaTable<number>(kafka, {
    topic: MERCHANT_TOTALS_TOPICS.seen,
    groupId: group(),
    partitions: [partition],
    label: `merchant-totals restore ${partition}`,
    decode: decodeSeen,
  });
  try {
    await Promise.all([totals.start(), seen.start()]);
    await Promise.all([totals.caughtUp(opts.timeoutMs), seen.caughtUp(opts.timeoutMs)]);
  } finally {
    await Promise.all([totals.stop(), seen.stop()]);
  }
  const state: PartitionState = { ...emptyState(partition), totals: totals.rows, seen: seen.rows };
  forgetSeenBefore(state, opts.seenCutoff);
  return state;
}
