/**
 * One Kafka consumer group that hands each record to a handler, effectively once (DESIGN.md §6): the bridge's
 * starts and signals, and the consumers of decided events. The offset is committed only after the handler succeeded; a record that can never succeed
 * (bad JSON, schema violation, unknown type or version) goes to `<topic>.dlt` with its original bytes and
 * headers and the reason, and the partition moves on; any other failure (Temporal or PostgreSQL
 * unavailable) is retried with backoff on the same record, so nothing is skipped.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { z } from 'zod';
import { envelopeSchema, EVENTS, type Envelope, type EventType } from '../contracts/events';
import { deadLetterTopic, type Topic } from '../contracts/topics';
import { permanentFailure } from '../db/errors';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { contextFromHeaders, inSpan, SpanKind } from '../observability/tracing';
import { deadLetterHeaders, notJsonReason } from './dead-letters';
import { HEARTBEAT_MS, roleConsumerConfig, SESSION_TIMEOUT_MS, SupervisedConsumer } from './supervised-consumer';
import { atLeastOnceProducer } from './acknowledged-batch';

/** A record that no retry can fix. */
export class PoisonRecordError extends Error {
  override name = 'PoisonRecordError';
}

/** Parses a record's bytes into the envelope of `type`, version 1, with validated data. */
export function decodeRecord<T extends EventType>(type: T, value: Buffer | null): Envelope<z.infer<(typeof EVENTS)[T][1]>> {
  if (!value) throw new PoisonRecordError('record has no value');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (err) {
    throw new PoisonRecordError(notJsonReason((err as Error).message));
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new PoisonRecordError(`invalid envelope: ${summarize(envelope.error)}`);
  const { type: got, version } = envelope.data;
  if (got !== type) throw new PoisonRecordError(`unexpected event type ${got} (this consumer reads ${type})`);
  const schema = (EVENTS[type] as Record<number, z.ZodType>)[version];
  if (!schema) throw new PoisonRecordError(`unknown version ${version} of ${type}`);
  const data = schema.safeParse(envelope.data.data);
  if (!data.success) throw new PoisonRecordError(`invalid ${type} v${version}: ${summarize(data.error)}`);
  return { ...envelope.data, type, data: data.data } as Envelope<z.infer<(typeof EVENTS)[T][1]>>;
}

const summarize = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

export interface ConsumerHandler<T extends EventType> {
  type: T;
  topic: Topic;
  groupId: string;
  handle(event: Envelope<z.infer<(typeof EVENTS)[T][1]>>, record: { partition: number; offset: string }): Promise<void>;
}

export class EventConsumer<T extends EventType> {
  private readonly consumer: SupervisedConsumer;
  private readonly producer: Producer;
  /** Aborted by stop(): ends a retry's backoff at once, so a stop does not wait it out. */
  private readonly stopping = new AbortController();
  /** Records handled, dead-lettered and retried since start (for tests and logs). */
  readonly counts = { handled: 0, deadLettered: 0, retries: 0 };

  constructor(
    kafka: Kafka,
    private readonly handler: ConsumerHandler<T>,
    private readonly maxBackoffMs = 5_000,
  ) {
    if (maxBackoffMs >= SESSION_TIMEOUT_MS)
      throw new RangeError(`a retry backoff (${maxBackoffMs} ms) must be shorter than the session`);
    // A 10 s session: the partitions of a consumer that died move to the others within seconds, not half a minute.
    this.consumer = new SupervisedConsumer(kafka, {
      name: handler.groupId,
      config: roleConsumerConfig(handler.groupId),
      run: async (consumer) => {
        await consumer.subscribe({ topic: this.handler.topic, fromBeginning: true });
        // At least once, without a commit round trip per record: KafkaJS marks a record's offset done only when
        // eachMessage returns (its effects are made), and commits the marked offsets after each fetched batch,
        // every 100 records within a long one, when the handler throws and when the member leaves. A crash
        // between two commits hands the uncommitted records to the next member again: handlers are idempotent.
        await consumer.run({
          autoCommit: true,
          autoCommitThreshold: 100,
          eachMessage: ({ partition, message, heartbeat }) => this.process(partition, message, heartbeat),
        });
      },
    });
    this.producer = atLeastOnceProducer(kafka);
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.start();
  }

  get groupId(): string {
    return this.handler.groupId;
  }

  get topic(): Topic {
    return this.handler.topic;
  }

  /** Consuming: started, not stopped, not between a crash and its replacement (for /health/ready). */
  get healthy(): boolean {
    return this.consumer.healthy;
  }

  /** Stops fetching, lets the record in hand finish (or abandons its retries uncommitted), disconnects. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.consumer.stop();
    await this.producer.disconnect();
  }

  /**
   * One record, in a span that continues the trace of whoever produced it (its `traceparent` header). However
   * long its handler or its retries take (Temporal or PostgreSQL down for a while), heartbeats keep going, so
   * the group does not drop this member and the record is not handed to another one meanwhile.
   */
  private async process(partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<void> {
    let heartbeatFailed = false; // logged once per record: a rebalance fails every beat until the record is done
    const beat = setInterval(
      () =>
        void heartbeat().catch((err: Error) => {
          if (!heartbeatFailed)
            logger.warn({ topic: this.handler.topic, partition, err: err.message }, 'kafka: heartbeat failed');
          heartbeatFailed = true;
        }),
      HEARTBEAT_MS,
    );
    try {
      await this.processRecord(partition, message);
    } finally {
      clearInterval(beat);
    }
  }

  private processRecord(partition: number, message: KafkaMessage): Promise<void> {
    const { topic, groupId } = this.handler;
    return inSpan(
      `${topic} process`,
      {
        kind: SpanKind.CONSUMER,
        parent: contextFromHeaders(message.headers),
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': topic,
          'messaging.consumer.group.name': groupId,
        },
      },
      async (span) => {
        for (let attempt = 0; ; attempt++) {
          try {
            const event = decodeRecord(this.handler.type, message.value);
            const paymentId = (event.data as { paymentId?: unknown }).paymentId;
            if (typeof paymentId === 'string') span.setAttribute('paysaga.payment_id', paymentId);
            await this.handler.handle(event, { partition, offset: message.offset });
            this.counts.handled++;
            metrics.recordsHandled.inc({ topic, group: groupId });
            return;
          } catch (err) {
            if (err instanceof PoisonRecordError) return this.deadLetter(partition, message, err.message);
            const permanent = permanentFailure(err);
            if (permanent) return this.deadLetter(partition, message, permanent);
            if (this.stopping.signal.aborted) throw this.leftUncommitted(partition, message);
            this.counts.retries++;
            metrics.consumerRetries.inc({ topic, group: groupId });
            const delay = Math.min(this.maxBackoffMs, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
            logger.warn(
              {
                group: groupId,
                topic,
                partition,
                offset: message.offset,
                err: (err as Error).message,
                retryInMs: Math.round(delay),
              },
              'record handler failed; retrying the same record',
            );
            await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => undefined); // rejects only when stopped
            if (this.stopping.signal.aborted) throw this.leftUncommitted(partition, message);
          }
        }
      },
    );
  }

  /** What ends a record's retries when the consumer stops: KafkaJS does not commit it, the next owner reads it. */
  private leftUncommitted(partition: number, message: KafkaMessage): Error {
    return new Error(`stopping: record ${partition}/${message.offset} left uncommitted`);
  }

  private async deadLetter(partition: number, message: KafkaMessage, reason: string): Promise<void> {
    const headers = deadLetterHeaders(message, {
      reason,
      topic: this.handler.topic,
      partition,
      group: this.handler.groupId,
      at: new Date(),
    });
    await this.producer.send({
      topic: deadLetterTopic(this.handler.topic),
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
    this.counts.deadLettered++;
    metrics.deadLetters.inc({ topic: this.handler.topic, group: this.handler.groupId });
    logger.warn(
      { group: this.handler.groupId, topic: this.handler.topic, partition, offset: message.offset, reason },
      'record dead-lettered',
    );
  }
}
