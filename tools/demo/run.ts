/**
 * runDemo: drives a running paysaga with realistic traffic and checks each scenario's outcome (demo/scenarios.ts
 * has the plan). It talks to the system only from the outside, as its users do: the REST api with a client and
 * an operator token, Kafka as the legacy core and an upstream system, and a Temporal client to see a saga wait
 * (status query, visibility). It never touches the database. Returns the summary; prints a live line meanwhile.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Client } from '@temporalio/client';
import { type Kafka, type Producer } from 'kafkajs';
import { bridgeGroupIds } from '../../bridge';
import type { Config } from '../../config';
import { envelope, EVENT_TYPES } from '../../contracts/events';
import { paymentRequestSchema, type PaymentRequest } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import { createKafka } from '../../kafka/client';
import { publishFeed } from '../legacy/feed';
import { createTemporalClient } from '../../temporal/connection';
import { paymentWorkflowId, statusQuery, type PaymentStatus } from '../../workflows/shared';
import { DemoApi, DemoError, demoTokens, type DemoTokens, type SendRequest } from './api';
import { DemoObserver } from './observer';
import { demoLatency, summarizeDemo, type ScenarioCheck, type Tracked } from './summary';
import { countByStatus, formatLive, startedSinceQuery, webUiUrl, type DemoSummary } from './report';
import {
  formatMs,
  lateSnapshot,
  legacyFeed,
  planDemo,
  seedSnapshots,
  type DemoPlan,
  type PlannedPayment,
  type ScenarioId,
} from './scenarios';
import { atLeastOnceProducer } from '../../kafka/acknowledged-batch';

export interface RunDemoOptions {
  config: Config;
  /** Default: http://127.0.0.1:<API_PORT>. */
  apiUrl?: string;
  /** Default: API_TOKENS, else the tokens file `npm start` writes (demoTokens). */
  tokens?: DemoTokens;
  /** Background stream: how many payments (default 30) and how many per second (default 2). */
  payments?: number;
  ratePerSecond?: number;
  /** Where the live line and the progress go (default console.log). */
  log?: (line: string) => void;
  /** How often the live line is printed (default 2 s). */
  liveEveryMs?: number;
  /** Stops the demo early (Ctrl-C): it cleans up and returns what it saw, every unfinished scenario unmet. */
  signal?: AbortSignal;
  runId?: string;
  /** How requests are sent to the api (default: fetch). */
  send?: SendRequest;
}

export const DEMO_DEFAULTS = { payments: 30, ratePerSecond: 2, liveEveryMs: 2_000 } as const;

/** How long past its deadline a payment may take to be decided before the demo gives up on it. */
const DECISION_MARGIN_MS = 30_000;

export async function runDemo(opts: RunDemoOptions): Promise<DemoSummary> {
  const { config } = opts;
  const plan = planDemo({
    runId: opts.runId ?? randomUUID().slice(0, 8),
    payments: opts.payments ?? DEMO_DEFAULTS.payments,
    ratePerSecond: opts.ratePerSecond ?? DEMO_DEFAULTS.ratePerSecond,
    accountStateDeadlineMs: config.saga.accountStateDeadlineMs,
    timeoutPolicy: config.saga.timeoutPolicy,
  });
  const api = new DemoApi(opts.apiUrl ?? `http://127.0.0.1:${config.api.port}`, opts.tokens ?? demoTokens(config), opts.send);
  await api.checkReady();
  const temporal = await createTemporalClient(config).catch((err: Error) => {
    throw new DemoError(`Temporal at ${config.temporal.address} is not reachable: ${err.message.split('\n')[0]}`);
  });
  try {
    const run = new DemoRun(plan, config, api, temporal, createKafka(config, `demo-${plan.runId}`), opts);
    return await run.run();
  } finally {
    await temporal.connection.close();
  }
}

class DemoRun {
  private readonly stop = new AbortController();
  private readonly tracked = new Map<string, Tracked>();
  private readonly producer: Producer;
  private readonly observer: DemoObserver;
  private readonly log: (line: string) => void;
  private readonly startedAt = Date.now();
  private failure?: Error;

  constructor(
    private readonly plan: DemoPlan,
    private readonly config: Config,
    private readonly api: DemoApi,
    private readonly temporal: Client,
    private readonly kafka: Kafka,
    private readonly opts: RunDemoOptions,
  ) {
    this.log = opts.log ?? console.log;
    // Every waiting loop listens for the stop: more than Node's default of 10 listeners.
    setMaxListeners(0, this.stop.signal);
    if (opts.signal?.aborted) this.stop.abort();
    opts.signal?.addEventListener('abort', () => this.stop.abort(), { once: true });
    for (const planned of plan.payments) {
      this.tracked.set(planned.key, {
        planned,
        key: planned.key,
        scenario: planned.scenario,
        via: planned.via,
        accountId: planned.accountId,
        expected: planned.expected,
        status: 'UNSENT',
        reason: null,
        decidedEvents: 0,
      });
    }
    this.producer = atLeastOnceProducer(kafka);
    this.observer = new DemoObserver(kafka, {
      groupId: `${config.kafka.clientId}-demo-${plan.runId}`,
      poisonValue: plan.poison.value,
    });
  }

  async run(): Promise<DemoSummary> {
    const { plan } = this;
    let live: Promise<void> | undefined;
    const ticker = setInterval(
      () => void (live ??= this.printLive().finally(() => (live = undefined))),
      this.opts.liveEveryMs ?? DEMO_DEFAULTS.liveEveryMs,
    );
    const checks = new Map<ScenarioId, ScenarioCheck>();
    try {
      await this.producer.connect().catch((err: Error) => {
        throw new DemoError(`Kafka at ${this.config.kafka.brokers.join(',')} is not reachable: ${err.message}`);
      });
      await this.observer.start();
      const stream = this.paymentsOf('background-stream').length;
      this.log(
        `demo ${plan.runId}: ${plan.payments.length - stream} scenario payments and ${stream} in the background at ` +
          `${plan.ratePerSecond}/s, on accounts demo-${plan.runId}-acc-*; assuming ` +
          `ACCOUNT_STATE_DEADLINE=${formatMs(plan.accountStateDeadlineMs)}, ACCOUNT_STATE_TIMEOUT_POLICY=${plan.timeoutPolicy}`,
      );
      this.log(`demo ${plan.runId}: watch its sagas in the Temporal Web UI: ${this.webUi(startedSinceQuery(this.startedAt))}`);
      await this.seed();
      const scenarios: [ScenarioId, () => Promise<ScenarioCheck | undefined>][] = [
        ['fresh-state', () => this.freshState()],
        ['late-state', () => this.lateState()],
        ['legacy-duplicates', () => this.legacyDuplicates()],
        ['insufficient-funds', () => this.followAll('insufficient-funds')],
        ['timeout', () => this.timeout()],
        ['poison-record', () => this.poisonRecord()],
        ['upstream-kafka', () => this.upstreamKafka()],
        ['published-twice', () => this.publishedTwice()],
        ['background-stream', () => this.backgroundStream()],
      ];
      // Side by side, as real traffic is; the first failure (not a missed expectation: an error) stops the rest.
      await Promise.all(
        scenarios.map(async ([id, run]) => {
          try {
            const check = await run();
            if (check) checks.set(id, check);
          } catch (err) {
            this.failure ??= err as Error;
            this.stop.abort();
          }
        }),
      );
      if (this.failure) throw this.failure;
      await this.awaitDecidedEvents();
      return this.summary(checks);
    } finally {
      clearInterval(ticker);
      await live; // no live line after the summary
      await this.observer.stop().catch(() => undefined);
      await this.producer.disconnect().catch(() => undefined);
    }
  }

  /**
   * Publishes the seed snapshots as the legacy core does and waits until the bridge has committed past them,
   * which it does only after recording them (DESIGN.md §6): from then on the seeded accounts' state is there
   * when a payment arrives, so "fresh state" and the latency figures mean what they say.
   */
  private async seed(): Promise<void> {
    const sent = await this.producer.send({
      topic: TOPICS.accountStateUpdated,
      acks: -1,
      messages: seedSnapshots(this.plan, new Date()).map((state) => ({
        key: state.accountId,
        value: JSON.stringify(envelope(EVENT_TYPES.accountStateUpdated, randomUUID(), new Date().toISOString(), state)),
      })),
    });
    const needed = new Map<number, bigint>(); // partition → first offset past the seeds
    for (const r of sent) {
      const past = BigInt(r.baseOffset ?? '0') + 1n;
      if (past > (needed.get(r.partition) ?? 0n)) needed.set(r.partition, past);
    }
    const groupId = bridgeGroupIds(this.config).accounts;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const consumed = await this.pollUntil(async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [TOPICS.accountStateUpdated] });
        const at = new Map(committed?.partitions.map((p) => [p.partition, BigInt(p.offset)]));
        return [...needed].every(([partition, offset]) => (at.get(partition) ?? -1n) >= offset) ? true : undefined;
      }, Date.now() + DECISION_MARGIN_MS);
      if (!consumed && !this.stop.signal.aborted)
        throw new DemoError(
          `the bridge (consumer group ${groupId}) did not record the demo's account snapshots within ${formatMs(DECISION_MARGIN_MS)}: ` +
            'is it running, with the same KAFKA_CLIENT_ID as the demo?',
        );
    } finally {
      await admin.disconnect();
    }
  }

  // ---- scenarios ---------------------------------------------------------------------------------------

  private async freshState(): Promise<ScenarioCheck | undefined> {
    const [t] = this.paymentsOf('fresh-state');
    await this.post(t!);
    if (!t!.paymentId) return undefined; // stopped before it was sent
    // A client that lost the answer retries with the same Idempotency-Key: the api answers the first response.
    const retry = await this.api.createPayment(this.bodyOf(t!.planned), t!.key);
    await this.follow(t!);
    const same = retry.replayed && retry.paymentId === t!.paymentId;
    return {
      met: same,
      detail: same
        ? 'a retried POST got the same payment (Idempotent-Replayed)'
        : `a retried POST got ${retry.paymentId}${retry.replayed ? '' : ' without Idempotent-Replayed'}, not ${t!.paymentId}`,
    };
  }

  private async lateState(): Promise<ScenarioCheck | undefined> {
    const [t] = this.paymentsOf('late-state');
    await this.post(t!);
    if (!t!.paymentId) return undefined;
    // The snapshot is published only once the saga is seen waiting for it, so it really arrives late.
    const waiting = await this.pollUntil(
      async () => ((await this.sagaStatus(t!.paymentId!))?.state === 'AWAITING_ACCOUNT_STATE' ? true : undefined),
      t!.sentAt! + this.plan.accountStateDeadlineMs / 2,
    );
    await this.sleep(t!.sentAt! + this.plan.lateStateDelayMs - Date.now());
    if (this.stop.signal.aborted) return undefined;
    const publishedAt = Date.now();
    await publishFeed(this.kafka, [lateSnapshot(this.plan, new Date())]);
    await this.follow(t!);
    return {
      met: waiting === true,
      detail: waiting
        ? `waited in AWAITING_ACCOUNT_STATE; its snapshot came ${formatMs(publishedAt - t!.sentAt!)} after the POST`
        : 'the saga was not seen in AWAITING_ACCOUNT_STATE before its snapshot was published',
    };
  }

  private async legacyDuplicates(): Promise<ScenarioCheck | undefined> {
    const payments = this.paymentsOf('legacy-duplicates');
    await Promise.all(payments.map((t) => this.post(t)));
    if (payments.some((t) => !t.paymentId)) return undefined;
    // The feed is dated around the payments' own requestedAt, which only the api knows.
    for (const t of payments) {
      await this.pollUntil(async () => {
        await this.refresh(t);
        return t.requestedAt ? true : undefined;
      }, Date.now() + 10_000);
    }
    const requestedAt = payments.map((t) => Date.parse(t.requestedAt ?? new Date().toISOString()));
    const feed = legacyFeed(this.plan, {
      earliest: new Date(Math.min(...requestedAt)),
      latest: new Date(Math.max(...requestedAt)),
    });
    await publishFeed(this.kafka, feed.records, 50);
    await Promise.all(payments.map((t) => this.follow(t)));
    // Which snapshot the saga holds (its status query): it must be fresh for the payment.
    const stale: string[] = [];
    for (const t of payments) {
      const status = t.paymentId ? await this.sagaStatus(t.paymentId) : undefined;
      const asOf = status?.accountState?.asOf;
      if (!asOf || !t.requestedAt || Date.parse(asOf) < Date.parse(t.requestedAt))
        stale.push(`${t.paymentId} holds ${asOf ? `a snapshot as of ${asOf}` : 'no snapshot'}`);
    }
    return {
      met: stale.length === 0,
      detail:
        `${feed.records.length} snapshots published (${feed.duplicates} duplicates, ${feed.outOfOrder} out of order, ` +
        `${feed.stale} stale versions); ${stale.length === 0 ? 'every saga holds a fresh snapshot' : stale.join('; ')}`,
    };
  }

  private async timeout(): Promise<ScenarioCheck | undefined> {
    const [t] = this.paymentsOf('timeout');
    await this.post(t!);
    if (!t!.paymentId) return undefined;
    if (this.plan.timeoutPolicy === 'decline') {
      await this.follow(t!);
      return undefined;
    }
    const reached = await this.pollUntil(
      async () => {
        const state = (await this.sagaStatus(t!.paymentId!))?.state;
        return state === 'PENDING_REVIEW' || state === 'AUTHORIZED' || state === 'DECLINED' ? state : undefined;
      },
      t!.sentAt! + this.plan.accountStateDeadlineMs + DECISION_MARGIN_MS,
    );
    if (this.stop.signal.aborted) return undefined;
    if (reached !== 'PENDING_REVIEW') {
      await this.follow(t!);
      return {
        met: false,
        detail: `never seen in PENDING_REVIEW (${reached ?? 'no state'}): does the system run with ACCOUNT_STATE_TIMEOUT_POLICY=review?`,
      };
    }
    const inReviewAfter = Date.now() - t!.sentAt!;
    const answer = await this.api.override(
      t!.paymentId,
      'approve',
      'demo: the customer confirmed the purchase by phone',
      `${t!.key}-approve`,
    );
    await this.follow(t!, Date.now() + DECISION_MARGIN_MS);
    return {
      met: answer === 202,
      detail: `PENDING_REVIEW after ${formatMs(inReviewAfter)}; the operator's approval was ${answer === 202 ? 'accepted (202)' : `refused (${answer})`}`,
    };
  }

  private async poisonRecord(): Promise<ScenarioCheck | undefined> {
    const { poison } = this.plan;
    if (this.stop.signal.aborted) return undefined;
    await this.producer.send({ topic: TOPICS.paymentRequested, acks: -1, messages: [{ key: poison.key, value: poison.value }] });
    const bridgeGroup = bridgeGroupIds(this.config).requests;
    const seen = await this.pollUntil(
      async () => this.observer.poisonDeadLetters().find((d) => d.group === bridgeGroup),
      Date.now() + DECISION_MARGIN_MS,
    );
    return {
      met: seen !== undefined,
      detail: seen
        ? `on ${TOPICS.paymentRequested}.dlt from ${bridgeGroup}: ${clip(seen.reason, 80)}`
        : `not dead-lettered by ${bridgeGroup} (is the bridge running with this KAFKA_CLIENT_ID?)`,
    };
  }

  private async upstreamKafka(): Promise<undefined> {
    const [t] = this.paymentsOf('upstream-kafka');
    await this.publishRequest(t!, 1);
    await this.follow(t!);
    return undefined;
  }

  private async publishedTwice(): Promise<ScenarioCheck | undefined> {
    const [t] = this.paymentsOf('published-twice');
    // An upstream retry: the same payment in two records with their own event ids.
    await this.publishRequest(t!, 2);
    if (!t!.paymentId) return undefined;
    await this.follow(t!);
    const query = `WorkflowId = "${paymentWorkflowId(t!.paymentId)}"`;
    const runs = await this.pollUntil(
      async () => (await this.temporal.workflow.count(query)).count || undefined,
      Date.now() + 10_000,
    );
    return {
      met: runs === 1,
      detail: `2 records on ${TOPICS.paymentRequested}, ${runs ?? 0} saga run(s)`,
    };
  }

  private async backgroundStream(): Promise<undefined> {
    const start = Date.now();
    const running: Promise<void>[] = [];
    for (const t of this.paymentsOf('background-stream')) {
      await this.sleep(start + t.planned.atMs - Date.now());
      if (this.stop.signal.aborted) break;
      running.push(this.post(t).then(() => this.follow(t)));
    }
    await Promise.all(running);
    return undefined;
  }

  private async followAll(scenario: ScenarioId): Promise<undefined> {
    await Promise.all(this.paymentsOf(scenario).map((t) => this.post(t).then(() => this.follow(t))));
    return undefined;
  }

  // ---- sending and following ----------------------------------------------------------------------------

  private paymentsOf(scenario: ScenarioId): Tracked[] {
    return [...this.tracked.values()].filter((t) => t.scenario === scenario);
  }

  private bodyOf(p: PlannedPayment) {
    return { accountId: p.accountId, merchantId: p.merchantId, amount: p.amount, currency: p.currency };
  }

  private async post(t: Tracked): Promise<void> {
    if (this.stop.signal.aborted) return;
    t.sentAt = Date.now();
    t.paymentId = (await this.api.createPayment(this.bodyOf(t.planned), t.key)).paymentId;
    t.status = 'RECEIVED';
  }

  /** Publishes the payment request as an upstream system would, `times` times (each its own event id). */
  private async publishRequest(t: Tracked, times: number): Promise<void> {
    if (this.stop.signal.aborted) return;
    const payment: PaymentRequest = paymentRequestSchema.parse({
      paymentId: t.key,
      ...this.bodyOf(t.planned),
      requestedAt: new Date().toISOString(),
    });
    t.paymentId = payment.paymentId;
    t.sentAt = Date.now();
    t.status = 'RECEIVED';
    for (let i = 0; i < times; i++) {
      const event = envelope(EVENT_TYPES.paymentRequested, randomUUID(), payment.requestedAt, payment);
      await this.producer.send({
        topic: TOPICS.paymentRequested,
        acks: -1,
        messages: [{ key: payment.accountId, value: JSON.stringify(event) }],
      });
    }
  }

  /** Reads the payment once through the api; true when it is decided. */
  private async refresh(t: Tracked): Promise<boolean> {
    // Payments that came over Kafka have no api caller: only an operator may read them.
    const view = await this.api.getPayment(t.paymentId!, t.via === 'rest' ? 'client' : 'operator');
    if (!view) return false;
    t.requestedAt = view.requestedAt;
    if (!view.decision) return false;
    t.status = view.decision;
    t.reason = view.reason;
    if (t.planned.timed) t.latencyMs = Date.now() - t.sentAt!;
    return true;
  }

  /**
   * Polls GET /payments/:id until the payment is decided: every 100 ms at first, backing off to 1 s, so a
   * quick decision is timed closely and a long wait costs little. Gives up past the payment's deadline.
   */
  private async follow(t: Tracked, giveUpAt = (t.sentAt ?? Date.now()) + this.plan.accountStateDeadlineMs + DECISION_MARGIN_MS) {
    if (!t.paymentId) return;
    for (let delay = 100; !this.stop.signal.aborted; delay = Math.min(1_000, delay * 1.5)) {
      if (await this.refresh(t)) return;
      if (Date.now() >= giveUpAt) return;
      await this.sleep(delay);
    }
  }

  /** The saga's own view (status query); undefined while it has not started, or when the query fails. */
  private async sagaStatus(paymentId: string): Promise<PaymentStatus | undefined> {
    try {
      return await this.temporal.workflow.getHandle(paymentWorkflowId(paymentId)).query(statusQuery);
    } catch {
      return undefined;
    }
  }

  /** Waits for the decided event of every decided payment to be seen on Kafka (it precedes the read model). */
  private async awaitDecidedEvents(): Promise<void> {
    const decided = [...this.tracked.values()].filter(
      (t) => t.paymentId && (t.status === 'AUTHORIZED' || t.status === 'DECLINED'),
    );
    await this.pollUntil(
      async () => (decided.every((t) => this.observer.decidedEvents(t.paymentId!) > 0) ? true : undefined),
      Date.now() + 15_000,
    );
    for (const t of this.tracked.values()) if (t.paymentId) t.decidedEvents = this.observer.decidedEvents(t.paymentId);
  }

  private async pollUntil<T>(probe: () => Promise<T | undefined>, until: number, everyMs = 250): Promise<T | undefined> {
    while (!this.stop.signal.aborted) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() >= until) return undefined;
      await this.sleep(everyMs);
    }
    return undefined;
  }

  /** Sleeps, or returns early when the demo is stopped. */
  private sleep(ms: number): Promise<void> {
    const signal = this.stop.signal;
    return new Promise((resolve) => {
      if (ms <= 0 || signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  // ---- reporting ----------------------------------------------------------------------------------------

  /** One live line; the ticker never runs two at once (visibility may answer slowly). */
  private async printLive(): Promise<void> {
    const since = startedSinceQuery(this.startedAt);
    const count = async (state: string) => (await this.temporal.workflow.count(`${since} AND PaymentStatus = "${state}"`)).count;
    const waiting = await Promise.all([count('AWAITING_ACCOUNT_STATE'), count('PENDING_REVIEW')]).then(
      ([accountState, review]) => ({ accountState, review }),
      () => undefined, // the line goes out without them
    );
    const tracked = [...this.tracked.values()];
    this.log(
      formatLive({
        elapsedMs: Date.now() - this.startedAt,
        planned: tracked.length,
        byStatus: countByStatus(tracked),
        waiting,
        latency: this.latency(),
      }),
    );
  }

  private latency() {
    return demoLatency([...this.tracked.values()]);
  }

  private summary(checks: Map<ScenarioId, ScenarioCheck>): DemoSummary {
    return summarizeDemo({
      plan: this.plan,
      tracked: [...this.tracked.values()],
      checks,
      startedAt: this.startedAt,
      aborted: this.stop.signal.aborted,
      deadLetters: this.observer.poisonDeadLetters(),
      webUi: (query) => this.webUi(query),
    });
  }

  private webUi(query: string): string {
    return webUiUrl(this.config.temporal.uiUrl, this.config.temporal.namespace, query);
  }
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
