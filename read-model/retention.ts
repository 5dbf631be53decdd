/**
 * Retention of decided payments (DESIGN.md §8): the read model's row and timeline of a payment decided longer
 * ago than PAYMENT_RETENTION, and the api's record of who asked for it. An undecided payment is kept whatever
 * its age: its saga decides it, and the decision starts the clock.
 */
import { withTransaction, type Pool } from '../db/pool';

/** Rows deleted per transaction, so a first run over a large backlog never holds long locks. */
const BATCH = 1_000;

export async function applyPaymentRetention(pool: Pool, retentionMs: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = await withTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ payment_id: string }>(
        `delete from payments where payment_id in (
           select payment_id from payments
           where decision is not null and decided_at < now() - make_interval(secs => $1 / 1000.0)
           limit $2 for update skip locked)
         returning payment_id`,
        [retentionMs, BATCH],
      );
      const gone = rows.map((r) => r.payment_id);
      await tx.query('delete from payment_timeline where payment_id = any($1)', [gone]);
      await tx.query('delete from payment_callers where payment_id = any($1)', [gone]);
      return gone;
    });
    deleted += ids.length;
    if (ids.length < BATCH) break;
  }
  // A caller's record whose payment the read model never held (none is expected: the api writes both at once).
  await pool.query(
    `delete from payment_callers c where c.requested_at < now() - make_interval(secs => $1 / 1000.0)
     and not exists (select 1 from payments p where p.payment_id = c.payment_id)`,
    [retentionMs],
  );
  return deleted;
}
