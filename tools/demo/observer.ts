/**
 * Watches what the demo cannot see through the api: every decided event of its payments on
 * payments.authorization.decided (so "decided exactly once" is counted on the topic itself) and its poison
 * record on payments.authorization.requested.dlt. It reads from the offsets the topics had when it started,
 * in a throwaway consumer group that commits nothing and is deleted when it stops.
 */
import type { Consumer, Kafka } from 'kafkajs';
import { EVENT_TYPES } from '../../contracts/events';
import { deadLetterTopic, TOPICS } from '../../contracts/topics';
import { decodeRecord } from '../../kafka/consumer';

export class DemoObserver {
  private consumer?: Consumer;
  private readonly decided = new Map<string, number>();
  private readonly deadLetters: { group: string; reason: string }[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: { groupId: string; poisonValue: string },
  ) {}

  /** Resolves once the topics' current ends are pinned: everything produced afterwards will be seen. */
  async start(): Promise<void> {
    const topics = [TOPICS.paymentDecided, deadLetterTopic(TOPICS.paymentRequested)];
    const admin = this.kafka.admin();
    await admin.connect();
    let starts: { topic: string; partition: number; offset: string }[];
    try {
      starts = (
        await Promise.all(
          topics.map(async (topic) =>
            (await admin.fetchTopicOffsets(topic)).map(({ partition, offset }) => ({ topic, partition, offset })),
          ),
        )
      ).flat();
    } finally {
      await admin.disconnect();
    }
    // Short fetch waits: stopping waits out the fetch in flight.
    this.consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        if (topic === TOPICS.paymentDecided) {
          // Every payment's, not only the demo's: a decision may land before the demo learns its payment's id.
          const paymentId = decidedPaymentId(message.value);
          if (paymentId) this.decided.set(paymentId, (this.decided.get(paymentId) ?? 0) + 1);
        } else if (message.value?.toString('utf8') === this.opts.poisonValue) {
          this.deadLetters.push({
            group: message.headers?.['dlt-consumer-group']?.toString() ?? 'unknown',
            reason: message.headers?.['dlt-reason']?.toString() ?? 'unknown',
          });
        }
      },
    });
    // As admin.setOffsets does it: seek right after run, before the first fetch, to where the topics ended.
    for (const { topic, partition, offset } of starts) this.consumer.seek({ topic, partition, offset });
  }

  decidedEvents(paymentId: string): number {
    return this.decided.get(paymentId) ?? 0;
  }

  poisonDeadLetters(): { group: string; reason: string }[] {
    return [...this.deadLetters];
  }

  async stop(): Promise<void> {
    if (!this.consumer) return;
    await this.consumer.disconnect();
    this.consumer = undefined;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([this.opts.groupId]).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
  }
}

function decidedPaymentId(value: Buffer | null): string | undefined {
  try {
    return decodeRecord(EVENT_TYPES.paymentDecided, value).data.paymentId;
  } catch {
    return undefined; // not the demo's business: the consumers of the topic dead-letter it
  }
}
