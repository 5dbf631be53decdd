/**
 * Dead letters of a topic (`<topic>.dlt`, written by kafka/consumer.ts and merchant-totals/processor.ts with the
 * headers made here): list them with their reasons, and,
 * once their cause is fixed (a consumer that now knows a version, a corrected producer), replay them: each
 * original record is published again to its topic with its original key, value and headers. Replay is safe
 * because every consumer is idempotent (DESIGN.md §6); a lasting consumer group remembers which dead letters
 * were replayed, so a second replay sends only new ones.
 */
import { type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { envelopeSchema } from '../contracts/events';
import { accountStateSchema, paymentDecidedSchema, paymentRequestSchema } from '../contracts/payment';
import { deadLetterTopic, TOPICS, type Topic } from '../contracts/topics';
import { readToEnd } from './read-to-end';
import { atLeastOnceProducer } from './acknowledged-batch';

export interface DeadLetter {
  partition: number;
  offset: string;
  reason: string;
  group: string;
  at: string;
  original: { topic: string; partition: number; offset: string };
  key: string | null;
  /** The value with only the contract's fields shown (previewOf), cut to PREVIEW_CHARS. */
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

const NOT_JSON = 'value is not JSON';

/**
 * The reason of a value that JSON.parse refused, without any part of the value: V8 quotes the input near the
 * error (`Unexpected token 's', "sk_live_01"... is not valid JSON`), and a reason is logged, kept with the dead
 * letter and shown to operators. Its messages that quote nothing (`... in JSON at position 97`) are kept.
 */
export function notJsonReason(parseError: string): string {
  return parseError.includes('"') ? NOT_JSON : `${NOT_JSON}: ${parseError}`;
}

/** A dead letter's reason as shown: one written before reasons dropped the quote of the value loses it here. */
const shownReason = (reason: string) =>
  reason.startsWith(`${NOT_JSON}: `) ? notJsonReason(reason.slice(NOT_JSON.length + 2)) : reason;

export function isTopic(name: string): name is Topic {
  return (Object.values(TOPICS) as string[]).includes(name);
}

export const PREVIEW_CHARS = 400;

/** The field names of the event contracts: the only fields whose values a preview shows. */
const CONTRACT_FIELDS: ReadonlySet<string> = new Set(
  [envelopeSchema, paymentRequestSchema, accountStateSchema, paymentDecidedSchema].flatMap((s) => Object.keys(s.shape)),
);

/** `value` with every value not under a contract field name replaced, at any depth. */
function redact(value: unknown, shown: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => redact(v, shown));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, CONTRACT_FIELDS.has(k))]));
  if (!shown) return '[redacted]';
  return typeof value === 'string' ? value.slice(0, 100) : value;
}

/**
 * What an operator may see of a dead letter's value. A dead letter is a record some producer got wrong, so its
 * value may hold anything, a credential included: only the values of the contract's fields (ids, amounts,
 * instants, statuses) are shown, every other value is replaced, and a value that is not JSON is not shown at all
 * (its reason says where it breaks).
 */
export function previewOf(value: Buffer | null): string {
  if (!value || value.length === 0) return '(empty)';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return `(not JSON, ${value.length} bytes)`;
  }
  return JSON.stringify(redact(parsed, false)).slice(0, PREVIEW_CHARS);
}

/** A dead letter as operators see it: the dead-letter headers only (the original's may carry anything). */
export function describeDeadLetter(partition: number, message: KafkaMessage): DeadLetter {
  return {
    partition,
    offset: message.offset,
    reason: shownReason(header(message, DLT.reason)),
    group: header(message, DLT.group),
    at: header(message, DLT.at),
    original: {
      topic: header(message, DLT.topic),
      partition: Number(header(message, DLT.partition)),
      offset: header(message, DLT.offset),
    },
    key: message.key?.toString() ?? null,
    preview: previewOf(message.value),
  };
}

export async function listDeadLetters(kafka: Kafka, topic: Topic, clientId: string): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  await readToEnd(kafka, {
    topics: [deadLetterTopic(topic)],
    groupPrefix: `${clientId}-dlt-list`,
    eachMessage: async ({ partition, message }) => void letters.push(describeDeadLetter(partition, message)),
  });
  return letters;
}

/**
 * Publishes the dead letters not replayed before (per the group `<clientId>-dlt-replay-<topic>`) to their
 * original topic, once per original record (several consumer groups may have dead-lettered the same one).
 */
export async function replayDeadLetters(kafka: Kafka, topic: Topic, clientId: string): Promise<DeadLetter[]> {
  const producer = atLeastOnceProducer(kafka);
  await producer.connect();
  const replayed: DeadLetter[] = [];
  const seen = new Set<string>();
  try {
    await readToEnd(kafka, {
      topics: [deadLetterTopic(topic)],
      groupPrefix: `${clientId}-dlt-replay`,
      groupId: `${clientId}-dlt-replay-${topic}`,
      eachMessage: async ({ partition, message }) => {
        const letter = describeDeadLetter(partition, message);
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
