/**
 * The LISTEN loop of the outbox relay and the notifier (db/notified-loop.ts) on the real PostgreSQL: a
 * notification wakes it at once; when the server drops its LISTEN connection (as a restart does) the process
 * carries on, the loop keeps turning, listens again by itself and is woken by notifications again; a turn that
 * throws is retried; once its pool has ended, it stops by itself rather than retrying for ever.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config';
import { NotifiedLoop } from '../../db/notified-loop';
import { createPool, type Pool } from '../../db/pool';
import { eventually } from '../eventually';

describe('NotifiedLoop: woken by PostgreSQL, and listening again after the server drops its connection', function () {
  this.timeout(60_000);
  const config = loadConfig();
  let pool: Pool;
  let loop: NotifiedLoop | undefined;

  before(() => {
    pool = createPool(config);
  });
  after(async () => {
    await loop?.stop();
    await pool.end();
  });

  it('wakes on NOTIFY, survives its LISTEN connection being terminated, and is woken again once it listens again', async () => {
    const channel = `loop_test_${randomUUID().slice(0, 8)}`;
    let turns = 0;
    // Without a notification the loop would sleep a minute between turns: every prompt turn below is a wake-up.
    loop = new NotifiedLoop({
      name: 'test loop',
      databaseUrl: config.database.url,
      pool,
      channel,
      step: async () => (turns++, 60_000),
      maxBackoffMs: 200,
    });
    await loop.start();
    await eventually('the first turn', async () => turns === 1);
    await pool.query(`select pg_notify($1, '')`, [channel]);
    await eventually('a turn woken by NOTIFY', async () => turns === 2, 5_000);

    const beforeLoss = turns;
    const { rowCount } = await pool.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where query ilike $1 and pid <> pg_backend_pid()`,
      [`listen%${channel}%`],
    );
    assert.equal(rowCount, 1, 'the LISTEN connection was found and terminated');
    await eventually('the loop notices the lost connection', async () => !loop!.listening, 5_000);
    await eventually('the loop listens again', async () => loop!.listening, 10_000);
    // Notifications sent while it was gone are lost, so listening again runs a turn at once.
    await eventually('a turn on listening again', async () => turns === beforeLoss + 1, 5_000);
    await pool.query(`select pg_notify($1, '')`, [channel]);
    await eventually('a turn woken by NOTIFY after listening again', async () => turns === beforeLoss + 2, 5_000);
  });

  it('retries a turn that throws, with backoff, and carries on once it goes through', async () => {
    let calls = 0;
    const failing = new NotifiedLoop({
      name: 'failing loop',
      databaseUrl: config.database.url,
      pool,
      channel: `loop_test_${randomUUID().slice(0, 8)}`,
      maxBackoffMs: 100,
      step: async () => {
        calls++;
        if (calls <= 3) throw new Error('engine unavailable');
        return 60_000;
      },
    });
    await failing.start();
    try {
      await eventually('the turn after three failures', async () => calls === 4, 10_000);
      assert.equal(failing.failures, 0);
    } finally {
      await failing.stop();
    }
  });

  it('stops by itself, and closes its LISTEN connection, once a turn fails because its pool has ended', async () => {
    const own = createPool(config);
    let calls = 0;
    const orphan = new NotifiedLoop({
      name: 'orphaned loop',
      databaseUrl: config.database.url,
      pool: own,
      channel: `loop_test_${randomUUID().slice(0, 8)}`,
      maxBackoffMs: 50,
      step: async () => {
        calls++;
        await own.query('select 1');
        return 10;
      },
    });
    await orphan.start();
    try {
      await eventually('a few turns', async () => calls >= 3, 10_000);
      await own.end(); // as a process that ends its pool while the loop still turns
      await eventually('the loop has stopped listening', async () => !orphan.listening, 10_000);
      const after = calls;
      await new Promise((r) => setTimeout(r, 500)); // 10 backoffs of 50 ms: a retrying loop would turn again
      assert.equal(calls, after, 'turns after the pool ended');
    } finally {
      await orphan.stop();
    }
  });
});
