/**
 * The merchant totals aggregate (docs/merchant-totals.md): authorized amount and count per merchant and
 * currency, computed from payments.authorization.decided by a consume-transform-produce loop in Kafka
 * transactions, so each decided event changes the output exactly once.
 *
 * KafkaJS has no KIP-447 (its TxnOffsetCommit carries no group generation), so a zombie cannot be fenced by
 * the consumer group: it is fenced by the transactional id instead, the EOS-v1 recipe. Input partition P has
 * its own producer, transactional id `<clientId>-merchant-totals-<P>`, and its own state (the partial totals of
 * P's events and the event ids it counted). Output goes to partition P of the output topics only, so P's
 * producer is their only writer, and P's state can be read back from them after a fence.
 *
 * Per batch of P: fold the events into a delta, then in one transaction commit P's next input offset, the
 * changed partials and the newly counted event ids; only after the commit apply the delta and move the
 * position. On any failure P's producer and state are thrown away and the batch is retried after a restore:
 * whether the failed commit went through or not, the restored state says which events were counted.
 */
import { Partitioners, type EachBatchPayload, type ISocketFactory, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Config } from '../config';
import { EVENT_TYPES, type Envelope } from '../contracts/events';
import type { PaymentDecided } from '../contracts/payment';
import { deadLetterTopic, MERCHANT_TOTALS_TOPICS, seenRetentionMs, TOPICS } from '../contracts/topics';
import { createKafka } from '../kafka/client';
import { decodeRecord, PoisonRecordError } from '../kafka/consumer';
import { deadLetterHeaders } from '../kafka/dead-letters';
import { roleConsumerConfig, SupervisedConsumer } from '../kafka/supervised-consumer';
import { logger } from '../observability/logger';
import { seenMessage, totalsMessage } from './changelog';
import { restorePartition } from './restore';
import { applyDelta, foldBatch, forgetSeenBefore, type BatchDelta, type PartitionState } from './state';
import { runTransaction, transactionLogCreator } from './transaction';
import { sendAcknowledgedBatch } from '../kafka/acknowledged-batch';
import { metrics } from '../observability/metrics';
import { merchantTotalsGroupId } from '../roles/consumer-groups';

export { merchantTotalsGroupId };
export const merchantTotalsTransactionalId = (clientId: string, partition: number) => `${clientId}-merchant-totals-${partition}`;

const INPUT = TOPICS.paymentDecided;
/** Restoring reads a partition's whole changelog; on a slow or large cluster that can take minutes. */
const RESTORE_TIMEOUT_MS = 300_000;
/**
 * How often a partition's remembered event ids get their retention. In the batch loop, not a periodic job: the
 * state belongs to the partition's batches, and is changed only between them.
 */
const RETENTION_EVERY_MS = 3_600_000;
/** How long a fetch of decided events may wait for more: the longest the totals lag behind when nothing else does. */
const TOTALS_LINGER_MS = 500;
/** A producer we drop is not waited for, but a failure to close it is logged. */
const disconnectFailed = (err: Error) => logger.warn({ err: err.message }, 'merchant totals: a producer did not disconnect');

export interface MerchantTotalsHooks {
  /** Test hook: runs when a batch's offsets and records are in its transaction, right before the commit. */
  beforeCommit?: (batch: { partition: number; countedEventIds: string[] }) => Promise<void>;
}

export interface MerchantTotalsOptions {
  config: Config;
  hooks?: MerchantTotalsHooks;
  /** Test hook: the sockets of the aggregate's Kafka client, to inject connection failures. */
  socketFactory?: ISocketFactory;
}

/** What this processor holds for one input partition it owns. */
interface PartitionSlot {
  partition: number;
  producer?: Producer;
  /** Undefined until restored: after an assignment, or after a failure threw the previous state away. */
  state?: PartitionState;
  retainedAt: number;
}

export class MerchantTotalsProcessor {
  /** Since start, for logs and tests. */
  readonly counts = {
    batches: 0,
    counted: 0,
    duplicates: 0,
    ignored: 0,
    deadLettered: 0,
    concurrentTransactionRetries: 0,
    failedBatches: 0,
    producersDiscarded: 0,
    restores: 0,
  };
  readonly groupId: string;
  readonly topic = INPUT;
  private readonly kafka: Kafka;
  private readonly consumer: SupervisedConsumer;
  private slots = new Map<number, PartitionSlot>();
  private memberId?: string;

  constructor(private readonly opts: MerchantTotalsOptions) {
    const { config } = opts;
    this.groupId = merchantTotalsGroupId(config.kafka.clientId);
    this.kafka = createKafka(config, 'merchant-totals', { logCreator: transactionLogCreator, socketFactory: opts.socketFactory });
    // A consumer that crashed for good (a broker restart can do that) is replaced by a new member: its first
    // assignment then drops every slot (onAssignment), so each partition restores before it counts again.
    this.consumer = new SupervisedConsumer(this.kafka, {
      name: this.groupId,
      config: {
        ...roleConsumerConfig(this.groupId),
        // Totals are read, not waited for: let the brokers gather up to half a second of decided events per fetch,
        // so that one transaction (its offsets, markers and records) counts several payments rather than one each
        // (docs/performance.md). Idle, it fetches twice a second.
        minBytes: 1_048_576,
        maxWaitTimeInMs: TOTALS_LINGER_MS,
      },
      run: async (consumer) => {
        const partitions = await this.partitionCount();
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.onAssignment(payload.memberId, payload.memberAssignment));
        await consumer.subscribe({ topic: INPUT, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          // Each partition has its own producer and state: partitions never wait for each other.
          partitionsConsumedConcurrently: partitions,
          eachBatch: (payload) => this.processBatch(payload),
        });
      },
    });
  }

  /** Consuming: started, not stopped, not between a crash and its replacement (for /health/ready). */
  get healthy(): boolean {
    return this.consumer.healthy;
  }

  async start(): Promise<void> {
    await this.consumer.start();
  }

  /** Lets the batches in hand finish, leaves the group, closes every producer. */
  async stop(): Promise<void> {
    await this.consumer.stop();
    const slots = [...this.slots.values()];
    this.slots = new Map();
    await Promise.all(slots.map(async (slot) => slot.producer?.disconnect().catch(disconnectFailed)));
  }

  /** The input and both outputs must have the same partitions: P's output goes to partition P. */
  private async partitionCount(): Promise<number> {
    const topics = [INPUT, MERCHANT_TOTALS_TOPICS.totals, MERCHANT_TOTALS_TOPICS.seen];
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0) throw new Error(`merchant totals: topic(s) ${missing.join(', ')} missing: run npm run setup`);
      const metadata = await admin.fetchTopicMetadata({ topics });
      const counts = metadata.topics.map((t) => ({ topic: t.name, partitions: t.partitions.length }));
      if (new Set(counts.map((c) => c.partitions)).size !== 1) {
        throw new Error(
          `merchant totals: ${counts.map((c) => `${c.topic} has ${c.partitions} partition(s)`).join(', ')}; ` +
            `each input partition writes to the same partition of the outputs, so the counts must be equal ` +
            `(recreate the output topics with the input's partition count)`,
        );
      }
      return counts[0]!.partitions;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * A new assignment: partitions we lost are dropped with their producer. Partitions we kept keep their state
   * unless we rejoined as a new member, in which case someone else may have owned them meanwhile. (Fencing by
   * transactional id would catch that anyway: our next commit would fail and restore.)
   */
  private onAssignment(memberId: string, assignment: Record<string, number[]>): void {
    const owned = new Set(assignment[INPUT] ?? []);
    const sameMember = memberId === this.memberId;
    this.memberId = memberId;
    for (const slot of [...this.slots.values()]) {
      if (sameMember && owned.has(slot.partition)) continue;
      this.slots.delete(slot.partition);
      void slot.producer?.disconnect().catch(disconnectFailed);
    }
  }

  private slotOf(partition: number): PartitionSlot {
    let slot = this.slots.get(partition);
    if (!slot) {
      slot = { partition, retainedAt: Date.now() };
      this.slots.set(partition, slot);
    }
    return slot;
  }

  private async processBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.isEmpty()) return;
    const slot = this.slotOf(batch.partition);
    try {
      const state = slot.state ?? (await this.prepare(slot, heartbeat));
      const { events, deadLetters } = this.decode(batch.messages);
      const countedAt = Date.now();
      const delta = foldBatch(state, events, countedAt);
      await this.commit(slot, batch.lastOffset(), delta, deadLetters, new Date(countedAt));
      applyDelta(state, delta);
      resolveOffset(batch.lastOffset());
      this.counts.batches++;
      this.counts.counted += delta.seen.size;
      this.counts.duplicates += delta.duplicates;
      this.counts.ignored += delta.ignored;
      this.counts.deadLettered += deadLetters.length;
      if (deadLetters.length > 0) metrics.deadLetters.inc({ topic: INPUT, group: this.groupId }, deadLetters.length);
      if (countedAt - slot.retainedAt > RETENTION_EVERY_MS) {
        forgetSeenBefore(state, countedAt - seenRetentionMs(this.opts.config.kafka.eventRetentionMs));
        slot.retainedAt = countedAt;
      }
    } catch (err) {
      this.counts.failedBatches++;
      logger.warn(
        {
          partition: batch.partition,
          firstOffset: batch.firstOffset(),
          lastOffset: batch.lastOffset(),
          err: (err as Error).message,
        },
        'merchant totals: batch failed; its producer and state are discarded and it is retried after a restore',
      );
      this.discard(slot);
      throw err;
    }
    await heartbeat();
  }

  /**
   * A fresh producer for P, initialised (which fences every older producer of P and aborts its open
   * transaction), then P's state read back from the outputs as they are after that fence.
   */
  private async prepare(slot: PartitionSlot, heartbeat: () => Promise<void>): Promise<PartitionState> {
    const { partition } = slot;
    const t0 = Date.now();
    const producer = this.kafka.producer({
      transactionalId: merchantTotalsTransactionalId(this.opts.config.kafka.clientId, partition),
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      // A send that keeps failing fails the batch within seconds; the batch is then retried with a new producer.
      retry: { initialRetryTime: 25, retries: 8 },
    });
    slot.producer = producer;
    // Keep the group membership alive while a long restore runs; a rebalance is acted on after it.
    let heartbeatError: Error | undefined;
    const beat = setInterval(() => void heartbeat().catch((err: Error) => (heartbeatError ??= err)), 1_000);
    try {
      await producer.connect();
      const init = await producer.transaction(); // InitProducerId: the fence
      await init.abort(); // nothing was added: no request, the producer is just ready again
      const state = await restorePartition(this.kafka, {
        partition,
        groupId: this.groupId,
        seenCutoff: Date.now() - seenRetentionMs(this.opts.config.kafka.eventRetentionMs),
        timeoutMs: RESTORE_TIMEOUT_MS,
      });
      slot.state = state;
      this.counts.restores++;
      logger.info(
        { partition, ms: Date.now() - t0, partials: state.totals.size, countedEventIds: state.seen.size },
        'merchant totals: partition restored',
      );
      if (heartbeatError) throw heartbeatError;
      return state;
    } finally {
      clearInterval(beat);
    }
  }

  private decode(messages: EachBatchPayload['batch']['messages']) {
    const events: Envelope<PaymentDecided>[] = [];
    const deadLetters: { message: (typeof messages)[number]; reason: string }[] = [];
    for (const message of messages) {
      try {
        events.push(decodeRecord(EVENT_TYPES.paymentDecided, message.value));
      } catch (err) {
        if (!(err instanceof PoisonRecordError)) throw err;
        deadLetters.push({ message, reason: err.message });
      }
    }
    return { events, deadLetters };
  }

  private async commit(
    slot: PartitionSlot,
    lastOffset: string,
    delta: BatchDelta,
    deadLetters: ReturnType<MerchantTotalsProcessor['decode']>['deadLetters'],
    at: Date,
  ): Promise<void> {
    const { partition, producer } = slot;
    if (!producer) throw new Error(`partition ${partition} has no producer`);
    const topicMessages: { topic: string; messages: Message[] }[] = [];
    if (delta.totals.size > 0)
      topicMessages.push({
        topic: MERCHANT_TOTALS_TOPICS.totals,
        messages: [...delta.totals.values()].map((p) => totalsMessage(p, partition, at)),
      });
    if (delta.seen.size > 0)
      topicMessages.push({
        topic: MERCHANT_TOTALS_TOPICS.seen,
        messages: [...delta.seen].map(([id, countedAt]) => seenMessage(id, countedAt, partition)),
      });
    if (deadLetters.length > 0)
      // Dead letters in the same transaction: written once, even if the batch is retried.
      topicMessages.push({
        topic: deadLetterTopic(INPUT),
        messages: deadLetters.map(({ message, reason }) => ({
          key: message.key,
          value: message.value,
          partition,
          headers: deadLetterHeaders(message, { reason, topic: INPUT, partition, group: this.groupId, at }),
        })),
      });
    this.counts.concurrentTransactionRetries += await runTransaction(producer, {
      offsets: { consumerGroupId: this.groupId, topic: INPUT, partition, offset: (BigInt(lastOffset) + 1n).toString() },
      send: async (tx) => {
        if (topicMessages.length > 0) await sendAcknowledgedBatch(tx, topicMessages);
      },
      beforeCommit: () =>
        this.opts.hooks?.beforeCommit?.({ partition, countedEventIds: [...delta.seen.keys()] }) ?? Promise.resolve(),
    });
  }

  /** After a failure: the producer may be stuck and the state may be behind or ahead of what was committed. */
  private discard(slot: PartitionSlot): void {
    if (this.slots.get(slot.partition) === slot) this.slots.delete(slot.partition);
    slot.state = undefined;
    if (slot.producer) {
      this.counts.producersDiscarded++;
      void slot.producer.disconnect().catch(disconnectFailed);
      slot.producer = undefined;
    }
  }
}
