/**
 * The outbox (DESIGN.md §6): events written in the same transaction as the change they announce, which the
 * relay (outbox/relay.ts) then publishes to Kafka. Every reader and writer of the table goes through here, but for
 * the statements that write an event with the rest of a change at once (db/decisions.ts, api/idempotency.ts).
 */
import type { Envelope } from '../contracts/events';
import { traceHeaders } from '../observability/tracing';
import { prepared, type Pool, type PoolClient } from './pool';

type Db = Pool | PoolClient;

export interface OutboxRow {
  id: number;
  event_id: string;
  topic: string;
  message_key: string;
  payload: { type?: string };
  /** The trace context of whoever wrote the row (`traceparent`). */
  headers: Record<string, string>;
}

/**
 * Queues an event for `topic` under `key`, in the caller's transaction. The row carries the caller's trace
 * context, so the consumers' spans join its trace. Once per event id: a retried writer queues nothing twice.
 */
export async function enqueueEvent(
  tx: PoolClient,
  event: { topic: string; key: string; envelope: Envelope<unknown> },
): Promise<void> {
  await tx.query(
    `insert into outbox (event_id, topic, message_key, payload, headers) values ($1, $2, $3, $4, $5)
     on conflict (event_id) do nothing`,
    [event.envelope.id, event.topic, event.key, event.envelope, traceHeaders()],
  );
}

const lockOldestKeys = prepared(
  'outbox-lock-oldest-keys',
  `with oldest as (select message_key from outbox where sent_at is null order by id limit $1)
   select message_key, pg_try_advisory_xact_lock(hashtextextended('outbox:' || message_key, 0)) as locked,
          (select count(*)::int from oldest) as window_rows
   from (select distinct message_key from oldest) keys`,
);
const selectUnsentOfKeys = prepared(
  'outbox-unsent-of-keys',
  `select id, event_id, topic, message_key, payload, headers from outbox
   where sent_at is null and message_key = any($1) order by id limit $2`,
);

/**
 * Locks the keys of the oldest unsent rows that no other relay holds (until the transaction ends) and returns
 * their unsent rows in id order: no two relays publish one key's rows at once, and a key's rows go in order.
 * `more` says that unsent rows may remain beyond these: the window of oldest rows was full, or another relay held
 * some of its keys.
 */
export async function lockUnsentBatch(tx: PoolClient, batchSize: number): Promise<{ rows: OutboxRow[]; more: boolean }> {
  const keys = await tx.query<{ message_key: string; locked: boolean; window_rows: number }>(lockOldestKeys([batchSize]));
  const locked = keys.rows.filter((k) => k.locked).map((k) => k.message_key);
  const more = keys.rows.length > locked.length || (keys.rows[0]?.window_rows ?? 0) >= batchSize;
  if (locked.length === 0) return { rows: [], more };
  // Read in a new statement: its snapshot is taken after the locks, so it sees what a relay that held one of
  // these keys before us has marked sent (the first statement's may not).
  const { rows } = await tx.query<OutboxRow>(selectUnsentOfKeys([locked, batchSize]));
  return { rows, more: more || rows.length >= batchSize };
}

const markRowsSent = prepared('outbox-mark-sent', 'update outbox set sent_at = now() where id = any($1)');

export async function markSent(tx: PoolClient, ids: number[]): Promise<void> {
  await tx.query(markRowsSent([ids]));
}

/** Rows not yet published (the backlog gauge). */
export async function countUnsent(db: Db): Promise<number> {
  return (await db.query<{ n: number }>('select count(*)::int as n from outbox where sent_at is null')).rows[0]!.n;
}

/** The payloads of a topic's rows not yet published, by event id. */
export async function unsentEvents(db: Db, topic: string): Promise<{ event_id: string; payload: { data: unknown } }[]> {
  const { rows } = await db.query<{ event_id: string; payload: { data: unknown } }>(
    'select event_id, payload from outbox where topic = $1 and sent_at is null',
    [topic],
  );
  return rows;
}

/** Retention: deletes rows published longer ago than `retentionMs` (unsent rows are kept whatever their age). */
export async function applyOutboxRetention(db: Db, retentionMs: number): Promise<number> {
  const { rowCount } = await db.query(`delete from outbox where sent_at < now() - make_interval(secs => $1 / 1000.0)`, [
    retentionMs,
  ]);
  return rowCount ?? 0;
}
