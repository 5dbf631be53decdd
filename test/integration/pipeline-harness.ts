/**
 * The whole pipeline in one process on the real engines: api, outbox relay, bridge, payment worker, the
 * gateway simulator and the read model, plus a collector of decided events read back from Kafka. Consumer groups and the task
 * queue are new for every run, and start at the end of the topics, so earlier runs' records are not replayed.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { Logger as TemporalSdkLogger } from '@temporalio/common';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { Partitioners, type Consumer, type Kafka } from 'kafkajs';
import { createActivities } from '../../activities';
import { createApiApp } from '../../api/app';
import type { PaymentRoutesHooks } from '../../api/payments';
import { createBridge, bridgeGroupIds, type BridgeHooks } from '../../bridge';
import { loadConfig, type Config } from '../../config';
import { envelope, EVENT_TYPES } from '../../contracts/events';
import type { AccountState, PaymentDecided, PaymentRequest } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import { migrate } from '../../db/migrate';
import { createPool, type Pool } from '../../db/pool';
import { FaultInjector } from '../../gateway/faults';
import { createGatewayApp } from '../../gateway/server';
import { listen } from '../../roles/listen';
import { createKafka } from '../../kafka/client';
import { DeadLetterFollower } from '../../kafka/dead-letter-follower';
import { ensureTopics } from '../../kafka/topics';
import { publishFeed } from '../../tools/legacy/feed';
import { setGroupOffsets, setGroupToTopicEnd } from '../../kafka/group-offsets';
import { OutboxRelay } from '../../outbox/relay';
import { createReadModelConsumers, readModelGroupIds } from '../../read-model';
import { payloadCodec, temporalDataConverter } from '../../temporal/codec';
import { temporalConnectionOptions } from '../../temporal/connection';
import { promoteAtStart, workerVersion } from '../../workers/versioning';
import { createPaymentWorker } from '../../workers/worker';
import { contractClient, contractFetch } from '../api-contract';
import { forSuite } from '../for-suite';

export const TOKENS = {
  client: 'client-token-0123456789abcdef',
  otherClient: 'client-token-fedcba9876543210',
  operator: 'operator-token-0123456789abcdef',
};

/** How far ahead accountState() dates a snapshot (see there). */
const FRESH_FOR_MS = 5 * 60_000;

export class PipelineHarness {
  readonly runId = randomUUID().slice(0, 8);
  readonly env: NodeJS.ProcessEnv;
  readonly config: Config;
  readonly kafka: Kafka;
  readonly faults = new FaultInjector();
  readonly decided = new Map<string, PaymentDecided[]>();
  /** When the first decided event of each payment reached the collector (Date.now()). */
  readonly decidedArrival = new Map<string, number>();
  /** Where the Temporal SDK's worker, workflow and activity logs go (set before setUp). */
  temporalLogger: TemporalSdkLogger = new DefaultLogger('ERROR');
  bridgeHooks: BridgeHooks = {};
  apiHooks: PaymentRoutesHooks = {};
  pool!: Pool;
  client!: Client;
  apiUrl!: string;
  gatewayUrl!: string;
  relay!: OutboxRelay;
  bridge!: ReturnType<typeof createBridge>;
  readModel!: ReturnType<typeof createReadModelConsumers>;
  private servers: Server[] = [];
  private worker!: Worker;
  private workerRun!: Promise<void>;
  private workerConnection!: NativeConnection;
  private collector!: Consumer;
  /** Per partition of the decided topic, the offset the collector reads next (from its start at the end). */
  private readonly collectorAt = new Map<number, bigint>();

  /** How long the api's Idempotency-Key claims last (the api's default unless set). */
  readonly idempotencyLeaseMs?: number;
  /** The api's follower of the dead-letter topics (GET /dead-letters/kafka), when the suite asked for one. */
  private deadLetters?: DeadLetterFollower;
  private readonly followDeadLetters: boolean;

  /**
   * `env` overrides settings of this run (e.g. a short ACCOUNT_STATE_DEADLINE and the review policy);
   * `idempotencyLeaseMs` shortens the api's key lease, so a test can let a claim expire; `followDeadLetters`
   * gives the api the dead-letter topics' follower, as the api role has (one more consumer group to join).
   */
  constructor(opts: { env?: Partial<NodeJS.ProcessEnv>; idempotencyLeaseMs?: number; followDeadLetters?: boolean } = {}) {
    this.idempotencyLeaseMs = opts.idempotencyLeaseMs;
    this.followDeadLetters = opts.followDeadLetters ?? false;
    this.env = {
      ...process.env,
      KAFKA_CLIENT_ID: `paysaga-test-${this.runId}`,
      TEMPORAL_TASK_QUEUE: `pipeline-${this.runId}`,
      ACCOUNT_STATE_DEADLINE: '1m',
      API_TOKENS: JSON.stringify([
        { token: TOKENS.client, subject: 'shop-1', roles: ['client'] },
        { token: TOKENS.otherClient, subject: 'shop-2', roles: ['client'] },
        { token: TOKENS.operator, subject: 'alice', roles: ['operator'] },
      ]),
      ...opts.env,
    };
    this.config = loadConfig(this.env);
    this.kafka = createKafka(this.config, 'test');
  }

  async setUp(): Promise<void> {
    Runtime.install({ logger: this.temporalLogger });
    this.pool = createPool(this.config);
    await migrate(this.pool);
    await ensureTopics(this.kafka, this.config);
    // As createTemporalClient makes it: starts and signals carry the caller's trace context.
    this.client = new Client({
      connection: await Connection.connect(temporalConnectionOptions(this.config)),
      namespace: this.config.temporal.namespace,
      dataConverter: temporalDataConverter(this.config),
      interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    });

    const gateway = await listen(createGatewayApp({ pool: this.pool, faults: this.faults }), 0);
    this.servers.push(gateway);
    this.gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    this.workerConnection = await NativeConnection.connect(temporalConnectionOptions(this.config));
    this.worker = await createPaymentWorker({
      config: this.config,
      connection: this.workerConnection,
      activities: createActivities({
        pool: this.pool,
        gatewayUrl: this.gatewayUrl,
        gatewayRequestTimeoutMs: 2_000,
      }),
    });
    this.workerRun = this.worker.run();
    // As the worker role does: this run's deployment is new, so its first build becomes the current version.
    const version = workerVersion(this.config);
    if (version) await promoteAtStart(this.workerConnection, this.config, version);

    if (this.followDeadLetters) {
      this.deadLetters = new DeadLetterFollower(this.kafka, { groupId: `${this.config.kafka.clientId}-api-dead-letters` });
      await this.deadLetters.start();
    }
    const api = await listen(
      createApiApp({
        pool: this.pool,
        client: this.client,
        config: this.config,
        hooks: { afterKeyClaimed: () => this.apiHooks.afterKeyClaimed?.() ?? Promise.resolve() },
        idempotencyLeaseMs: this.idempotencyLeaseMs,
        kafkaDeadLetters: this.deadLetters && { kafka: this.kafka, follower: this.deadLetters },
        codec: payloadCodec(this.config),
      }),
      0,
    );
    this.servers.push(api);
    this.apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

    this.relay = new OutboxRelay({
      pool: this.pool,
      kafka: this.kafka,
      databaseUrl: this.config.database.url,
      idleMs: 200,
    });
    await this.relay.start();

    const groups = bridgeGroupIds(this.config);
    const readModelGroups = readModelGroupIds(this.config);
    const collectorGroup = `${this.config.kafka.clientId}-collector`;
    await Promise.all([
      this.startAtEnd(groups.requests, TOPICS.paymentRequested),
      this.startAtEnd(groups.accounts, TOPICS.accountStateUpdated),
      this.startCollectorAtEnd(collectorGroup),
      this.startAtEnd(readModelGroups.requests, TOPICS.paymentRequested),
      this.startAtEnd(readModelGroups.decisions, TOPICS.paymentDecided),
    ]);
    await this.startBridge();
    this.readModel = createReadModelConsumers({ config: this.config, kafka: this.kafka, pool: this.pool });
    await this.readModel.start();

    // A fetch wait as short as the roles' own: tearDown's disconnect waits out the fetch in flight.
    this.collector = this.kafka.consumer({ groupId: collectorGroup, maxWaitTimeInMs: 1_000 });
    await this.collector.connect();
    await this.collector.subscribe({ topic: TOPICS.paymentDecided, fromBeginning: true });
    // Also for batches of transaction markers only, which no message reports.
    this.collector.on(this.collector.events.END_BATCH_PROCESS, ({ payload }) => {
      this.collectorAt.set(payload.partition, BigInt(payload.lastOffset) + 1n);
    });
    await this.collector.run({
      eachMessage: async ({ message }) => {
        let event: { data: PaymentDecided };
        try {
          event = JSON.parse(message.value?.toString() ?? '') as { data: PaymentDecided };
          if (typeof event?.data?.paymentId !== 'string') return;
        } catch {
          return; // another suite's poison record on the shared topic
        }
        if (!this.decidedArrival.has(event.data.paymentId)) this.decidedArrival.set(event.data.paymentId, Date.now());
        this.decided.set(event.data.paymentId, [...(this.decided.get(event.data.paymentId) ?? []), event.data]);
      },
    });
  }

  async startBridge(): Promise<void> {
    this.bridge = createBridge({
      config: this.config,
      kafka: this.kafka,
      pool: this.pool,
      client: this.client,
      hooks: {
        afterStart: (id) => this.bridgeHooks.afterStart?.(id) ?? Promise.resolve(),
        afterRecord: (id) => this.bridgeHooks.afterRecord?.(id) ?? Promise.resolve(),
        beforeSignal: (id, p) => this.bridgeHooks.beforeSignal?.(id, p) ?? Promise.resolve(),
      },
    });
    await this.bridge.start();
  }

  async tearDown(): Promise<void> {
    const step = async (name: string, fn: () => Promise<unknown> | undefined) => {
      const t = Date.now();
      await fn();
      if (process.env.DEBUG_TEARDOWN) console.log(`teardown ${name}: ${Date.now() - t} ms`);
    };
    // Consumers in parallel: each disconnect waits out its fetch in flight.
    await Promise.all([
      step('collector', () => this.collector?.disconnect()),
      step('bridge', () => this.bridge?.stop()),
      step('read model', () => this.readModel?.stop()),
      step('dead-letter follower', () => this.deadLetters?.stop()),
    ]);
    await step('relay', () => this.relay?.stop());
    await step('worker', async () => {
      if (!this.worker) return;
      this.worker.shutdown();
      await this.workerRun;
    });
    await step('worker connection', () => this.workerConnection?.close());
    await step('servers', async () => {
      for (const s of this.servers) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
    });
    await step('client', () => this.client?.connection.close());
    await step('pool', () => this.pool?.end());
  }

  /** Commits a new group's offsets at the topic's end, so it reads only what this run produces. */
  startAtEnd(groupId: string, topic: string): Promise<void> {
    return setGroupToTopicEnd(this.kafka, groupId, topic);
  }

  private async startCollectorAtEnd(groupId: string): Promise<void> {
    const ends = await this.decidedTopicEnds();
    for (const { partition, offset } of ends) this.collectorAt.set(partition, BigInt(offset));
    await setGroupOffsets(this.kafka, { groupId, topic: TOPICS.paymentDecided, partitions: ends });
  }

  private async decidedTopicEnds(): Promise<{ partition: number; offset: string }[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(TOPICS.paymentDecided)).map(({ partition, offset }) => ({ partition, offset }));
    } finally {
      await admin.disconnect();
    }
  }

  accountId = () => `acc-${this.runId}-${randomUUID().slice(0, 8)}`;

  /**
   * An account snapshot, fresh for every payment the test requests in the next five minutes. One second ahead
   * was too little on a cold machine: a test that waited for two decisions before its third request found the
   * snapshot stale for it, and the saga waited for a newer one past the test's wait.
   */
  accountState(accountId: string, overrides: Partial<AccountState> = {}): AccountState {
    return {
      accountId,
      version: 1,
      asOf: new Date(Date.now() + FRESH_FOR_MS).toISOString(),
      status: 'active',
      balance: 100_000,
      currency: 'EUR',
      ...overrides,
    };
  }

  /** A payment request as an upstream system publishes it to Kafka, requested now. */
  paymentRequest(accountId: string, overrides: Partial<PaymentRequest> = {}): PaymentRequest {
    return {
      paymentId: `pay-${randomUUID()}`,
      accountId,
      merchantId: 'm-1',
      amount: 100,
      currency: 'EUR',
      requestedAt: new Date().toISOString(),
      ...overrides,
    };
  }

  publishAccountStates(...states: AccountState[]): Promise<void> {
    return publishFeed(this.kafka, states);
  }

  /** Publishes a payment request envelope (as an upstream system would) to payments.authorization.requested. */
  async publishRequest(payment: PaymentRequest, raw?: string | Buffer): Promise<void> {
    const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: TOPICS.paymentRequested,
      messages: [
        {
          key: payment.accountId,
          value: raw ?? JSON.stringify(envelope(EVENT_TYPES.paymentRequested, randomUUID(), payment.requestedAt, payment)),
        },
      ],
    });
    await producer.disconnect();
  }

  /** POST to the api; the response is checked against the OpenAPI document (test/api-contract.ts). */
  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return contractFetch(this.apiUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** GET from the api; the response is checked against the OpenAPI document (test/api-contract.ts). */
  get(path: string, token = TOKENS.client): Promise<Response> {
    return contractFetch(this.apiUrl + path, { headers: { authorization: `Bearer ${token}` } });
  }

  /** POST /payments as shop-1 with a fresh Idempotency-Key, through the typed client; returns the payment id. */
  async submit(
    body: { accountId: string; merchantId?: string; amount?: number; currency?: string },
    key = randomUUID(),
  ): Promise<string> {
    const { data, error, response } = await contractClient(this.apiUrl, TOKENS.client).POST('/payments', {
      params: { header: { 'Idempotency-Key': key } },
      body: { merchantId: 'm-1', amount: 1_000, currency: 'EUR', ...body },
    });
    if (response.status !== 202 || !data) throw new Error(`POST /payments answered ${response.status}: ${JSON.stringify(error)}`);
    return data.paymentId;
  }

  /** Waits for the payment's decided event on Kafka (real time). */
  async decision(paymentId: string, timeoutMs = 30_000): Promise<PaymentDecided> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const events = this.decided.get(paymentId);
      if (events?.[0]) return events[0];
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no decided event for ${paymentId} within ${timeoutMs} ms`);
  }

  /** How many decided events for the payment reached Kafka, once every outbox row has been published. */
  async decidedCount(paymentId: string): Promise<number> {
    for (let i = 0; i < 200; i++) {
      const { rows } = await this.pool.query(`select count(*)::int as n from outbox where sent_at is null`);
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    // Every decided event published by now, a duplicate among them, has reached the collector once it has read
    // to the topic's end (its last stable offset: the collector reads read_committed too).
    const ends = await this.decidedTopicEnds();
    const caughtUp = () => ends.every(({ partition, offset }) => (this.collectorAt.get(partition) ?? 0n) >= BigInt(offset));
    for (let waited = 0; !caughtUp(); waited += 25) {
      if (waited > 30_000) throw new Error(`the collector did not read ${TOPICS.paymentDecided} to its end within 30 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.decided.get(paymentId)?.length ?? 0;
  }
}

/** A pipeline for the enclosing describe() (test/for-suite.ts). */
export function pipelineForSuite(opts: ConstructorParameters<typeof PipelineHarness>[0] = {}): PipelineHarness {
  return forSuite(new PipelineHarness(opts));
}
