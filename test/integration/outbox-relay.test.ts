import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config';
import { migrate } from '../../db/migrate';
import { createPool, type Pool } from '../../db/pool';
import { createKafka } from '../../kafka/client';
import { OutboxRelay } from '../../outbox/relay';
import { applyOutboxRetention } from '../../db/outbox';

describe('outbox relay (real PostgreSQL and Kafka)', function () {
  this.timeout(90_000);
  const config = loadConfig();
  const kafka = createKafka(config, 'test');
  const topic = `test.outbox.${randomUUID()}`;
  let pool: Pool;

  before(async () => {
    pool = createPool(config);
    await migrate(pool);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
  });
  after(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
    await pool?.end();
  });

  it('publishes every row once per relay pass, in order per key, with three relays at once', async () => {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5'];
    const total = 300;
    // A short fetch wait: the disconnect waits out the fetch in flight (5 s by KafkaJS's default).
    const consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const seen = new Map<string, number[]>();
    let received = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const { seq } = JSON.parse(message.value!.toString()) as { seq: number };
        const key = message.key!.toString();
        seen.set(key, [...(seen.get(key) ?? []), seq]);
        received++;
        assert.ok(message.headers?.['event-id'], 'the event id travels in a header');
      },
    });

    const relays = [1, 2, 3].map(
      () =>
        new OutboxRelay({ pool, kafka, databaseUrl: config.database.url, batchSize: 7, idleMs: 100 }),
    );
    await Promise.all(relays.map((r) => r.start()));
    // Rows arrive while the relays run, one transaction each, like the saga writes them.
    for (let seq = 0; seq < total; seq++) {
      await pool.query('insert into outbox (event_id, topic, message_key, payload) values ($1, $2, $3, $4)', [
        randomUUID(),
        topic,
        keys[seq % keys.length],
        { seq },
      ]);
    }
    const deadline = Date.now() + 60_000;
    while (received < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would arrive within this
    await Promise.all(relays.map((r) => r.stop()));
    await consumer.disconnect();

    assert.equal(received, total, 'each row published exactly once (no relay crashed)');
    for (const [key, seqs] of seen)
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        `key ${key} out of order`,
      );
    assert.ok(relays.filter((r) => r.published > 0).length >= 2, 'the work was shared');
    const { rows } = await pool.query(`select count(*)::int as n from outbox where topic = $1 and sent_at is null`, [topic]);
    assert.equal(rows[0].n, 0);
  });

  it('prunes rows sent longer ago than the retention, and only those', async () => {
    const [old, recent, unsent] = [randomUUID(), randomUUID(), randomUUID()];
    await pool.query(
      `insert into outbox (event_id, topic, message_key, payload, sent_at) values
         ($1, $4, 'k', '{}', now() - interval '8 days'), ($2, $4, 'k', '{}', now() - interval '1 day'), ($3, $4, 'k', '{}', null)`,
      [old, recent, unsent, `${topic}.never-published`],
    );
    await applyOutboxRetention(pool, 7 * 86_400_000);
    const { rows } = await pool.query('select event_id from outbox where event_id = any($1) order by event_id', [
      [old, recent, unsent],
    ]);
    assert.deepEqual(rows.map((r) => r.event_id).sort(), [recent, unsent].sort());
    await pool.query('delete from outbox where event_id = $1', [unsent]);
  });
});
