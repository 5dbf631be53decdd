/**
 * KafkaJS 2.2.4 transactions, with workarounds for its known issues (docs/merchant-totals.md):
 *
 * - CONCURRENT_TRANSACTIONS right after a commit (tulios/kafkajs#1315, #430). EndTxn returns once the
 *   coordinator has logged PrepareCommit; until the markers are written, the next transaction's
 *   AddOffsetsToTxn / AddPartitionsToTxn is refused with CONCURRENT_TRANSACTIONS. KafkaJS retries
 *   AddPartitionsToTxn inside `send` (with the producer's retry backoff) but not AddOffsetsToTxn, which throws.
 *   `runTransaction` sends the offsets first and retries the whole transaction on that error after a short
 *   backoff; nothing was added to the transaction yet, so its abort is local.
 * - A producer stuck after a broker or connection failure (tulios/kafkajs#1416): when EndTxn fails, KafkaJS's
 *   transaction state machine stays in COMMITTING (or ABORTING) for good and every later transaction() throws.
 *   No retry can fix that producer: the caller discards it and creates a new one with the same transactional
 *   id, whose InitProducerId aborts whatever the old one left open (or finds it committed).
 */
import type { LogEntry, logCreator, Producer, Transaction } from 'kafkajs';
import { logLevel } from 'kafkajs';
import { logger } from '../observability/logger';

const CONCURRENT_TRANSACTIONS = 'CONCURRENT_TRANSACTIONS';
const MAX_ATTEMPTS = 10;

export const isConcurrentTransactions = (err: unknown): boolean => {
  const e = err as { type?: string; originalError?: { type?: string } } | undefined;
  return e?.type === CONCURRENT_TRANSACTIONS || e?.originalError?.type === CONCURRENT_TRANSACTIONS;
};

export interface TransactionWork {
  /** The input offsets this transaction commits for its consumer group. */
  offsets: { consumerGroupId: string; topic: string; partition: number; offset: string };
  /** Sends the output records; runs after the offsets were added. */
  send(tx: Transaction): Promise<void>;
  /** Runs after everything was sent, right before the commit (a test hook). */
  beforeCommit?: () => Promise<void>;
}

/**
 * One transaction: offsets, records, commit. Retries on CONCURRENT_TRANSACTIONS; any other error aborts what
 * can be aborted and is thrown: the caller must then treat the producer as unusable. Returns the number of
 * CONCURRENT_TRANSACTIONS retries it took.
 */
export async function runTransaction(producer: Producer, work: TransactionWork): Promise<number> {
  const { consumerGroupId, topic, partition, offset } = work.offsets;
  for (let attempt = 1; ; attempt++) {
    const tx = await producer.transaction();
    try {
      await tx.sendOffsets({ consumerGroupId, topics: [{ topic, partitions: [{ partition, offset }] }] });
      await work.send(tx);
      await work.beforeCommit?.();
      await tx.commit();
      return attempt - 1;
    } catch (err) {
      // Abort what is still open; if EndTxn itself failed the state machine is stuck and isActive() is false.
      if (tx.isActive()) await tx.abort().catch(() => undefined);
      if (!isConcurrentTransactions(err) || attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, Math.min(500, 10 * 2 ** attempt)));
    }
  }
}

/**
 * KafkaJS's log lines into paysaga's logger, minus what the aggregate handles itself: the
 * CONCURRENT_TRANSACTIONS error responses that runTransaction retries, and the warning that a transactional
 * producer's retries are limited (a failed transaction is aborted and its producer replaced, so no retry
 * budget can break exactly-once).
 */
export const transactionLogCreator: logCreator = () => (entry: LogEntry) => {
  const { namespace, level, log } = entry;
  // pino stamps its own time; KafkaJS's `logger: 'kafkajs'` goes into the message.
  const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
  const text = `${message} ${String(fields.error ?? '')}`;
  if (text.includes('concurrent operation on the same transaction')) return;
  if (text.includes('Limiting retries for the idempotent producer')) return;
  const line = `kafkajs: ${namespace ? `[${namespace}] ` : ''}${message}`;
  if (level === logLevel.ERROR) logger.error(fields, line);
  else if (level === logLevel.WARN) logger.warn(fields, line);
  else if (level === logLevel.INFO) logger.info(fields, line);
  else logger.debug(fields, line);
};
