/**
 * Commits where a consumer group with no member resumes on a topic, as KafkaJS's admin.setOffsets does (a
 * consumer joins, seeks each partition, which commits it, and leaves), without its wait: the admin's consumer
 * has every partition paused, and a paused consumer sleeps its whole fetch wait (5 s) before the first fetch
 * that setOffsets waits for. Here that wait is short, so a group is set in about one join.
 */
import type { Kafka } from 'kafkajs';

export interface GroupOffsets {
  groupId: string;
  topic: string;
  partitions: { partition: number; offset: string }[];
}

export async function setGroupOffsets(kafka: Kafka, { groupId, topic, partitions }: GroupOffsets): Promise<void> {
  if (partitions.length === 0) throw new Error(`no partitions to set for group ${groupId} on ${topic}`);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const { state } = await consumer.describeGroup();
    if (state !== 'Empty' && state !== 'Dead') {
      throw new Error(`the offsets of consumer group ${groupId} can be set only while it has no member (it is ${state})`);
    }
    await new Promise<void>((resolve, reject) => {
      // The seeks are committed before the first fetch, which sleeps the short wait (every partition is paused).
      consumer.on(consumer.events.FETCH, () => resolve());
      consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => undefined }).catch(reject);
      consumer.pause([{ topic }]);
      for (const { partition, offset } of partitions) consumer.seek({ topic, partition, offset });
    });
  } finally {
    await consumer.disconnect();
  }
}

/** Moves a group with no member to the current end of a topic. */
export function setGroupToTopicEnd(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  return setGroupOnTopic(kafka, groupId, topic, (p) => p.offset);
}

/**
 * Moves a group with no member back to the start of a topic, as admin.resetOffsets({ earliest: true }) does: it
 * commits Kafka's "earliest" (-2), which the group's next consumer resolves to the first record still kept.
 */
export function setGroupToTopicStart(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  return setGroupOnTopic(kafka, groupId, topic, () => '-2');
}

async function setGroupOnTopic(
  kafka: Kafka,
  groupId: string,
  topic: string,
  offsetOf: (p: { offset: string; low: string }) => string,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    await setGroupOffsets(kafka, {
      groupId,
      topic,
      partitions: offsets.map((p) => ({ partition: p.partition, offset: offsetOf(p) })),
    });
  } finally {
    await admin.disconnect();
  }
}
