/**
 * A batch that Kafka acknowledged in every partition it was written to, or an error.
 *
 * KafkaJS 2.2.4 can resolve `sendBatch` without writing part of the batch. When a broker fails mid-send, it
 * retries only the brokers that have not answered yet (src/producer/sendMessages.js keeps the first attempt's
 * answers by broker). If a partition's leadership moves to a broker that already answered for its own
 * partitions, that partition's messages are never sent again, and the call still resolves with the answers it
 * has. The cluster fault suite lost acknowledged decided events this way (docs/scaling.md). The Java producer
 * lost none in the same drill.
 *
 * Here every message names its partition, and the answer must name each partition of the batch. Otherwise the
 * batch fails, and its caller sends it again: the outbox relay in a new transaction, merchant totals with its
 * transaction aborted. Consumers deduplicate what was written twice by event id.
 *
 * Its idempotent producer loses records too. A request that fails after the leader appended it (the leader dies
 * before it answers) makes KafkaJS take that request's sequence numbers back. The next records then reuse them,
 * and the broker answers them as duplicates of the batch it already holds: acknowledged, and not written (the
 * brokers logged OutOfOrderSequenceException for the relay's producer just before such a loss). paysaga's own
 * producers outside transactions therefore use atLeastOnceProducer.
 */
import {
  Partitioners,
  type Kafka,
  type Message,
  type PartitionMetadata,
  type Producer,
  type RecordMetadata,
  type TopicMessages,
} from 'kafkajs';

/**
 * A producer that may write a record twice and never drops one it acknowledged: not idempotent (see above), one
 * request in flight per broker so that a retry cannot overtake the records after it, each send with acks=all.
 */
export function atLeastOnceProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: false, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
}

export interface BatchSender {
  sendBatch(batch: { topicMessages: TopicMessages[]; acks: number }): Promise<RecordMetadata[]>;
}

/** Some partitions of a batch have no answer from the brokers: nothing says they were written. */
export class UnacknowledgedBatchError extends Error {
  override readonly name = 'UnacknowledgedBatchError';
  constructor(readonly partitions: string[]) {
    super(`kafka: no acknowledgement for ${partitions.join(', ')}; the batch is sent again`);
  }
}

/** Sends with acks=all; resolves only if each partition the batch names answered. */
export async function sendAcknowledgedBatch(sender: BatchSender, topicMessages: TopicMessages[]): Promise<RecordMetadata[]> {
  const written = new Set<string>();
  for (const { topic, messages } of topicMessages) {
    for (const m of messages) {
      if (m.partition === undefined) throw new Error(`kafka: a message for ${topic} names no partition`);
      written.add(`${topic}/${m.partition}`);
    }
  }
  const answers = await sender.sendBatch({ topicMessages, acks: -1 });
  const answered = new Set(answers.map((a) => `${a.topicName}/${a.partition}`));
  const missing = [...written].filter((p) => !answered.has(p));
  if (missing.length > 0) throw new UnacknowledgedBatchError(missing);
  return answers;
}

/**
 * The partition of each keyed message, as KafkaJS's default partitioner picks it (murmur2 of the key over the
 * topic's partition count), so that messages keep the partitions they had. A topic's count is read once: it is
 * fixed when the topic is created (docs/scaling.md).
 */
export class KeyPartitioner {
  private readonly metadata = new Map<string, PartitionMetadata[]>();
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(private readonly kafka: Kafka) {}

  async assign(topic: string, messages: Message[]): Promise<Message[]> {
    const partitionMetadata = this.metadata.get(topic) ?? (await this.read(topic));
    return messages.map((message) => ({ ...message, partition: this.partitioner({ topic, partitionMetadata, message }) }));
  }

  /** For a keyed message, the default partitioner reads only how many partitions the topic has. */
  private async read(topic: string): Promise<PartitionMetadata[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    let count: number;
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      count = topics[0]?.partitions.length ?? 0;
    } finally {
      await admin.disconnect();
    }
    // Not kept: a topic without partitions is one not created yet (npm run setup), and is asked for again.
    if (count === 0) throw new Error(`kafka: topic ${topic} has no partitions`);
    const partitions = Array.from({ length: count }, (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [],
      isr: [],
    }));
    this.metadata.set(topic, partitions);
    return partitions;
  }
}
