/**
 * The safety net behind the contracts: when PostgreSQL rejects a record's data (SQLSTATE class 22 or 23), the
 * consumer dead-letters it with the reason and moves on; when PostgreSQL is unreachable or shuts a connection
 * down, it retries the same record until it succeeds (real Kafka and PostgreSQL).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import pg from 'pg';
import { loadConfig } from '../../config';
import { envelope, EVENT_TYPES } from '../../contracts/events';
import type { PaymentRequest } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import { createPool, type Pool } from '../../db/pool';
import { createKafka } from '../../kafka/client';
import { setGroupToTopicEnd } from '../../kafka/group-offsets';
import { EventConsumer } from '../../kafka/consumer';
import { listDeadLetters } from '../../kafka/dead-letters';
import { ensureTopics } from '../../kafka/topics';
import { eventually } from '../eventually';

describe('consumer: database failures, permanent or passing (real Kafka and PostgreSQL)', function () {
  this.timeout(60_000);
  const config = loadConfig({ ...process.env, KAFKA_CLIENT_ID: `paysaga-test-dbfail-${randomUUID().slice(0, 8)}` });
  const kafka = createKafka(config, 'test');
  const table = `consumer_failures_${randomUUID().slice(0, 8)}`;
  let pool: Pool;

  before(async () => {
    pool = createPool(config);
    await ensureTopics(kafka, config);
    await pool.query(
      `create table ${table} (merchant_id text not null check (merchant_id <> 'm-rejected'), amount bigint not null)`,
    );
  });
  after(async () => {
    await pool.query(`drop table if exists ${table}`);
    await pool.end();
  });

  /** A statement that fails while PostgreSQL is unreachable: a pool on a port nothing listens on. */
  async function unreachable(): Promise<void> {
    const url = new URL(config.database.url);
    url.port = '1';
    const nowhere = new pg.Pool({ connectionString: url.toString(), connectionTimeoutMillis: 2_000 });
    try {
      await nowhere.query('select 1');
    } finally {
      await nowhere.end();
    }
  }

  /** A statement whose connection an administrator terminates while it runs: SQLSTATE 57P01. */
  async function terminatedByAdministrator(): Promise<void> {
    const victim = new pg.Client({ connectionString: config.database.url });
    victim.on('error', () => undefined); // the terminated connection also reports it as an event
    await victim.connect();
    try {
      const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const sleeping = victim.query('select pg_sleep(30)');
      sleeping.catch(() => undefined); // awaited below, once terminated
      await eventually('the statement running', async () => {
        const { rows } = await pool.query(`select 1 from pg_stat_activity where pid = $1 and query like 'select pg_sleep%'`, [
          pid,
        ]);
        return rows.length === 1;
      });
      await pool.query('select pg_terminate_backend($1)', [pid]);
      await sleeping;
    } finally {
      await victim.end().catch(() => undefined);
    }
  }

  it('dead-letters data PostgreSQL rejects, retries while it is unavailable, and processes every valid record', async () => {
    const key = `acc-dbfail-${randomUUID()}`;
    const failures = new Map<string, { remaining: number; fail: () => Promise<void> }>([
      ['m-unreachable', { remaining: 2, fail: unreachable }],
      ['m-shutdown', { remaining: 1, fail: terminatedByAdministrator }],
    ]);
    const seen: { merchantId: string; error?: string }[] = [];
    const group = `${config.kafka.clientId}-consumer`;
    const consumer = new EventConsumer(
      kafka,
      {
        type: EVENT_TYPES.paymentRequested,
        topic: TOPICS.paymentRequested,
        groupId: group,
        handle: async ({ data }) => {
          if (data.accountId !== key) return;
          const failure = failures.get(data.merchantId);
          if (failure && failure.remaining > 0) {
            failure.remaining--;
            await failure.fail().catch((err: Error & { code?: string }) => {
              seen.push({ merchantId: data.merchantId, error: err.code });
              throw err;
            });
          }
          // Ten thousand times the amount: past int8 for the largest amount the contract allows.
          await pool.query(`insert into ${table} (merchant_id, amount) values ($1, $2::bigint * 10000)`, [
            data.merchantId,
            data.amount,
          ]);
          seen.push({ merchantId: data.merchantId });
        },
      },
      500,
    );
    await setGroupToTopicEnd(kafka, group, TOPICS.paymentRequested);
    await consumer.start();
    try {
      const request = (merchantId: string, amount = 100): PaymentRequest => ({
        paymentId: `pay-${randomUUID()}`,
        accountId: key,
        merchantId,
        amount,
        currency: 'EUR',
        requestedAt: new Date().toISOString(),
      });
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      for (const r of [
        request('m-rejected'),
        request('m-large', Number.MAX_SAFE_INTEGER),
        request('m-unreachable'),
        request('m-shutdown'),
        request('m-valid'),
      ])
        await producer.send({
          topic: TOPICS.paymentRequested,
          acks: -1,
          messages: [{ key, value: JSON.stringify(envelope(EVENT_TYPES.paymentRequested, randomUUID(), r.requestedAt, r)) }],
        });
      await producer.disconnect();

      await eventually('the last record processed', async () => seen.some((s) => s.merchantId === 'm-valid'), 30_000);
      assert.equal(consumer.counts.deadLettered, 2);
      const { rows } = await pool.query<{ merchant_id: string }>(`select merchant_id from ${table} order by merchant_id`);
      assert.deepEqual(
        rows.map((r) => r.merchant_id),
        ['m-shutdown', 'm-unreachable', 'm-valid'],
      );
      assert.deepEqual(
        seen.filter((s) => s.error).map((s) => [s.merchantId, s.error]),
        [
          ['m-unreachable', 'ECONNREFUSED'],
          ['m-unreachable', 'ECONNREFUSED'],
          ['m-shutdown', '57P01'],
        ],
        'each unavailability was retried on the same record',
      );
    } finally {
      await consumer.stop();
    }
    const letters = (await listDeadLetters(kafka, TOPICS.paymentRequested, config.kafka.clientId)).filter(
      (l) => l.key === key && l.group === group,
    );
    assert.equal(letters.length, 2);
    assert.match(letters[0]!.reason, /^PostgreSQL rejected the data: 23514 integrity constraint violation: .*check constraint/);
    assert.match(letters[1]!.reason, /^PostgreSQL rejected the data: 22003 data exception: bigint out of range/);
  });
});
