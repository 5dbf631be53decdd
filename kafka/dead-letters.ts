/**
 * Dead letters of a topic (`<topic>.dlt`, written by kafka/consumer.ts and merchant-totals/processor.ts with the
 * headers made here): list them with their reasons, and,
 * once their cause is fixed (a consumer that now knows a version, a corrected producer), replay them: each
 * original record is published again to its topic with its original key, value and headers. Replay is safe
 * because every consumer is idempotent (DESIGN.md §6); a lasting consumer group remembers which dead letters
 * were replayed, so a second replay sends only new ones.
 */
import { Partitioners, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { deadLetterTopic, TOPICS, type Topic } from '../contracts/topics';
import { readToEnd } from './read-to-end';

export interface DeadLetter {
  partition: number;
  offset: string;
  reason: string;
  group: string;
  at: string;
  original: { topic: string; partition: number; offset: string };
  key: string | null;
  /** The first bytes of the value, as text. */
  preview: string;
}

/** Where a dead letter came from, why, and who dead-lettered it when; every other header is the original's. */
const DLT = {
  reason: 'dlt-reason',
  topic: 'dlt-original-topic',
  partition: 'dlt-original-partition',
  offset: 'dlt-original-offset',
  group: 'dlt-consumer-group',
  at: 'dlt-at',
  replayedFrom: 'dlt-replayed-from',
} as const;

/** The headers of the dead letter of `message`: its own, and the dead-letter headers above. */
export function deadLetterHeaders(
  message: KafkaMessage,
  from: { reason: string; topic: string; partition: number; group: string; at: Date },
): IHeaders {
  return {
    ...message.headers,
    [DLT.reason]: from.reason,
    [DLT.topic]: from.topic,
    [DLT.partition]: String(from.partition),
    [DLT.offset]: message.offset,
    [DLT.group]: from.group,
    [DLT.at]: from.at.toISOString(),
  };
}

const header = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString() ?? '';

export function isTopic(name: string): name is Topic {
  return (Object.values(TOPICS) as string[]).includes(name);
}

function describe(partition: number, message: KafkaMessage): DeadLetter {
  return {
    partition,
    offset: message.offset,
    reason: header(message, DLT.reason),
    group: header(message, DLT.group),
    at: header(message, DLT.at),
    original: {
      topic: header(message, DLT.topic),
      partition: Number(header(message, DLT.partition)),
      offset: header(message, DLT.offset),
    },
    key: message.key?.toString() ?? null,
    preview: (message.value?.toString('utf8') ?? '').slice(0, 120),
  };
}

export async function listDeadLetters(kafka: Kafka, topic: Topic, clientId: string): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  await readToEnd(kafka, {
    topics: [deadLetterTopic(topic)],
    groupPrefix: `${clientId}-dlt-list`,
    eachMessage: async ({ partition, message }) => void letters.push(describe(partition, message)),
  });
  return letters;
}

/**
 * Publishes the dead letters not replayed before (per the group `<clientId>-dlt-replay-<topic>`) to their
 * original topic, once per original record (several consumer groups may have dead-lettered the same one).
 */
export async function replayDeadLetters(kafka: Kafka, topic: Topic, clientId: string): Promise<DeadLetter[]> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const replayed: DeadLetter[] = [];
  const seen = new Set<string>();
  try {
    await readToEnd(kafka, {
      topics: [deadLetterTopic(topic)],
      groupPrefix: `${clientId}-dlt-replay`,
      groupId: `${clientId}-dlt-replay-${topic}`,
      eachMessage: async ({ partition, message }) => {
        const letter = describe(partition, message);
        const original = `${letter.original.partition}/${letter.original.offset}`;
        if (seen.has(original)) return;
        seen.add(original);
        const headers: IHeaders = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) if (!name.startsWith('dlt-')) headers[name] = value;
        headers[DLT.replayedFrom] = `${deadLetterTopic(topic)}/${partition}/${message.offset}`;
        await producer.send({ topic, acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
        replayed.push(letter);
      },
    });
  } finally {
    await producer.disconnect();
  }
  return replayed;
}
