/**
 * One replay of a topic's dead letters at a time, across every process (each api, the CLI). A replay remembers
 * what it sent in a lasting consumer group's offsets, set only when it has read to the end: two replays at once
 * would both start from the same offsets and send the same dead letters twice, and would split the group's
 * partitions between them. Under this lock the second waits, then finds nothing new to send.
 */
import { withTransaction, type Pool, type PoolClient } from './pool';

export async function withDeadLetterReplayLock<T>(pool: Pool, topic: string, fn: (tx: PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`dlt-replay:${topic}`]);
    return fn(tx);
  });
}
