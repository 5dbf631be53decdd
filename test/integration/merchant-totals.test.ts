/**
 * The exactly-once merchant totals aggregate on the real broker (docs/merchant-totals.md). Decided events go
 * straight to payments.authorization.decided with fresh event ids, for merchants that exist only in this run;
 * the processor runs in this process with a client id of its own (group and transactional ids), and for the
 * crash in a child process that kills itself inside a transaction.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { Client, Connection } from '@temporalio/client';
import { Partitioners, type Admin, type ISocketFactory, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { createApiApp } from '../../api/app';
import { createMerchantTotalsTable } from '../../api/merchants';
import { loadConfig } from '../../config';
import { envelope, EVENT_TYPES, type Envelope } from '../../contracts/events';
import type { MerchantTotals } from '../../contracts/merchant-totals';
import type { PaymentDecided } from '../../contracts/payment';
import { deadLetterTopic, MERCHANT_TOTALS_TOPICS, TOPICS } from '../../contracts/topics';
import { createPool } from '../../db/pool';
import { listen } from '../../roles/listen';
import { createKafka } from '../../kafka/client';
import { setGroupToTopicEnd, setGroupToTopicStart } from '../../kafka/group-offsets';
import { decodeRecord } from '../../kafka/consumer';
import { KafkaTable } from '../../kafka/table';
import { ensureTopics } from '../../kafka/topics';
import { merchantTotalsGroupId, MerchantTotalsProcessor, type MerchantTotalsOptions } from '../../merchant-totals/processor';
import { isConcurrentTransactions, runTransaction, transactionLogCreator } from '../../merchant-totals/transaction';
import { temporalConnectionOptions } from '../../temporal/connection';
import { contractFetch } from '../api-contract';

const INPUT = TOPICS.paymentDecided;
const TOTALS = MERCHANT_TOTALS_TOPICS.totals;
const END_TXN = 26; // Kafka API key of EndTxn
const TOKENS = { client: 'client-token-0123456789abcdef', operator: 'operator-token-0123456789abcdef' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * Real sockets, with one fault to inject: `cutAfter(apiKey)` makes the next request with that API key go out
 * in full and then destroys its connection, so the broker may act on it but its response never arrives.
 */
function faultySockets() {
  let armed: number | undefined;
  const faults = {
    cuts: 0,
    cutAfter(apiKey: number) {
      armed = apiKey;
    },
    factory: (({ host, port, ssl, onConnect }) => {
      const socket = ssl ? tls.connect({ host, port, ...ssl }, onConnect) : net.connect({ host, port }, onConnect);
      socket.setKeepAlive(true, 60_000);
      const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
      // KafkaJS writes each request as one buffer: size (int32), then the API key (int16).
      socket.write = (chunk: unknown, ...rest: unknown[]) => {
        if (armed !== undefined && Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === armed) {
          armed = undefined;
          faults.cuts++;
          return write(chunk, () => socket.destroy(new Error('test: connection cut after the request was written')));
        }
        return write(chunk, ...rest);
      };
      return socket;
    }) as ISocketFactory,
  };
  return faults;
}

describe('merchant totals aggregate (real Kafka)', function () {
  this.timeout(180_000);
  const runId = randomUUID().slice(0, 8);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_CLIENT_ID: `paysaga-test-mt-${runId}`,
    API_TOKENS: JSON.stringify([
      { token: TOKENS.client, subject: 'shop-1', roles: ['client'] },
      { token: TOKENS.operator, subject: 'alice', roles: ['operator'] },
    ]),
  };
  const config = loadConfig(env);
  // Quiet about the CONCURRENT_TRANSACTIONS responses the tests below provoke on purpose.
  const kafka: Kafka = createKafka(config, 'test', { logCreator: transactionLogCreator });
  const groupId = merchantTotalsGroupId(config.kafka.clientId);
  const merchants = new Set<string>();
  let admin: Admin;
  let producer: Producer;
  let processor: MerchantTotalsProcessor | undefined;

  const merchant = () => {
    const id = `m-${runId}-${merchants.size}`;
    merchants.add(id);
    return id;
  };

  /** A decided event of a fresh payment on a fresh account (so a merchant's events spread over partitions). */
  const decided = (merchantId: string, overrides: Partial<PaymentDecided> = {}): Envelope<PaymentDecided> => {
    const decidedAt = new Date().toISOString();
    return envelope(EVENT_TYPES.paymentDecided, randomUUID(), decidedAt, {
      paymentId: `pay-${randomUUID()}`,
      accountId: `acc-${runId}-${randomUUID().slice(0, 8)}`,
      merchantId,
      amount: 1_000,
      currency: 'EUR',
      decision: 'AUTHORIZED',
      reason: 'APPROVED',
      decidedBy: 'rules',
      gatewayAuthorizationId: `gw-${randomUUID()}`,
      decidedAt,
      ...overrides,
    });
  };

  /** Produces the events as the outbox relay does (keyed by account id); returns each one's partition. */
  const publish = async (...events: Envelope<PaymentDecided>[]): Promise<number[]> => {
    const partitions: number[] = [];
    for (const event of events) {
      const [meta] = await producer.send({
        topic: INPUT,
        messages: [{ key: event.data.accountId, value: JSON.stringify(event) }],
      });
      partitions.push(meta!.partition);
    }
    return partitions;
  };

  const startProcessor = async (opts: Omit<MerchantTotalsOptions, 'config'> = {}) => {
    processor = new MerchantTotalsProcessor({ config, ...opts });
    await processor.start();
    return processor;
  };
  const stopProcessor = async () => {
    await processor?.stop();
    processor = undefined;
  };

  /** Every partial of this run's merchants as a read_committed reader of merchants.authorized-totals sees it. */
  const committedPartials = async (): Promise<Record<string, { authorizedAmount: number; authorizedCount: number }>> => {
    const table = new KafkaTable<MerchantTotals>(kafka, {
      topic: TOTALS,
      groupId: `test-${randomUUID()}`,
      label: 'test totals',
      decode: (message) => decodeRecord(EVENT_TYPES.merchantTotalsUpdated, message.value).data,
    });
    try {
      await table.start();
      await table.caughtUp(60_000);
    } finally {
      await table.stop();
    }
    const rows = [...table.rows].filter(([, t]) => merchants.has(t.merchantId)).sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(
      rows.map(([key, t]) => [key, { authorizedAmount: t.authorizedAmount, authorizedCount: t.authorizedCount }]),
    );
  };

  /** The partials summed per merchant and currency: what GET /merchants/:id/totals answers. */
  const totalsOf = async (merchantId: string) => {
    const sums: Record<string, { authorizedAmount: number; authorizedCount: number }> = {};
    for (const [key, p] of Object.entries(await committedPartials())) {
      const [m, currency] = key.split('|');
      if (m !== merchantId) continue;
      const sum = (sums[currency!] ??= { authorizedAmount: 0, authorizedCount: 0 });
      sum.authorizedAmount += p.authorizedAmount;
      sum.authorizedCount += p.authorizedCount;
    }
    return sums;
  };

  /** Records not yet committed by the aggregate's group (its offsets are committed inside its transactions). */
  const lag = async (): Promise<number> => {
    const [[committed], ends] = await Promise.all([
      admin.fetchOffsets({ groupId, topics: [INPUT] }),
      admin.fetchTopicOffsets(INPUT),
    ]);
    return ends.reduce((sum, { partition, offset }) => {
      const at = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      return sum + Number(BigInt(offset) - (at === '-1' ? 0n : BigInt(at)));
    }, 0);
  };
  const settled = () => eventually('the aggregate to commit every input record', async () => (await lag()) === 0);

  /** Reads `topic` from the beginning and collects the records that `match`, until `until(found)` or a timeout. */
  async function findRecords(
    topic: string,
    match: (message: KafkaMessage, partition: number) => boolean,
    opts: { readUncommitted: boolean; until: (found: { partition: number; offset: string }[]) => boolean; timeoutMs?: number },
  ) {
    const found: { partition: number; offset: string }[] = [];
    // A short fetch wait: the disconnect below waits out the fetch in flight.
    const consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, readUncommitted: opts.readUncommitted, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (match(message, partition)) found.push({ partition, offset: message.offset });
        },
      });
      await eventually(`records of ${topic}`, async () => opts.until(found), opts.timeoutMs ?? 30_000).catch(() => undefined);
    } finally {
      await consumer.disconnect();
    }
    return found;
  }

  before(async () => {
    await ensureTopics(kafka, config);
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // A new group starts at the end of the input, so earlier runs' events are not aggregated again (until the replay test).
    await setGroupToTopicEnd(kafka, groupId, INPUT);
  });

  after(async () => {
    await stopProcessor();
    await producer?.disconnect();
    await admin?.deleteGroups([groupId]).catch(() => undefined);
    await admin?.disconnect();
  });

  const firstMerchant = { id: '', expected: {} as Record<string, { authorizedAmount: number; authorizedCount: number }> };

  it('counts authorized decisions once per merchant and currency, ignores declined ones, dead-letters an unreadable record', async () => {
    await startProcessor();
    const m = merchant();
    const poisonKey = `acc-${runId}-poison`;
    await publish(
      decided(m, { amount: 1_000 }),
      decided(m, { amount: 250 }),
      decided(m, { amount: 70, currency: 'USD' }),
      decided(m, { amount: 999, decision: 'DECLINED', reason: 'INSUFFICIENT_FUNDS', gatewayAuthorizationId: undefined }),
    );
    await producer.send({ topic: INPUT, messages: [{ key: poisonKey, value: `not json ${runId}` }] });

    const expected = {
      EUR: { authorizedAmount: 1_250, authorizedCount: 2 },
      USD: { authorizedAmount: 70, authorizedCount: 1 },
    };
    await eventually(
      'the totals of the first merchant',
      async () => JSON.stringify(await totalsOf(m)) === JSON.stringify(expected),
    );
    await settled();
    Object.assign(firstMerchant, { id: m, expected });
    assert.ok(processor!.counts.ignored >= 1, 'the declined decision reached the processor');

    const deadLetters = await findRecords(
      deadLetterTopic(INPUT),
      (message) => message.key?.toString() === poisonKey && message.headers?.['dlt-consumer-group']?.toString() === groupId,
      { readUncommitted: false, until: (found) => found.length > 0 },
    );
    assert.equal(deadLetters.length, 1, 'the unreadable record is dead-lettered once, with its reason');
  });

  it('changes nothing when the same record is delivered twice', async () => {
    const m = merchant();
    const event = decided(m, { amount: 300 });
    await publish(event);
    await eventually('the first delivery counted', async () => (await totalsOf(m)).EUR?.authorizedCount === 1);
    await settled();
    const before = await committedPartials();
    const duplicates = processor!.counts.duplicates;

    await publish(event, event);
    await eventually('both redeliveries processed', async () => processor!.counts.duplicates >= duplicates + 2);
    await settled();
    assert.deepEqual(await committedPartials(), before);
    assert.deepEqual(await totalsOf(m), { EUR: { authorizedAmount: 300, authorizedCount: 1 } });
  });

  it('changes nothing when the whole input topic is replayed from offset zero', async () => {
    await settled();
    const before = await committedPartials();
    assert.ok(Object.keys(before).length >= 3);
    await stopProcessor();
    await setGroupToTopicStart(kafka, groupId, INPUT);
    assert.ok((await lag()) > 0, 'the group is back at the beginning');

    await startProcessor();
    await settled();
    // This run's four authorized events came again (among every other event the topic holds).
    assert.ok(processor!.counts.duplicates >= 4, `only ${processor!.counts.duplicates} duplicate(s) seen`);
    assert.deepEqual(await committedPartials(), before);
  });

  it('retries CONCURRENT_TRANSACTIONS, which plain KafkaJS throws when offsets follow a commit', async () => {
    const topic = `test.merchant-totals.${randomUUID()}`;
    const group = `test-${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const tx = kafka.producer({
      transactionalId: `test-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await tx.connect();
    try {
      // Plain KafkaJS, transactions back to back as the aggregate runs them (offsets, records, commit): the
      // next AddOffsetsToTxn often meets the previous commit still being completed, and KafkaJS throws. How
      // often depends on the broker's timing, so try until it happens.
      let refused = 0;
      for (let i = 0; i < 50 && refused === 0; i++) {
        const t = await tx.transaction();
        try {
          await t.sendOffsets({ consumerGroupId: group, topics: [{ topic, partitions: [{ partition: 0, offset: '0' }] }] });
        } catch (err) {
          if (!isConcurrentTransactions(err)) throw err;
          refused++;
          await t.abort();
          continue;
        }
        await t.send({ topic, messages: [{ key: 'k', value: `plain-${i}` }] });
        await t.commit();
      }
      assert.ok(refused > 0, 'the broker never answered CONCURRENT_TRANSACTIONS: the workaround below would prove nothing');

      // runTransaction: the same back-to-back transactions all commit, offsets included.
      let retries = 0;
      let committed = 0;
      while (committed < 3 || (retries === 0 && committed < 50)) {
        committed++;
        retries += await runTransaction(tx, {
          offsets: { consumerGroupId: group, topic, partition: 0, offset: String(committed) },
          send: async (t) => void (await t.send({ topic, messages: [{ key: 'k', value: `retried-${committed}` }] })),
        });
      }
      assert.ok(retries > 0, 'no transaction needed a retry');
      // Transactional offsets become visible once the commit markers are written, a moment after commit().
      await eventually('the last offsets committed', async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        return offsets?.partitions[0]?.offset === String(committed);
      });
    } finally {
      await tx.disconnect();
      await admin.deleteTopics({ topics: [topic] });
      await admin.deleteGroups([group]).catch(() => undefined);
    }
  });

  it('replaces a KafkaJS producer stuck after its connection failed during the commit, and still counts once', async () => {
    // Plain KafkaJS: EndTxn goes out, the connection is cut, and the producer can never start a transaction again.
    const plainFaults = faultySockets();
    const faultyKafka = createKafka(config, 'test-faults', { socketFactory: plainFaults.factory });
    const topic = `test.merchant-totals.${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const stuck = faultyKafka.producer({
      transactionalId: `test-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await stuck.connect();
    try {
      const tx = await stuck.transaction();
      await tx.send({ topic, messages: [{ key: 'k', value: 'v' }] });
      plainFaults.cutAfter(END_TXN);
      await assert.rejects(tx.commit());
      assert.equal(plainFaults.cuts, 1);
      await assert.rejects(stuck.transaction(), /in state "COMMITTING"/);
    } finally {
      await stuck.disconnect();
      await admin.deleteTopics({ topics: [topic] });
    }

    // The aggregate: the same fault on its next commit.
    await stopProcessor();
    const faults = faultySockets();
    const faulty = await startProcessor({ socketFactory: faults.factory });
    faults.cutAfter(END_TXN);
    const m = merchant();
    await publish(decided(m, { amount: 4_242 }), decided(m, { amount: 8 }));
    await eventually('the totals after the cut', async () => (await totalsOf(m)).EUR?.authorizedCount === 2);
    await settled();
    assert.equal(faults.cuts, 1, 'the connection was cut once');
    assert.ok(faulty.counts.producersDiscarded >= 1, 'the stuck producer was replaced');
    assert.deepEqual(await totalsOf(m), { EUR: { authorizedAmount: 4_250, authorizedCount: 2 } });
    await stopProcessor();
  });

  it('a crash between the sends and the commit shows nothing to read_committed readers; the restart counts once; the api serves it', async function () {
    this.timeout(240_000);
    await stopProcessor();
    const m = merchant();
    const crashEvent = decided(m, { amount: 777 });
    const root = path.resolve(__dirname, '../..');
    const crashing = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '../fixtures/merchant-totals-crash.ts'), crashEvent.id],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    crashing.stdout.on('data', (c: Buffer) => (output += c.toString()));
    crashing.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => crashing.once('exit', (_code, signal) => r(signal)));
    try {
      await eventually('the crashing aggregate to consume', async () => output.includes('consuming'), 60_000);
      await publish(crashEvent);
      assert.equal(await exited, 'SIGKILL', output);
    } finally {
      crashing.kill('SIGKILL');
    }
    const key = `${m}|EUR|`;
    const ofKey = (message: KafkaMessage) => message.key?.toString().startsWith(key) ?? false;

    // The batch's output is in the log, in a transaction left open: read_uncommitted sees it...
    const uncommitted = await findRecords(TOTALS, ofKey, { readUncommitted: true, until: (found) => found.length > 0 });
    assert.equal(uncommitted.length, 1, 'a read_uncommitted reader sees the partial of the unfinished transaction');
    const [{ partition, offset: abortedOffset }] = uncommitted as [{ partition: number; offset: string }];
    // ...read_committed does not: the last stable offset stays before it, and a reader caught up to it has nothing.
    const stable = (await admin.fetchTopicOffsets(TOTALS)).find((p) => p.partition === partition)!;
    assert.ok(
      BigInt(stable.offset) <= BigInt(abortedOffset),
      `last stable offset ${stable.offset}, open record at ${abortedOffset}`,
    );
    assert.deepEqual(await totalsOf(m), {});

    // The restart fences the dead producer (aborting its transaction), restores the partition, counts the event once.
    const restarted = await startProcessor();
    await eventually('the totals after the restart', async () => (await totalsOf(m)).EUR?.authorizedCount === 1);
    await settled();
    assert.deepEqual(await totalsOf(m), { EUR: { authorizedAmount: 777, authorizedCount: 1 } });
    assert.ok(restarted.counts.restores >= 1);
    const committed = await findRecords(TOTALS, ofKey, {
      readUncommitted: false,
      until: (found) => found.some((r) => BigInt(r.offset) > BigInt(abortedOffset)),
    });
    assert.deepEqual(
      committed.map((r) => r.offset === abortedOffset),
      [false],
      'read_committed gets the committed partial and never the aborted one',
    );

    // The api: not ready until its table caught up, then the totals summed over the partials.
    const pool = createPool(config);
    const client = new Client({
      connection: await Connection.connect(temporalConnectionOptions(config)),
      namespace: config.temporal.namespace,
    });
    const table = createMerchantTotalsTable(kafka, config.kafka.clientId);
    const server = await listen(createApiApp({ pool, client, config, merchantTotals: table }), 0);
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = (p: string, token?: string) =>
      contractFetch(api + p, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    try {
      assert.equal((await get('/health/ready')).status, 503);
      assert.equal((await get(`/merchants/${m}/totals`, TOKENS.operator)).status, 503);
      await table.start();
      await table.caughtUp(60_000);
      assert.equal((await get('/health/ready')).status, 200);

      const crashed = await get(`/merchants/${m}/totals`, TOKENS.operator);
      assert.equal(crashed.status, 200);
      assert.deepEqual(await crashed.json(), {
        merchantId: m,
        totals: [{ currency: 'EUR', authorizedAmount: 777, authorizedCount: 1 }],
      });
      const first = await get(`/merchants/${firstMerchant.id}/totals`, TOKENS.operator);
      assert.deepEqual(await first.json(), {
        merchantId: firstMerchant.id,
        totals: Object.entries(firstMerchant.expected).map(([currency, t]) => ({ currency, ...t })),
      });
      assert.deepEqual(await (await get(`/merchants/m-${runId}-nobody/totals`, TOKENS.operator)).json(), {
        merchantId: `m-${runId}-nobody`,
        totals: [],
      });
      assert.equal((await get(`/merchants/${m}/totals`, TOKENS.client)).status, 403);
      assert.equal((await get(`/merchants/${m}/totals`)).status, 401);
      assert.equal((await get(`/merchants/${encodeURIComponent('m|x')}/totals`, TOKENS.operator)).status, 400);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await table.stop();
      await client.connection.close();
      await pool.end();
    }
  });

  describe('KafkaTable', () => {
    it('reads a compacted topic to its end through commit and abort markers, and drops tombstoned keys', async () => {
      const topic = `test.kafka-table.${randomUUID()}`;
      await admin.createTopics({
        topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
        waitForLeaders: true,
      });
      const tx = kafka.producer({
        transactionalId: `test-${randomUUID()}`,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await tx.connect();
      const table = (name: string) =>
        new KafkaTable<string>(kafka, {
          topic: name,
          groupId: `test-${randomUUID()}`,
          label: 'test table',
          decode: (m) => m.value?.toString() ?? null,
        });
      const empty = table(topic);
      const filled = table(topic);
      try {
        await empty.start();
        assert.equal(empty.isCaughtUp, true, 'an empty topic is caught up at once');

        const write = async (messages: { key: string; value: string | null }[], commit: boolean) => {
          const t = await tx.transaction();
          await t.send({ topic, messages });
          await (commit ? t.commit() : t.abort());
        };
        await write(
          [
            { key: 'k1', value: 'a' },
            { key: 'k2', value: 'b' },
          ],
          true,
        );
        await write([{ key: 'k1', value: 'c' }], true);
        await write([{ key: 'k2', value: null }], true);
        await write([{ key: 'k3', value: 'aborted' }], false); // the log now ends in an abort marker

        await filled.start();
        await filled.caughtUp(30_000);
        assert.deepEqual(Object.fromEntries(filled.rows), { k1: 'c' });
      } finally {
        await Promise.all([empty.stop(), filled.stop(), tx.disconnect()]);
        await admin.deleteTopics({ topics: [topic] });
      }
    });
  });
});
