import type { Kafka } from 'kafkajs';
import type { Config } from '../config';
import { DEAD_LETTER_SETTINGS, deadLetterTopic, merchantTotalsTopicSettings, TOPIC_SETTINGS, TOPICS } from '../contracts/topics';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries: { name: string; value: string }[];
}

const entries = (settings: Record<string, string>) => Object.entries(settings).map(([name, value]) => ({ name, value }));

/** Every topic paysaga uses, with its dead-letter twin, as the configuration sizes them. */
export function topicSpecs(config: Config): TopicSpec[] {
  const { topicPartitions: numPartitions, replicationFactor, minInsyncReplicas, eventRetentionMs } = config.kafka;
  // Every producer writes with acks=all: with this, an acknowledged record is on at least this many replicas,
  // and a partition with fewer in sync refuses writes rather than keep a record on one disk only.
  const durability = { 'min.insync.replicas': String(minInsyncReplicas) };
  // The merchant totals aggregate's output: as many partitions as its input (checked again at its start).
  const aggregate = Object.entries(merchantTotalsTopicSettings(eventRetentionMs)).map(([topic, settings]) => ({
    topic,
    numPartitions,
    replicationFactor,
    configEntries: entries({ ...settings, ...durability }),
  }));
  const events = Object.values(TOPICS).flatMap((topic) => [
    {
      topic,
      numPartitions,
      replicationFactor,
      // Retention deletes whole segments: rolled every 12 h, no record outlives its retention by a day, so the
      // deduplication records (kept a day longer) cover everything a replay can still read.
      configEntries: entries({
        'retention.ms': String(eventRetentionMs),
        'segment.ms': String(Math.min(eventRetentionMs, 43_200_000)),
        ...TOPIC_SETTINGS[topic],
        ...durability,
      }),
    },
    {
      topic: deadLetterTopic(topic),
      numPartitions,
      replicationFactor,
      configEntries: entries({ ...DEAD_LETTER_SETTINGS, ...durability }),
    },
  ]);
  return [...events, ...aggregate];
}

async function retry<T>(fn: () => Promise<T>, attempts = 40): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Creates the topics that do not exist yet. Existing topics are left as they are: changing the partition
 * count of a keyed topic would move accounts between partitions and break their ordering.
 */
export async function ensureTopics(kafka: Kafka, config: Config): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topicSpecs(config).filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      // KafkaJS waits for the new partitions' leaders for `timeout` (5 s unless given): a three-broker cluster
      // started a moment before, on a busy machine, took longer (UNKNOWN_TOPIC_OR_PARTITION at `npm start`).
      await admin.createTopics({ topics: missing, waitForLeaders: true, timeout: 60_000 });
      // A new partition's leader may not answer offset requests at once ("not the leader"): wait until all do.
      for (const { topic } of missing) await retry(() => admin.fetchTopicOffsets(topic), 240);
    }
    return missing.map((spec) => spec.topic);
  } finally {
    await admin.disconnect();
  }
}
