/** Consumer groups placed for a test, without the 5 s that KafkaJS's admin.setOffsets spends on each. */
import type { Kafka } from 'kafkajs';

/**
 * Commits the topic's current end offsets for `groupId` (a group with no running member), as a member of it,
 * so the group reads only what comes after: earlier runs' records are not this run's business. The admin's
 * setOffsets does the same, but waits out a fetch of the default 5 s at the end.
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic });
    await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    await joined;
    await consumer.commitOffsets(ends.map(({ partition, offset }) => ({ topic, partition, offset })));
  } finally {
    await consumer.disconnect();
  }
}
