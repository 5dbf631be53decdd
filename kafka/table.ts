/**
 * A compacted topic read into memory: key → latest value, read_committed, from the beginning, then followed.
 * `caughtUp()` resolves once every partition has been read up to the end it had when the table started; the
 * merchant totals aggregate restores a partition's state this way, and the api serves the totals from one.
 *
 * "The end" needs care with transactions. A read_committed consumer never receives control records
 * (transaction markers) or aborted records as messages, so a partition whose log ends in a commit marker never
 * shows a message at end - 1. KafkaJS resolves a fetch that held only such records as a batch "empty due to
 * filtering" without calling eachBatch, but its END_BATCH_PROCESS instrumentation event reports the batch's
 * lastOffset for those batches as well as for the others: positions come from that event.
 *
 * The table has a consumer group of its own (a unique id) and never commits offsets, so nothing outlives it.
 */
import { AssignerProtocol, type Kafka, type KafkaMessage, type PartitionAssigner } from 'kafkajs';
import { logger } from '../observability/logger';
import { roleConsumerConfig, SupervisedConsumer } from './supervised-consumer';

export interface KafkaTableOptions<V> {
  topic: string;
  /** Unique per table instance: the group only carries the partition assignment below. */
  groupId: string;
  /** The partitions to read (default: all of them). */
  partitions?: number[];
  /** The row of a record, or null for a tombstone (the key is deleted). Throws on an invalid record. */
  decode: (message: KafkaMessage, partition: number) => V | null;
  /** A secondary key for `indexed()`, e.g. the merchant id of a merchant's per-partition rows. */
  index?: (value: V) => string;
  /** Names the table in log lines. */
  label: string;
}

const ASSIGNER = 'PaysagaTablePartitions';

/** Gives the group's (only) member exactly the partitions the table reads; a consumer cannot assign itself. */
const assignPartitions =
  (topic: string, partitions: number[]): PartitionAssigner =>
  () => ({
    name: ASSIGNER,
    version: 1,
    async assign({ members }) {
      return members.map((member, i) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: i === 0 ? { [topic]: partitions } : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: ASSIGNER,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
      };
    },
  });

export class KafkaTable<V> {
  readonly rows = new Map<string, V>();
  /** Records that failed to decode (logged and skipped: a later record of the same key replaces them). */
  invalidRecords = 0;
  private readonly byIndex = new Map<string, Map<string, V>>();
  /** End offset per partition still being caught up with (exclusive: the offset of the next record). */
  private readonly behind = new Map<number, bigint>();
  private caughtUpOnce = false;
  private readonly waiters: (() => void)[] = [];
  private consumer?: SupervisedConsumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaTableOptions<V>,
  ) {}

  /** True once the table has read every partition up to the end it had at start (it stays true). */
  get isCaughtUp(): boolean {
    return this.caughtUpOnce;
  }

  /** The rows whose `index` is `value`. */
  indexed(value: string): V[] {
    return [...(this.byIndex.get(value)?.values() ?? [])];
  }

  async start(): Promise<void> {
    const { topic, groupId } = this.options;
    const admin = this.kafka.admin();
    await admin.connect();
    let offsets: { partition: number; offset: string; low: string }[];
    try {
      // KafkaJS's ListOffsets asks for the last stable offset: the end a read_committed reader can reach.
      offsets = await admin.fetchTopicOffsets(topic);
    } finally {
      await admin.disconnect();
    }
    const partitions = this.options.partitions ?? offsets.map((o) => o.partition);
    for (const partition of partitions) {
      const found = offsets.find((o) => o.partition === partition);
      if (!found) throw new Error(`${this.options.label}: ${topic} has no partition ${partition}`);
      if (BigInt(found.offset) > BigInt(found.low)) this.behind.set(partition, BigInt(found.offset));
    }
    this.checkCaughtUp();

    // A replacement after a crash reads from the beginning again (nothing is committed): applying a record
    // twice leaves the same row, so the table is the same once it has read to the end.
    this.consumer = new SupervisedConsumer(this.kafka, {
      name: `${this.options.label} (${groupId})`,
      config: {
        ...roleConsumerConfig(groupId),
        partitionAssigners: [assignPartitions(topic, partitions)],
      },
      run: async (consumer) => {
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => this.advance(payload.partition, payload.lastOffset));
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) this.apply(message, batch.partition);
          },
        });
      },
    });
    await this.consumer.start();
  }

  /** Following the topic: not between a crash of its consumer and the replacement. */
  get healthy(): boolean {
    return this.consumer?.healthy ?? false;
  }

  /** Resolves once caught up; rejects after `timeoutMs` naming the partitions still behind. */
  caughtUp(timeoutMs: number): Promise<void> {
    if (this.caughtUpOnce) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const behind = [...this.behind.entries()].map(([p, end]) => `${p} (end ${end})`).join(', ');
        reject(new Error(`${this.options.label}: not caught up with ${this.options.topic} within ${timeoutMs} ms: ${behind}`));
      }, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }

  private apply(message: KafkaMessage, partition: number): void {
    const key = message.key?.toString('utf8');
    let value: V | null;
    try {
      if (!key) throw new Error('record has no key');
      value = this.options.decode(message, partition);
    } catch (err) {
      this.invalidRecords++;
      logger.warn(
        { table: this.options.label, topic: this.options.topic, partition, offset: message.offset, err: (err as Error).message },
        'skipped a record that does not decode',
      );
      return;
    }
    this.unindex(key);
    if (value === null) {
      this.rows.delete(key);
      return;
    }
    this.rows.set(key, value);
    const index = this.options.index?.(value);
    if (index === undefined) return;
    const rows = this.byIndex.get(index) ?? new Map<string, V>();
    rows.set(key, value);
    this.byIndex.set(index, rows);
  }

  private unindex(key: string): void {
    const old = this.rows.get(key);
    if (old === undefined || !this.options.index) return;
    const index = this.options.index(old);
    const rows = this.byIndex.get(index);
    rows?.delete(key);
    if (rows?.size === 0) this.byIndex.delete(index);
  }

  private advance(partition: number, lastOffset: string): void {
    const end = this.behind.get(partition);
    if (end !== undefined && BigInt(lastOffset) + 1n >= end) {
      this.behind.delete(partition);
      this.checkCaughtUp();
    }
  }

  private checkCaughtUp(): void {
    if (this.caughtUpOnce || this.behind.size > 0) return;
    this.caughtUpOnce = true;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
