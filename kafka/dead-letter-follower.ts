/**
 * Every topic's dead letters, followed into memory so that the api lists them at once. Reading a dead-letter
 * topic per request (listDeadLetters) joins a new consumer group each time, which costs the brokers'
 * group.initial.rebalance.delay.ms (3 s by default; the local stack sets 0) per topic, and churns groups.
 *
 * Each api process follows the `<topic>.dlt` topics itself, from the beginning, read_committed, with a consumer
 * group of its own that never commits (as KafkaTable does), so any number of api processes serve the same list
 * and nothing outlives one. Bounded: the newest `keep` dead letters per topic (Kafka keeps them 30 days); the
 * older ones are only counted.
 */
import type { Kafka } from 'kafkajs';
import { deadLetterTopic, TOPICS, type Topic } from '../contracts/topics';
import { describeDeadLetter, type DeadLetter } from './dead-letters';
import { roleConsumerConfig, SupervisedConsumer } from './supervised-consumer';

export interface TopicDeadLetters {
  topic: Topic;
  /** Newest first. */
  deadLetters: DeadLetter[];
  /** Older dead letters still on the topic that the list leaves out (over its bound). */
  omitted: number;
}

const ALL_TOPICS = Object.values(TOPICS);
const topicOfDeadLetterTopic = new Map<string, Topic>(ALL_TOPICS.map((t) => [deadLetterTopic(t), t]));

export class DeadLetterFollower {
  private readonly letters = new Map<Topic, DeadLetter[]>(ALL_TOPICS.map((t) => [t, []]));
  private readonly omitted = new Map<Topic, number>(ALL_TOPICS.map((t) => [t, 0]));
  /** Per `<dlt topic>/<partition>`, the offset of the next record to take: a replacement consumer re-reads from the beginning. */
  private readonly next = new Map<string, bigint>();
  /** Per `<dlt topic>/<partition>`, the end it had at start, until it is reached. */
  private readonly behind = new Map<string, bigint>();
  private caughtUpOnce = false;
  private consumer?: SupervisedConsumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: { groupId: string; keep?: number },
  ) {}

  /** True once every dead-letter topic has been read up to the end it had at start (it stays true). */
  get isCaughtUp(): boolean {
    return this.caughtUpOnce;
  }

  /** Following the topics: not between a crash of its consumer and the replacement. */
  get healthy(): boolean {
    return this.consumer?.healthy ?? false;
  }

  /** The dead letters of every topic, or of one. */
  list(only?: Topic): TopicDeadLetters[] {
    return ALL_TOPICS.filter((t) => only === undefined || t === only).map((topic) => ({
      topic,
      deadLetters: [...this.letters.get(topic)!].reverse(),
      omitted: this.omitted.get(topic)!,
    }));
  }

  async start(): Promise<void> {
    const topics = [...topicOfDeadLetterTopic.keys()];
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics)
        for (const o of await admin.fetchTopicOffsets(topic))
          if (BigInt(o.offset) > BigInt(o.low)) this.behind.set(`${topic}/${o.partition}`, BigInt(o.offset));
    } finally {
      await admin.disconnect();
    }
    this.checkCaughtUp();
    this.consumer = new SupervisedConsumer(this.kafka, {
      name: `dead-letter follower (${this.options.groupId})`,
      config: roleConsumerConfig(this.options.groupId),
      run: async (consumer) => {
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
          this.advance(`${payload.topic}/${payload.partition}`, payload.lastOffset),
        );
        for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            const at = `${topic}/${partition}`;
            if (BigInt(message.offset) < (this.next.get(at) ?? 0n)) return; // read before a replacement consumer
            this.next.set(at, BigInt(message.offset) + 1n);
            this.add(topicOfDeadLetterTopic.get(topic)!, describeDeadLetter(partition, message));
          },
        });
      },
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }

  private add(topic: Topic, letter: DeadLetter): void {
    const letters = this.letters.get(topic)!;
    letters.push(letter);
    if (letters.length > (this.options.keep ?? 1000)) {
      letters.shift();
      this.omitted.set(topic, this.omitted.get(topic)! + 1);
    }
  }

  private advance(at: string, lastOffset: string): void {
    const end = this.behind.get(at);
    if (end !== undefined && BigInt(lastOffset) + 1n >= end) {
      this.behind.delete(at);
      this.checkCaughtUp();
    }
  }

  private checkCaughtUp(): void {
    if (this.behind.size === 0) this.caughtUpOnce = true;
  }
}
