/**
 * A payment's timeline (GET /payments/:id and its event stream): one row per state change, from the read model
 * (requested, decided) and from the saga (waiting for account state). Every writer goes through here.
 *
 * Row ids are the stream's event ids, so per payment they must grow in commit order: a reader that has seen
 * row n must never later find a row below n commit. Writers of one payment's rows therefore take the payment's
 * lock before the insert draws its id, and hold it until they commit.
 */
import type { Pool, PoolClient } from './pool';

export interface TimelineRow {
  id: number;
  at: Date;
  status: string;
  detail: Record<string, unknown>;
}

const lockTimeline = (tx: PoolClient, paymentId: string) =>
  tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`timeline:${paymentId}`]);

/** Appends a row in `tx`; a row with an event id already recorded is not added twice. */
export async function appendTimelineRow(
  tx: PoolClient,
  row: { paymentId: string; at: string | Date; status: string; detail?: Record<string, unknown>; eventId?: string },
): Promise<void> {
  await lockTimeline(tx, row.paymentId);
  await tx.query(
    `insert into payment_timeline (payment_id, at, status, detail, event_id) values ($1, $2, $3, $4, $5)
     on conflict (event_id) do nothing`,
    [row.paymentId, row.at, row.status, row.detail ?? {}, row.eventId ?? null],
  );
}

/**
 * Appends a row with `status` unless the payment has one already (a retried step records its state once).
 * The payment's lock makes the check and the insert one step.
 */
export async function appendTimelineRowOnce(
  tx: PoolClient,
  row: { paymentId: string; status: string; detail?: Record<string, unknown> },
): Promise<void> {
  await lockTimeline(tx, row.paymentId);
  await tx.query(
    `insert into payment_timeline (payment_id, status, detail)
     select $1, $2, $3 where not exists (select 1 from payment_timeline where payment_id = $1 and status = $2)`,
    [row.paymentId, row.status, row.detail ?? {}],
  );
}

/** The payment's rows after row `afterId` (0: all), oldest first. */
export async function timelineAfter(db: Pool | PoolClient, paymentId: string, afterId: number): Promise<TimelineRow[]> {
  const { rows } = await db.query<TimelineRow>(
    'select id, at, status, detail from payment_timeline where payment_id = $1 and id > $2 order by id',
    [paymentId, afterId],
  );
  return rows;
}
