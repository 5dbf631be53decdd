/**
 * The api's Kafka dead letters (operators): a record a consumer rejects is listed with its reason, its other
 * headers and secrets in its value never shown; a replay republishes it once, even when two run at once, and is
 * audited (real Kafka and PostgreSQL).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { createApiApp } from '../../api/app';
import { loadConfig, type Config } from '../../config';
import { EVENT_TYPES } from '../../contracts/events';
import { deadLetterTopic, TOPICS } from '../../contracts/topics';
import { migrate } from '../../db/migrate';
import { createPool, type Pool } from '../../db/pool';
import { createKafka } from '../../kafka/client';
import { EventConsumer } from '../../kafka/consumer';
import { DeadLetterFollower } from '../../kafka/dead-letter-follower';
import { listDeadLetters, type DeadLetter } from '../../kafka/dead-letters';
import { readToEnd } from '../../kafka/read-to-end';
import { ensureTopics } from '../../kafka/topics';
import { listen } from '../../roles/listen';
import { temporalConnectionOptions } from '../../temporal/connection';
import { contractFetch } from '../api-contract';
import { eventually } from '../eventually';
import { startGroupAtEnd } from '../kafka-groups';

describe('api: Kafka dead letters, listed and replayed by operators (real Kafka and PostgreSQL)', function () {
  this.timeout(60_000);
  const runId = randomUUID().slice(0, 8);
  const TOKENS = { client: `client-${randomUUID()}`, operator: `operator-${randomUUID()}` };
  const topic = TOPICS.paymentRequested;
  const key = `acc-dlt-api-${runId}`;
  // Things a producer got wrong that no operator screen may show: a card number and a credential in the value,
  // a bearer token in a header.
  const secrets = { card: '4111111111111111', apiKey: `sk_live_${randomUUID()}`, header: `Bearer ${randomUUID()}` };
  const paymentId = `pay-${runId}`;
  const poison = JSON.stringify({
    type: EVENT_TYPES.paymentRequested,
    version: 1,
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    data: {
      paymentId,
      accountId: key,
      merchantId: 'm-1',
      amount: 100,
      currency: 'EUR',
      requestedAt: new Date().toISOString(),
      cardNumber: secrets.card,
      credentials: { apiKey: secrets.apiKey },
    },
  });
  let config: Config;
  let pool: Pool;
  let kafka: Kafka;
  let follower: DeadLetterFollower;
  let temporal: Client;
  let api: Server;
  let apiUrl: string;
  let group: string;

  const call = (method: string, path: string, token: string, body?: unknown) =>
    contractFetch(apiUrl + path, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const ours = (letters: DeadLetter[]) => letters.filter((l) => l.key === key);

  before(async function () {
    this.timeout(120_000);
    config = loadConfig({
      ...process.env,
      KAFKA_CLIENT_ID: `paysaga-test-dlt-api-${runId}`,
      API_TOKENS: JSON.stringify([
        { token: TOKENS.client, subject: 'shop-1', roles: ['client'] },
        { token: TOKENS.operator, subject: 'alice', roles: ['operator'] },
      ]),
    });
    pool = createPool(config);
    await migrate(pool);
    kafka = createKafka(config, 'test');
    await ensureTopics(kafka, config);
    group = `${config.kafka.clientId}-consumer`;
    // Both groups start at their topic's end: earlier runs' records are not this run's business.
    await startGroupAtEnd(kafka, group, topic);
    await startGroupAtEnd(kafka, `${config.kafka.clientId}-dlt-replay-${topic}`, deadLetterTopic(topic));

    follower = new DeadLetterFollower(kafka, { groupId: `${config.kafka.clientId}-api-dead-letters-${randomUUID()}` });
    await follower.start();
    temporal = new Client({
      connection: Connection.lazy(temporalConnectionOptions(config)),
      namespace: config.temporal.namespace,
    });
    api = await listen(createApiApp({ pool, client: temporal, config, kafkaDeadLetters: { kafka, follower } }), 0);
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

    const consumer = new EventConsumer(kafka, {
      type: EVENT_TYPES.paymentRequested,
      topic,
      groupId: group,
      handle: async () => undefined,
    });
    await consumer.start();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key, value: poison, headers: { authorization: secrets.header } },
        { key: `${key}-cut`, value: `{"apiKey":"${secrets.apiKey}"` },
      ],
    });
    await producer.disconnect();
    await eventually('dead-lettered', async () => consumer.counts.deadLettered === 2, 30_000);
    await consumer.stop();
  });

  after(async function () {
    this.timeout(30_000);
    if (api) {
      api.closeAllConnections();
      await new Promise((r) => api.close(r));
    }
    await follower?.stop();
    await temporal?.connection.close();
    await pool?.end();
  });

  it('lists a poison record with its reason and the group that rejected it, never its other headers or a secret in its value', async () => {
    const body = await eventually('both dead letters listed', async () => {
      const res = await call('GET', `/dead-letters/kafka?topic=${topic}`, TOKENS.operator);
      assert.equal(res.status, 200);
      const text = await res.text();
      const list = JSON.parse(text) as { topics: { topic: string; deadLetters: DeadLetter[] }[] };
      const keys = list.topics[0]!.deadLetters.map((l) => l.key);
      return keys.includes(key) && keys.includes(`${key}-cut`) && { text, list };
    });
    assert.deepEqual(
      body.list.topics.map((t) => t.topic),
      [topic],
      'only the topic asked for',
    );
    const [letter, ...more] = ours(body.list.topics[0]!.deadLetters);
    assert.equal(more.length, 0);
    assert.match(letter!.reason, /cardNumber|credentials|unrecognized/i);
    assert.equal(letter!.group, group);
    assert.equal(letter!.original.topic, topic);
    assert.match(letter!.preview, new RegExp(paymentId), 'the contract fields are shown');
    assert.match(letter!.preview, /"cardNumber":"\[redacted\]"/);
    const cut = body.list.topics[0]!.deadLetters.find((l) => l.key === `${key}-cut`);
    assert.match(cut?.preview ?? '', /^\(not JSON, [0-9]+ bytes\)$/);
    for (const secret of Object.values(secrets)) assert.ok(!body.text.includes(secret), `the response shows ${secret}`);

    const all = await (await call('GET', '/dead-letters/kafka', TOKENS.operator)).json();
    assert.deepEqual(
      (all as { topics: { topic: string }[] }).topics.map((t) => t.topic),
      Object.values(TOPICS),
      'every topic without a filter',
    );
    assert.equal((await call('GET', '/dead-letters/kafka?topic=nope', TOKENS.operator)).status, 400);
  });

  it('keeps the newest dead letters per topic up to its bound and counts the older ones', async () => {
    const onTopic = (await listDeadLetters(kafka, topic, config.kafka.clientId)).length;
    assert.ok(onTopic >= 2);
    const bounded = new DeadLetterFollower(kafka, { groupId: `${config.kafka.clientId}-bounded-${randomUUID()}`, keep: 1 });
    await bounded.start();
    try {
      const [listed] = await eventually('caught up', async () => bounded.isCaughtUp && bounded.list(topic));
      assert.deepEqual([listed!.deadLetters.length, listed!.omitted], [1, onTopic - 1]);
    } finally {
      await bounded.stop();
    }
  });

  it('replays a dead letter once when two operators replay at once, sends nothing on the next replay, and audits each', async () => {
    const reason = `consumer fixed (${runId})`;
    const replays = await Promise.all(
      [1, 2].map(async () => {
        const res = await call('POST', `/dead-letters/kafka/${topic}/replay`, TOKENS.operator, { reason });
        assert.equal(res.status, 200);
        return (await res.json()) as { topic: string; replayed: number; deadLetters: DeadLetter[] };
      }),
    );
    assert.deepEqual(replays.map((r) => ours(r.deadLetters).length).sort(), [0, 1], 'one replay sent it, the other nothing');
    const again = (await (await call('POST', `/dead-letters/kafka/${topic}/replay`, TOKENS.operator, { reason })).json()) as {
      replayed: number;
      deadLetters: DeadLetter[];
    };
    assert.deepEqual(ours(again.deadLetters), [], 'a later replay does not send it again');

    const copies: string[] = [];
    await readToEnd(kafka, {
      topics: [topic],
      groupPrefix: `${config.kafka.clientId}-check`,
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === key) copies.push(message.headers?.['dlt-replayed-from']?.toString() ?? 'original');
      },
    });
    assert.equal(copies.length, 2, 'the original and one replayed copy');
    assert.match(copies[1]!, new RegExp(`^${deadLetterTopic(topic)}/`));

    const { rows } = await pool.query<{
      operator: string;
      reason: string;
      outcome: string;
      payment_id: string | null;
      replayed: number;
    }>(
      `select operator, reason, outcome, payment_id, (detail->>'replayed')::int as replayed from operator_audit
       where action = 'replay_dead_letters' and reason = $1 and detail->>'topic' = $2 order by id`,
      [reason, topic],
    );
    assert.equal(rows.length, 3, 'each replay audited');
    for (const row of rows) assert.deepEqual([row.operator, row.outcome, row.payment_id], ['alice', 'replayed', null]);
    assert.deepEqual(
      rows.map((r) => r.replayed).sort(),
      [...replays, again].map((r) => r.replayed).sort(),
      'each row counts what its replay sent',
    );
  });

  it('answers 503 with Retry-After when Kafka cannot be reached for a replay, and audits nothing', async () => {
    const unreachable = new Kafka({
      brokers: ['127.0.0.1:1'],
      connectionTimeout: 200,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const other = await listen(
      createApiApp({ pool, client: temporal, config, kafkaDeadLetters: { kafka: unreachable, follower } }),
      0,
    );
    try {
      const reason = `kafka away (${runId})`;
      const res = await contractFetch(
        `http://127.0.0.1:${(other.address() as AddressInfo).port}/dead-letters/kafka/${topic}/replay`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.operator}` },
          body: JSON.stringify({ reason }),
        },
      );
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
      const { rowCount } = await pool.query('select 1 from operator_audit where reason = $1', [reason]);
      assert.equal(rowCount, 0);
    } finally {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
    }
  });

  it('refuses a client token, an unknown topic and a replay without a reason', async () => {
    assert.equal((await call('GET', '/dead-letters/kafka', TOKENS.client)).status, 403);
    assert.equal((await call('POST', `/dead-letters/kafka/${topic}/replay`, TOKENS.client, { reason: 'because' })).status, 403);
    assert.equal((await call('POST', '/dead-letters/kafka/nope/replay', TOKENS.operator, { reason: 'because' })).status, 404);
    assert.equal((await call('POST', `/dead-letters/kafka/${topic}/replay`, TOKENS.operator, {})).status, 400);
  });
});
