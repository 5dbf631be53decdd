/**
 * The inbox (DESIGN.md §6): which events each consumer has applied. A consumer claims an event in the same
 * transaction as its effects, so an event delivered twice, or a topic replayed from offset zero, changes
 * nothing the second time.
 */
import type { Pool, PoolClient } from './pool';

/** Records that `consumer` applies `eventId` now; false when it already has (then apply nothing). */
export async function claimEvent(tx: PoolClient, consumer: string, eventId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    'insert into inbox (consumer, event_id) values ($1, $2) on conflict (consumer, event_id) do nothing',
    [consumer, eventId],
  );
  return rowCount === 1;
}

/** Retention: deletes a consumer's inbox rows older than `retentionMs` (a day beyond what the event topics keep). */
export async function applyInboxRetention(pool: Pool, consumer: string, retentionMs: number): Promise<number> {
  const { rowCount } = await pool.query(
    'delete from inbox where consumer = $1 and applied_at < now() - make_interval(secs => $2 / 1000.0)',
    [consumer, retentionMs],
  );
  return rowCount ?? 0;
}
