/**
 * The outbox relay (DESIGN.md §6): publishes rows of the `outbox` table to Kafka, in order per message key,
 * with an at-least-once producer, then marks them sent once every partition of the batch acknowledged
 * (kafka/acknowledged-batch.ts). Several relays may run: a relay takes a row only
 * while it holds that key's advisory lock, so no two relays publish one key's rows at once, and rows of a
 * key are always taken in id order. A crash between publishing and marking publishes again: consumers
 * deduplicate by event id. Idle relays sleep until PostgreSQL notifies an insert (LISTEN outbox, db/notified-loop.ts).
 * Sent rows are deleted after their retention by the role's periodic job (outbox/service.ts).
 */
import { type Kafka, type Producer } from 'kafkajs';
import { atLeastOnceProducer, KeyPartitioner, sendAcknowledgedBatch } from '../kafka/acknowledged-batch';
import { withTransaction, type Pool } from '../db/pool';
import { NotifiedLoop } from '../db/notified-loop';
import { lockUnsentBatch, markSent, type OutboxRow } from '../db/outbox';
import { metrics } from '../observability/metrics';

/** How soon a relay looks again when another relay held the keys of the oldest rows. */
const CONTENDED_RETRY_MS = 50;

export interface OutboxRelayOptions {
  pool: Pool;
  kafka: Kafka;
  /** A connection string for the LISTEN connection (pool connections cannot hold a LISTEN). */
  databaseUrl: string;
  batchSize?: number;
  /** Longest sleep when no notification arrives (a missed one costs at most this much latency). */
  idleMs?: number;
}

export class OutboxRelay {
  private readonly producer: Producer;
  private readonly partitions: KeyPartitioner;
  private readonly loop: NotifiedLoop;
  published = 0;

  constructor(private readonly opts: OutboxRelayOptions) {
    this.producer = atLeastOnceProducer(opts.kafka);
    this.partitions = new KeyPartitioner(opts.kafka);
    this.loop = new NotifiedLoop({
      name: 'outbox relay',
      databaseUrl: opts.databaseUrl,
      pool: opts.pool,
      channel: 'outbox',
      // Rows may remain (a full batch, or keys another relay held): go on at once, or shortly while another relay
      // holds keys. Otherwise every unsent row was taken: sleep until the next insert's notification (one that came
      // during the batch wakes the loop at once) rather than query again for nothing.
      step: async () => {
        const { sent, more } = await this.publishBatch();
        if (!more) return this.opts.idleMs ?? 1_000;
        return sent > 0 ? 0 : CONTENDED_RETRY_MS;
      },
    });
  }

  /** Batches that failed in a row (Kafka or PostgreSQL unavailable); 0 when the last one went through. */
  get failures(): number {
    return this.loop.failures;
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.producer.disconnect();
  }

  /** Publishes one batch: how many rows it sent, and whether unsent rows may remain. */
  async publishBatch(): Promise<{ sent: number; more: boolean }> {
    return withTransaction(this.opts.pool, async (tx) => {
      const { rows, more } = await lockUnsentBatch(tx, this.opts.batchSize ?? 200);
      if (rows.length === 0) return { sent: 0, more };
      const byTopic = new Map<string, OutboxRow[]>();
      for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
      // Each row's partition named, so that the answer can be checked against it (kafka/acknowledged-batch.ts).
      const topicMessages = await Promise.all(
        [...byTopic].map(async ([topic, list]) => ({
          topic,
          messages: await this.partitions.assign(
            topic,
            list.map((r) => ({
              key: r.message_key,
              value: JSON.stringify(r.payload),
              headers: { ...r.headers, 'event-id': r.event_id, 'event-type': r.payload.type ?? '' },
            })),
          ),
        })),
      );
      await sendAcknowledgedBatch(this.producer, topicMessages);
      await markSent(
        tx,
        rows.map((r) => r.id),
      );
      this.published += rows.length;
      for (const row of rows) metrics.outboxPublished.inc({ topic: row.topic });
      return { sent: rows.length, more };
    });
  }
}
