/**
 * Reads payments.authorization.decided with a consumer group of its own, started at the topic's end (as the
 * PipelineHarness collector does), and keeps when each payment's first decided event arrived.
 */
import type { Consumer, Kafka } from 'kafkajs';
import { paymentDecidedSchema, type PaymentDecided } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import { setGroupToTopicEnd } from '../../kafka/group-offsets';

export interface Decided {
  at: number;
  event: PaymentDecided;
}

export class DecidedCollector {
  readonly decided = new Map<string, Decided>();
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
  ) {}

  async start(): Promise<void> {
    await setGroupToTopicEnd(this.kafka, this.groupId, TOPICS.paymentDecided);
    // A short fetch wait: stopping waits out the fetch in flight (5 s by KafkaJS's default).
    this.consumer = this.kafka.consumer({ groupId: this.groupId, readUncommitted: false, maxWaitTimeInMs: 500 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPICS.paymentDecided });
    await this.consumer.run({
      // The group reads once, from where it was set: no offset commit per batch, which would load the broker that
      // paysaga is measured on with the harness's own writes.
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const at = Date.now();
        let data: unknown;
        try {
          data = (JSON.parse(message.value?.toString() ?? '') as { data?: unknown }).data;
        } catch {
          return; // not an envelope: someone's poison record on the shared topic
        }
        const parsed = paymentDecidedSchema.safeParse(data);
        if (parsed.success && !this.decided.has(parsed.data.paymentId))
          this.decided.set(parsed.data.paymentId, { at, event: parsed.data });
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
