/**
 * Bounded growth of the api's tables (DESIGN.md §8): decided payments go after their retention with their
 * timeline and caller, undecided ones stay; and the purges and a client's listing have indexes to use.
 * Real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config';
import { migrate } from '../../db/migrate';
import { createPool, withTransaction, type Pool } from '../../db/pool';
import { applyPaymentRetention } from '../../read-model/retention';

const DAY = 86_400_000;

describe('retention of decided payments, and the indexes of purges and listing (real PostgreSQL)', function () {
  this.timeout(30_000);
  let pool: Pool;

  before(async () => {
    pool = createPool(loadConfig());
    await migrate(pool);
  });
  after(() => pool?.end());

  /** A payment as the api and the read model record it, requested and (if given) decided that many days ago. */
  const payment = async (requestedDaysAgo: number, decidedDaysAgo?: number) => {
    const id = `ret-${randomUUID()}`;
    const decided = decidedDaysAgo !== undefined;
    await pool.query(
      `insert into payments (payment_id, account_id, merchant_id, amount, currency, requested_at, status, decision, reason,
                             decided_by, decided_at)
       values ($1, 'acc-ret', 'm-1', 100, 'EUR', now() - make_interval(days => $2), $3, $4, $5, $6,
               now() - make_interval(days => $7))`,
      [
        id,
        requestedDaysAgo,
        decided ? 'DECLINED' : 'RECEIVED',
        decided ? 'DECLINED' : null,
        decided ? 'ACCOUNT_STATE_TIMEOUT' : null,
        decided ? 'timeout' : null,
        decidedDaysAgo ?? null,
      ],
    );
    await pool.query(
      `insert into payment_timeline (payment_id, at, status, event_id) values ($1, now() - make_interval(days => $2), 'RECEIVED', $3)`,
      [id, requestedDaysAgo, randomUUID()],
    );
    await pool.query(
      `insert into payment_callers (payment_id, caller, requested_at) values ($1, 'shop-ret', now() - make_interval(days => $2))`,
      [id, requestedDaysAgo],
    );
    return id;
  };
  const kept = async (id: string) => {
    const counts = await Promise.all(
      ['payments', 'payment_timeline', 'payment_callers'].map(
        async (table) => (await pool.query(`select 1 from ${table} where payment_id = $1`, [id])).rowCount,
      ),
    );
    return counts.join(',');
  };

  it('purges decided payments past the retention with their timeline and caller, and keeps the rest', async () => {
    const old = await payment(100, 95);
    const young = await payment(100, 10);
    const undecided = await payment(200);
    await applyPaymentRetention(pool, 90 * DAY);
    assert.equal(await kept(old), '0,0,0', 'decided 95 days ago: gone from every table');
    assert.equal(await kept(young), '1,1,1', 'decided 10 days ago: kept');
    assert.equal(await kept(undecided), '1,1,1', 'undecided: kept whatever its age');
  });

  /** The plan of a statement when the planner avoids sequential scans wherever an index can serve. */
  const plan = (sql: string, params: unknown[] = []) =>
    withTransaction(pool, async (tx) => {
      await tx.query('set local enable_seqscan = off');
      const { rows } = await tx.query(`explain ${sql}`, params);
      return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    });

  it('has an index for each purge and for a client listing its payments newest first', async () => {
    assert.match(await plan(`delete from outbox where sent_at < now() - interval '7 days'`), /outbox_sent/);
    assert.match(
      await plan(`select payment_id from payments where decision is not null and decided_at < now() - interval '90 days'`),
      /payments_decided/,
    );
    assert.match(
      await plan(
        `select payment_id from payment_callers where caller = $1 order by requested_at desc, payment_id desc limit 50`,
        ['shop-ret'],
      ),
      /payment_callers_newest/,
    );
    assert.match(
      await plan(`select payment_id from payments order by requested_at desc, payment_id desc limit 50`),
      /payments_newest/,
    );
  });
});
