/**
 * Reads topics from their first retained record to the end they had when the read began, with
 * read_committed (no aborted or open transaction's records), then stops: what a rebuild or a reconciliation
 * needs. A throwaway consumer group that commits nothing; it is deleted afterwards.
 *
 * The end is the last stable offset (KafkaJS's admin lists offsets read_committed). A read_committed fetch
 * never hands over control records (transaction markers) as messages, so "reached the end" is told from the
 * batches' last offsets, which KafkaJS reports for batches that were only markers too.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface ReadToEndOptions {
  topics: string[];
  eachMessage: (record: { topic: string; partition: number; message: KafkaMessage }) => Promise<void>;
  /** Names the throwaway group, for brokers' logs and ACLs. */
  groupPrefix: string;
  /**
   * A lasting consumer group instead of a throwaway one: the read starts at its committed offsets (or the
   * beginning) and commits where it ended, so the next read continues from there.
   */
  groupId?: string;
  /** Fails the read when the end is not reached in time (a transaction left open holds the end back). */
  timeoutMs?: number;
}

export interface ReadToEndResult {
  records: number;
  /** Per topic, the first offset each partition still holds: above 0 once retention has deleted records. */
  earliest: Record<string, { partition: number; offset: string }[]>;
  /** Per topic, where each partition ended (what a consumer group continues from). */
  end: Record<string, { partition: number; offset: string }[]>;
}

export async function readToEnd(kafka: Kafka, opts: ReadToEndOptions): Promise<ReadToEndResult> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = opts.groupId ?? `${opts.groupPrefix}-${randomUUID()}`;
  const earliest: ReadToEndResult['earliest'] = {};
  const end: ReadToEndResult['end'] = {};
  const remaining = new Map<string, bigint>(); // `${topic}/${partition}` → end offset still to reach
  try {
    for (const topic of opts.topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const committed = opts.groupId ? ((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? []) : [];
      earliest[topic] = offsets.map((o) => ({ partition: o.partition, offset: o.low }));
      end[topic] = offsets.map((o) => ({ partition: o.partition, offset: o.offset }));
      for (const o of offsets) {
        const from = committed.find((c) => c.partition === o.partition)?.offset ?? '-1';
        const start = BigInt(from) >= 0n ? BigInt(from) : BigInt(o.low);
        if (BigInt(o.offset) > start) remaining.set(`${topic}/${o.partition}`, BigInt(o.offset));
      }
    }
    let records = 0;
    if (remaining.size > 0) {
      const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false });
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const key = `${payload.topic}/${payload.partition}`;
        const target = remaining.get(key);
        if (target !== undefined && BigInt(payload.lastOffset) + 1n >= target) remaining.delete(key);
        if (remaining.size === 0) done();
      });
      await consumer.connect();
      try {
        for (const topic of opts.topics) await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            const target = remaining.get(`${topic}/${partition}`);
            if (target === undefined || BigInt(message.offset) >= target) return; // past the end this read is for
            await opts.eachMessage({ topic, partition, message });
            records++;
          },
        });
        const timeoutMs = opts.timeoutMs ?? 120_000;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          finished,
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`did not reach the end of ${[...remaining.keys()].join(', ')} within ${timeoutMs} ms`)),
              timeoutMs,
            );
          }),
        ]).finally(() => clearTimeout(timer));
      } finally {
        await consumer.disconnect();
      }
      if (opts.groupId) for (const topic of opts.topics) await admin.setOffsets({ groupId, topic, partitions: end[topic]! });
    }
    return { records, earliest, end };
  } finally {
    if (!opts.groupId) await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
