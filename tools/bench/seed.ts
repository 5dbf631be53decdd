/**
 * `npm run bench -- --seed-payments <n>`: tables that hold a busy day's payments before the sweep, to show that a
 * payment costs the same when they do (indexes, not scans). Each seeded payment has every row a decided payment
 * leaves within the retentions: its read-model row, caller, three timeline rows, decision, decided and requested events
 * in the outbox (sent), the consumers' inbox rows, the ledger's balanced hold, its reservation (authorized, then
 * released by a later snapshot), its Idempotency-Key, and the gateway's record. Written by a few set-based statements
 * (generate_series), in batches, each batch one transaction; its accounts and merchants are its own.
 */
import type { Pool } from '../../db/pool';
import { withTransaction } from '../../db/pool';
import { TOPICS } from '../../contracts/topics';

const BATCH = 20_000;

/** Inserts `count` decided payments of seed run `runId` spread over the last 24 hours. */
export async function seedPayments(pool: Pool, opts: { count: number; runId: string; caller: string }): Promise<void> {
  const { count, runId, caller } = opts;
  for (let from = 0; from < count; from += BATCH) {
    const to = Math.min(count, from + BATCH);
    await withTransaction(pool, async (tx) => {
      // One row per seeded payment: ids and times every table below derives its rows from.
      await tx.query(
        `create temporary table seed (payment_id text, account_id text, merchant_id text, amount bigint,
                                      requested_at timestamptz, requested_event uuid, decided_event uuid) on commit drop`,
      );
      await tx.query(
        `insert into seed
         select 'seed-' || $1 || '-' || i, 'seed-acc-' || $1 || '-' || (i % 1000), 'seed-m-' || (i % 50), 100 + (i % 900),
                now() - make_interval(secs => 86400.0 * (i::float8 / $3::int)), gen_random_uuid(), gen_random_uuid()
         from generate_series($2::int, $4::int - 1) as i`,
        [runId, from, count, to],
      );
      const seeded = (sql: string) => tx.query(sql);
      await seeded(
        `insert into payments (payment_id, account_id, merchant_id, amount, currency, requested_at, status, decision,
                               reason, decided_by, gateway_authorization_id, decided_at)
         select payment_id, account_id, merchant_id, amount, 'EUR', requested_at, 'AUTHORIZED', 'AUTHORIZED', 'APPROVED',
                'rules', 'auth_' || payment_id, requested_at + interval '80 milliseconds' from seed`,
      );
      await tx.query(
        `insert into payment_callers (payment_id, caller, requested_at) select payment_id, $1, requested_at from seed`,
        [caller],
      );
      await seeded(
        `insert into payment_timeline (payment_id, at, status, detail, event_id)
         select payment_id, requested_at, 'RECEIVED', '{}'::jsonb, requested_event from seed
         union all select payment_id, requested_at + interval '60 milliseconds', 'AUTHORIZING', '{}'::jsonb, null from seed
         union all select payment_id, requested_at + interval '80 milliseconds', 'AUTHORIZED',
                          '{"reason":"APPROVED","decidedBy":"rules"}'::jsonb, decided_event from seed`,
      );
      await seeded(
        `insert into payment_decisions (payment_id, event_id, decision, decided_at)
         select payment_id, decided_event, 'AUTHORIZED', requested_at + interval '80 milliseconds' from seed`,
      );
      await tx.query(
        `insert into outbox (event_id, topic, message_key, payload, created_at, sent_at)
         select requested_event, $1, account_id, jsonb_build_object('type', 'payment.authorization.requested', 'version', 1,
                'id', requested_event, 'data', jsonb_build_object('paymentId', payment_id)), requested_at, requested_at from seed
         union all
         select decided_event, $2, account_id, jsonb_build_object('type', 'payment.authorization.decided', 'version', 1,
                'id', decided_event, 'data', jsonb_build_object('paymentId', payment_id, 'decision', 'AUTHORIZED',
                'reason', 'APPROVED')), requested_at, requested_at from seed`,
        [TOPICS.paymentRequested, TOPICS.paymentDecided],
      );
      await seeded(
        `insert into inbox (consumer, event_id, applied_at)
         select 'read-model', requested_event, requested_at from seed
         union all select 'read-model', decided_event, requested_at from seed
         union all select 'notifier', decided_event, requested_at from seed`,
      );
      await seeded(
        `insert into ledger_transactions (transaction_id, payment_id, kind, created_at)
         select 'authorization:' || payment_id, payment_id, 'authorization_hold', requested_at from seed`,
      );
      await seeded(
        `insert into ledger_entries (transaction_id, ledger_account, direction, amount, currency)
         select 'authorization:' || payment_id, 'customer:' || account_id, 'debit', amount, 'EUR' from seed
         union all select 'authorization:' || payment_id, 'merchant:' || merchant_id || ':pending', 'credit', amount, 'EUR' from seed`,
      );
      await seeded(
        `insert into reservations (payment_id, account_id, amount, currency, status, reserved_at, authorized_at, released_at,
                                   release_reason)
         select payment_id, account_id, amount, 'EUR', 'released', requested_at, requested_at, requested_at + interval '1 hour',
                'REFLECTED_IN_SNAPSHOT' from seed`,
      );
      await tx.query(
        `insert into idempotency_keys (caller, idempotency_key, request_hash, state, response_status, response_body,
                                       created_at, locked_until)
         select $1, 'seed-key-' || payment_id, 'seed', 'done', 202, jsonb_build_object('paymentId', payment_id), requested_at,
                requested_at from seed`,
        [caller],
      );
      await seeded(
        `insert into gateway.authorizations (idempotency_key, request_hash, payment_id, account_id, merchant_id, amount,
                                             currency, status, authorization_id, created_at)
         select payment_id, 'seed', payment_id, account_id, merchant_id, amount, 'EUR', 'authorized', 'auth_' || payment_id,
                requested_at from seed`,
      );
    });
  }
  // Fresh statistics, as autovacuum would gather them in a while: the planner then sees the tables as they are.
  await pool.query('analyze');
}
