/**
 * The notifier: decided events produced to Kafka become signed webhooks (Standard Webhooks) to a
 * real HTTP receiver that verifies every signature; retries, dead letters and their redelivery through the
 * api; a duplicate record and a replay from offset zero deliver nothing new. Two dispatchers run throughout,
 * as two notifier processes would.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import express from 'express';
import { Partitioners, type Kafka } from 'kafkajs';
import { createApiApp } from '../../api/app';
import { consumerLag } from '../../kafka/lag';
import { loadConfig, type Config } from '../../config';
import { envelope, EVENT_TYPES } from '../../contracts/events';
import type { PaymentDecided } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import { migrate } from '../../db/migrate';
import { createPool, type Pool } from '../../db/pool';
import { listen } from '../../roles/listen';
import { createKafka } from '../../kafka/client';
import { setGroupToTopicEnd, setGroupToTopicStart } from '../../kafka/group-offsets';
import { ensureTopics } from '../../kafka/topics';
import { applyWebhookRetention, createNotifier, notifierGroupId, WebhookDispatcher } from '../../notifier';
import { webhookPayloadSchema } from '../../notifier/payload';
import { verify } from '../../notifier/signature';
import { temporalConnectionOptions } from '../../temporal/connection';
import { eventually } from '../eventually';
import { contractFetch } from '../api-contract';

const TOKENS = { client: 'client-token-notifier-0123456789', operator: 'operator-token-notifier-0123456789' };

interface Attempt {
  endpoint: string;
  webhookId: string;
  headers: Record<string, string | undefined>;
  body: string;
  verified: boolean;
  /** What the receiver answered: a status, or 'hang' (no answer: the notifier times out). */
  answer: number | 'hang';
}

/**
 * A merchant's webhook receiver: verifies each request with the endpoint's secret and answers as the
 * endpoint's behaviour says for that webhook-id's nth attempt.
 */
class Receiver {
  readonly attempts: Attempt[] = [];
  readonly secrets = new Map<string, string>();
  readonly behaviour = new Map<string, (nth: number) => number | 'hang'>();
  server!: Server;
  url!: string;

  async start(): Promise<void> {
    const app = express();
    app.post('/hooks/:endpoint', express.raw({ type: '*/*' }), (req: express.Request<{ endpoint: string }>, res) => {
      const endpoint = req.params.endpoint;
      const body = (req.body as Buffer).toString('utf8');
      const headers = {
        'webhook-id': req.header('webhook-id'),
        'webhook-timestamp': req.header('webhook-timestamp'),
        'webhook-signature': req.header('webhook-signature'),
        'content-type': req.header('content-type'),
      };
      const webhookId = headers['webhook-id'] ?? '';
      const nth = this.attempts.filter((a) => a.endpoint === endpoint && a.webhookId === webhookId).length + 1;
      const answer = (this.behaviour.get(endpoint) ?? (() => 200))(nth);
      const secret = this.secrets.get(endpoint);
      const verified = secret !== undefined && verify(secret, headers, body).ok;
      this.attempts.push({ endpoint, webhookId, headers, body, verified, answer });
      if (answer !== 'hang') res.status(answer).end();
    });
    this.server = await listen(app, 0);
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  of(endpoint: string, webhookId?: string): Attempt[] {
    return this.attempts.filter((a) => a.endpoint === endpoint && (webhookId === undefined || a.webhookId === webhookId));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

describe('notifier: signed merchant webhooks (real engines)', function () {
  this.timeout(60_000);
  const runId = randomUUID().slice(0, 8);
  const receiver = new Receiver();
  const names = { ok: `ok-${runId}`, flaky: `flaky-${runId}`, down: `down-${runId}`, replay: `replay-${runId}` };
  const merchantOf = (endpoint: string) => `m-${endpoint}`;
  const logged: string[] = [];
  let config: Config;
  let pool: Pool;
  let kafka: Kafka;
  let notifier: ReturnType<typeof createNotifier>;
  let secondDispatcher: WebhookDispatcher;
  let api: Server;
  let apiUrl: string;
  let temporal: Client;

  before(async function () {
    this.timeout(120_000);
    await receiver.start();
    const endpoints = Object.values(names).map((id) => {
      const secret = `whsec_${randomBytes(32).toString('base64')}`;
      receiver.secrets.set(id, secret);
      return { id, merchantId: merchantOf(id), url: `${receiver.url}/hooks/${id}`, secret };
    });
    config = loadConfig({
      ...process.env,
      KAFKA_CLIENT_ID: `paysaga-test-notifier-${runId}`,
      API_TOKENS: JSON.stringify([
        { token: TOKENS.client, subject: 'shop-1', roles: ['client'] },
        { token: TOKENS.operator, subject: 'alice', roles: ['operator'] },
      ]),
      WEBHOOK_ENDPOINTS: JSON.stringify(endpoints),
      WEBHOOK_MAX_ATTEMPTS: '4',
      WEBHOOK_BACKOFF_INITIAL: '20ms',
      WEBHOOK_BACKOFF_MAX: '200ms',
      WEBHOOK_TIMEOUT: '1s',
    });
    pool = createPool(config);
    await migrate(pool);
    kafka = createKafka(config, 'test');
    await ensureTopics(kafka, config);
    // A new group starts at the topic's end: earlier runs' records are not this run's business.
    await setGroupToTopicEnd(kafka, notifierGroupId(config), TOPICS.paymentDecided);

    const tuning = { sweepEveryMs: 100, unknownEndpointGraceMs: 0, log: (line: string) => void logged.push(line) };
    notifier = createNotifier({ config, kafka, pool, dispatcher: tuning });
    await notifier.start();
    secondDispatcher = new WebhookDispatcher({ pool, databaseUrl: config.database.url, webhooks: config.webhooks, ...tuning });
    await secondDispatcher.start();

    temporal = new Client({
      connection: Connection.lazy(temporalConnectionOptions(config)),
      namespace: config.temporal.namespace,
    });
    api = await listen(createApiApp({ pool, client: temporal, config }), 0);
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });

  after(async function () {
    this.timeout(60_000);
    await notifier?.stop();
    await secondDispatcher?.stop();
    if (api) {
      api.closeAllConnections();
      await new Promise((r) => api.close(r));
    }
    await temporal?.connection.close();
    await receiver.stop();
    if (kafka) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups([notifierGroupId(config)]).catch(() => undefined);
      await admin.disconnect();
    }
    await pool?.end();
  });

  const decision = (endpoint: string): PaymentDecided => ({
    paymentId: `pay-${randomUUID()}`,
    accountId: `acc-${runId}`,
    merchantId: merchantOf(endpoint),
    amount: 4_250,
    currency: 'EUR',
    decision: 'AUTHORIZED',
    reason: 'APPROVED',
    decidedBy: 'rules',
    gatewayAuthorizationId: `gw-${randomUUID()}`,
    decidedAt: new Date().toISOString(),
  });

  /** Produces decided events as the outbox relay does (keyed by account id); returns their envelopes. */
  const produce = async (...events: ReturnType<typeof envelope<PaymentDecided>>[]) => {
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    await producer.send({
      topic: TOPICS.paymentDecided,
      acks: -1,
      messages: events.map((e) => ({ key: e.data.accountId, value: JSON.stringify(e) })),
    });
    await producer.disconnect();
    return events;
  };
  const decidedEvent = (endpoint: string) =>
    envelope(EVENT_TYPES.paymentDecided, randomUUID(), new Date().toISOString(), decision(endpoint));

  const delivery = async (endpoint: string, eventId: string) =>
    (
      await pool.query<{ status: string; attempts: number; last_status: number | null; last_error: string | null }>(
        'select status, attempts, last_status, last_error from webhook_deliveries where endpoint_id = $1 and event_id = $2',
        [endpoint, eventId],
      )
    ).rows[0];
  const delivered = (endpoint: string, eventId: string) =>
    eventually(`${endpoint} delivered`, async () => {
      const row = await delivery(endpoint, eventId);
      return row?.status === 'delivered' && row;
    });

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    contractFetch(apiUrl + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('delivers a decided event as a webhook whose signature verifies with the secret, not with a tampered body or another secret', async () => {
    const [event] = await produce(decidedEvent(names.ok));
    const row = await delivered(names.ok, event!.id);
    assert.deepEqual([row.attempts, row.last_status], [1, 200]);

    const [attempt, ...more] = receiver.of(names.ok, event!.id);
    assert.ok(attempt);
    assert.equal(more.length, 0);
    assert.equal(attempt.headers['content-type'], 'application/json');
    assert.ok(attempt.verified, 'the receiver verified the signature with the endpoint secret');
    const secret = receiver.secrets.get(names.ok)!;
    assert.deepEqual(verify(secret, attempt.headers, attempt.body), { ok: true });
    const tampered = attempt.body.replace('"amount":4250', '"amount":1');
    assert.notEqual(tampered, attempt.body);
    assert.deepEqual(verify(secret, attempt.headers, tampered), { ok: false, reason: 'no matching signature' });
    const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
    assert.deepEqual(verify(otherSecret, attempt.headers, attempt.body), { ok: false, reason: 'no matching signature' });

    // Standard Webhooks payload: type, timestamp, data (the decided payment).
    const payload = webhookPayloadSchema.parse(JSON.parse(attempt.body));
    assert.deepEqual(payload, { type: 'payment.authorization.decided', timestamp: event!.occurredAt, data: event!.data });

    // The secret is nowhere in the database rows.
    const { rows } = await pool.query(`select d::text as row from webhook_deliveries d where merchant_id = $1`, [
      merchantOf(names.ok),
    ]);
    assert.ok(rows.length > 0 && rows.every((r: { row: string }) => !r.row.includes(secret.slice(6))));
  });

  it('a receiver that fails three times then succeeds gets four attempts with one webhook-id and exactly one accepted delivery', async () => {
    receiver.behaviour.set(names.flaky, (nth) => [500, 503, 429][nth - 1] ?? 200);
    const [event] = await produce(decidedEvent(names.flaky));
    const row = await delivered(names.flaky, event!.id);
    assert.deepEqual([row.status, row.attempts, row.last_status, row.last_error], ['delivered', 4, 200, null]);

    const attempts = receiver.of(names.flaky);
    assert.deepEqual(
      attempts.map((a) => a.answer),
      [500, 503, 429, 200],
    );
    assert.ok(attempts.every((a) => a.webhookId === event!.id && a.verified));
    assert.equal(new Set(attempts.map((a) => a.body)).size, 1, 'every attempt sent the same bytes');
    assert.equal(attempts.filter((a) => a.answer === 200).length, 1);
  });

  it('gives up after the configured attempts into the dead-letter table; an operator lists and redelivers, audited', async () => {
    let fixed = false;
    // Three errors, then no answer at all (the request times out), until the merchant fixes the endpoint.
    receiver.behaviour.set(names.down, (nth) => (fixed ? 200 : nth < 4 ? 500 : 'hang'));
    const events = await produce(decidedEvent(names.down), decidedEvent(names.down));
    const merchantId = merchantOf(names.down);

    const list = async (query: string, token = TOKENS.operator) => {
      const res = await call('GET', `/webhooks/dead-letters?${query}`, token);
      assert.equal(res.status, 200, await res.clone().text());
      return {
        text: await res.clone().text(),
        ...((await res.json()) as { deadLetters: DeadLetter[]; nextCursor: string | null }),
      };
    };
    interface DeadLetter {
      id: number;
      endpointId: string;
      merchantId: string;
      eventId: string;
      paymentId: string;
      attempts: number;
      lastError: string;
      lastStatus: number | null;
    }
    await eventually('both dead-lettered', async () => (await list(`merchantId=${merchantId}`)).deadLetters.length === 2, 30_000);
    assert.equal((await pool.query('select 1 from webhook_deliveries where merchant_id = $1', [merchantId])).rowCount, 0);

    // Newest first, page by page; never the secret or the url.
    const first = await list(`merchantId=${merchantId}&limit=1`);
    const second = await list(`merchantId=${merchantId}&limit=1&cursor=${first.nextCursor}`);
    assert.equal(second.nextCursor, null);
    const dead = [...first.deadLetters, ...second.deadLetters];
    assert.ok(dead[0]!.id > dead[1]!.id);
    assert.deepEqual(dead.map((d) => d.eventId).sort(), events.map((e) => e.id).sort());
    for (const d of dead) {
      const event = events.find((e) => e.id === d.eventId)!;
      assert.deepEqual(
        [d.endpointId, d.merchantId, d.paymentId, d.attempts, d.lastError, d.lastStatus],
        [names.down, merchantId, event.data.paymentId, 4, 'timed out after 1000 ms', null],
      );
      assert.equal(receiver.of(names.down, d.eventId).length, 4);
    }
    for (const text of [first.text, second.text]) {
      assert.ok(!text.includes(receiver.secrets.get(names.down)!.slice(6)) && !text.includes(receiver.url));
    }
    // The log names the endpoint and the event, never the secret or the url.
    assert.ok(
      logged.some((line) => line.includes(`webhook ${dead[0]!.eventId} to ${names.down} dead-lettered after 4 attempts`)),
    );
    const secrets = [...receiver.secrets.values()].map((s) => s.slice(6));
    assert.ok(logged.every((line) => !line.includes(receiver.url) && secrets.every((s) => !line.includes(s))));

    // Operators only.
    assert.equal((await call('GET', '/webhooks/dead-letters', TOKENS.client)).status, 403);
    assert.equal((await call('GET', '/webhooks/dead-letters')).status, 401);
    assert.equal((await call('GET', '/webhooks/dead-letters?limit=0', TOKENS.operator)).status, 400);
    assert.equal((await call('GET', '/webhooks/dead-letters?cursor=nope', TOKENS.operator)).status, 400);
    const redeliver = (
      id: number | string,
      body: unknown = { reason: 'merchant fixed their endpoint' },
      token = TOKENS.operator,
    ) => call('POST', `/webhooks/dead-letters/${id}/redeliver`, token, body);
    assert.equal((await redeliver(dead[0]!.id, undefined, TOKENS.client)).status, 403);
    assert.equal((await redeliver(dead[0]!.id, {})).status, 400);
    assert.equal((await redeliver(dead[0]!.id, { reason: 'ok', extra: 1 })).status, 400);
    assert.equal((await redeliver(999_999_999_999)).status, 404);
    assert.equal((await redeliver('not-an-id')).status, 404);

    fixed = true;
    for (const d of dead) {
      const res = await redeliver(d.id);
      assert.equal(res.status, 202, await res.clone().text());
      assert.deepEqual(
        { ...((await res.json()) as object), deliveryId: 0 },
        { deadLetterId: d.id, deliveryId: 0, endpointId: names.down, eventId: d.eventId, status: 'PENDING' },
      );
    }
    for (const d of dead) {
      const row = await delivered(names.down, d.eventId);
      assert.deepEqual([row.attempts, row.last_status], [1, 200], 'attempts start again from zero');
      const attempts = receiver.of(names.down, d.eventId);
      assert.deepEqual(
        attempts.map((a) => a.answer),
        [500, 500, 500, 'hang', 200],
      );
      assert.ok(attempts.every((a) => a.verified));
    }
    assert.deepEqual((await list(`merchantId=${merchantId}`)).deadLetters, []);
    assert.equal((await redeliver(dead[0]!.id)).status, 404, 'a dead letter is redelivered once');

    const audit = await pool.query(
      `select operator, action, decision, reason, outcome, payment_id, detail from operator_audit
       where action = 'redeliver_webhook' and detail->>'endpointId' = $1 order by id`,
      [names.down],
    );
    assert.deepEqual(
      audit.rows.map((r) => [r.operator, r.decision, r.reason, r.outcome, r.payment_id, r.detail.eventId, r.detail.deadLetterId]),
      dead.map((d) => ['alice', null, 'merchant fixed their endpoint', 'redelivered', d.paymentId, d.eventId, d.id]),
    );
  });

  it('dead-letters the pending deliveries of an endpoint removed from the configuration, and refuses to redeliver them', async () => {
    const gone = `gone-${runId}`;
    const eventId = randomUUID();
    // As a notifier that still knew the endpoint left it: pending, due now.
    await pool.query(
      `insert into webhook_deliveries (endpoint_id, merchant_id, event_id, payment_id, body) values ($1, $2, $3, $4, '{}')`,
      [gone, merchantOf(gone), eventId, `pay-${randomUUID()}`],
    );
    const dead = await eventually('dead-lettered', async () => {
      const { rows } = await pool.query<{ id: number; last_error: string; attempts: number }>(
        'select id, last_error, attempts from webhook_dead_letters where endpoint_id = $1 and event_id = $2',
        [gone, eventId],
      );
      return rows[0];
    });
    assert.deepEqual([dead.last_error, dead.attempts], [`endpoint ${gone} is no longer configured`, 0]);
    const res = await call('POST', `/webhooks/dead-letters/${dead.id}/redeliver`, TOKENS.operator, { reason: 'try again' });
    assert.equal(res.status, 409);
    assert.equal((await pool.query('select 1 from webhook_dead_letters where id = $1', [dead.id])).rowCount, 1, 'left as it was');
  });

  it('the same decided event delivered twice, and the whole topic replayed from offset zero, deliver nothing new', async function () {
    this.timeout(180_000);
    const [event] = await produce(decidedEvent(names.replay));
    await delivered(names.replay, event!.id);
    const handled = notifier.consumer.counts.handled;
    await produce(event!, event!);
    await eventually('duplicates consumed', async () => notifier.consumer.counts.handled >= handled + 2);

    /** Until the notifier's group has committed the topic's end: every record's transaction has committed. */
    const caughtUp = async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await eventually(
          'notifier caught up',
          async () => (await consumerLag(admin, notifierGroupId(config), TOPICS.paymentDecided)).every((p) => p.lag === 0),
          120_000,
        );
      } finally {
        await admin.disconnect();
      }
    };
    /** Every delivery and dead letter of this run, and every request the receiver got. */
    const snapshot = async () => ({
      deliveries: (
        await pool.query(
          `select endpoint_id, event_id, status, attempts from webhook_deliveries where merchant_id like $1 order by endpoint_id, event_id`,
          [`%-${runId}`],
        )
      ).rows,
      deadLetters: (
        await pool.query(`select endpoint_id, event_id from webhook_dead_letters where merchant_id like $1 order by id`, [
          `%-${runId}`,
        ])
      ).rows,
      requests: receiver.attempts.length,
    });
    await caughtUp();
    const before = await snapshot();
    assert.equal(before.deliveries.filter((d: { event_id: string }) => d.event_id === event!.id).length, 1);
    assert.equal(receiver.of(names.replay, event!.id).length, 1);
    assert.ok(
      before.deliveries.every((d: { status: string }) => d.status === 'delivered'),
      'nothing pending, nothing in flight',
    );

    // Replay: the notifier's group from offset zero, its inbox intact.
    await notifier.stop();
    await setGroupToTopicStart(kafka, notifierGroupId(config), TOPICS.paymentDecided);
    notifier = createNotifier({ config, kafka, pool, dispatcher: { log: (line) => void logged.push(line) } });
    await notifier.start();
    await caughtUp();
    assert.ok(notifier.consumer.counts.handled > 0, 'the topic was read again');
    // Every replayed record's transaction has committed (offsets follow the handler): no delivery was scheduled,
    // so nothing is pending and no request can follow.
    assert.deepEqual(await snapshot(), before);
  });

  it('purges delivered webhooks and dead letters older than the retention, and only those', async () => {
    const day = 86_400_000;
    const merchants = [merchantOf(names.ok), merchantOf(names.flaky)];
    await pool.query(`update webhook_deliveries set delivered_at = now() - interval '31 days' where merchant_id = $1`, [
      merchants[0],
    ]);
    await pool.query(`update webhook_dead_letters set dead_lettered_at = now() - interval '31 days' where endpoint_id = $1`, [
      `gone-${runId}`,
    ]);
    await applyWebhookRetention(pool, 30 * day);
    const count = async (sql: string, arg: string) => (await pool.query(sql, [arg])).rowCount;
    assert.equal(await count('select 1 from webhook_deliveries where merchant_id = $1', merchants[0]!), 0);
    assert.equal(await count('select 1 from webhook_dead_letters where endpoint_id = $1', `gone-${runId}`), 0);
    assert.equal(await count('select 1 from webhook_deliveries where merchant_id = $1', merchants[1]!), 1, 'recent ones stay');
  });
});
