/**
 * A payment's timeline (GET /payments/:id and its event stream): one row per state change, from the read model
 * (requested, decided) and from the saga (waiting for account state, review, overrides). Every writer goes
 * through here.
 *
 * Row ids are the stream's event ids, so per payment they must grow in commit order: a reader that has seen
 * row n must never later find a row below n commit. Writers of one payment's rows therefore take the payment's
 * lock before the insert draws its id, and hold it until they commit.
 *
 * Across payments no lock orders the rows: the feed of every payment (GET /payment-events) orders them by the
 * id of the transaction that wrote them (column tx), and reads only below the oldest transaction still
 * running, where no row can commit any more (db/migrations/0010_review_queue.sql).
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

/** Appends a row in `tx` (at: now unless given); a row with an event id already recorded is not added twice. */
export async function appendTimelineRow(
  tx: PoolClient,
  row: { paymentId: string; at?: string | Date; status: string; detail?: Record<string, unknown>; eventId?: string },
): Promise<void> {
  await lockTimeline(tx, row.paymentId);
  await tx.query(
    `insert into payment_timeline (payment_id, at, status, detail, event_id)
     values ($1, coalesce($2::timestamptz, now()), $3, $4, $5)
     on conflict (event_id) do nothing`,
    [row.paymentId, row.at ?? null, row.status, row.detail ?? {}, row.eventId ?? null],
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

/** A position in the feed of every payment's rows: the writing transaction's id (xid8, as text) and the row id. */
export interface FeedPosition {
  tx: string;
  id: number;
}

export interface FeedRow extends TimelineRow {
  tx: string;
  paymentId: string;
  /** The payment as the read model has it; null while it does not (a saga's row may commit before it). */
  accountId: string | null;
  merchantId: string | null;
  amount: number | null;
  currency: string | null;
}

/**
 * Where a feed that wants no backlog starts: at the oldest transaction still running, so that whatever commits
 * from now on is after it (a row committed a moment ago by a younger transaction may come too).
 */
export async function feedEnd(db: Pool | PoolClient): Promise<FeedPosition> {
  const { rows } = await db.query<{ tx: string }>('select pg_snapshot_xmin(pg_current_snapshot())::text as tx');
  return { tx: rows[0]!.tx, id: 0 };
}

/**
 * Every payment's rows after `after`, in commit order (by transaction, then row id), at most `limit`: only rows
 * of transactions older than every one still running, so no row that commits later can sort before them.
 */
export async function feedAfter(db: Pool | PoolClient, after: FeedPosition, limit: number): Promise<FeedRow[]> {
  const { rows } = await db.query<FeedRow>(
    `select t.tx::text as tx, t.id, t.at, t.status, t.detail, t.payment_id as "paymentId", p.account_id as "accountId",
            p.merchant_id as "merchantId", p.amount, p.currency
     from payment_timeline t left join payments p on p.payment_id = t.payment_id
     where (t.tx, t.id) > ($1::xid8, $2::bigint) and t.tx < pg_snapshot_xmin(pg_current_snapshot())
     order by t.tx, t.id limit $3`,
    [after.tx, after.id, limit],
  );
  return rows;
}
