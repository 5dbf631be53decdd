/**
 * The payment workflow on the Java time-skipping test server alone, with fake activities (fake-activities.ts):
 * no PostgreSQL, Kafka, gateway or dev server. One environment, workflow bundle and worker per suite; each
 * test gets fresh fakes.
 */
import { randomUUID } from 'node:crypto';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Activities } from '../../../activities';
import { loadConfig } from '../../../config';
import type { AccountState, PaymentRequest } from '../../../contracts/payment';
import { provisionTestServer } from '../../../tools/stack/test-server';
import { paymentSearchAttributeTypes } from '../../../temporal/search-attributes';
import { startPayment } from '../../../temporal/start-payment';
import { WORKFLOWS_PATH } from '../../../workers/worker';
import type { authorizePayment } from '../../../workflows';
import { PaymentStatusKey } from '../../../workflows/search-attributes';
import type { SagaPolicy } from '../../../workflows/shared';
import { FakeDatabase, ScriptedGateway } from './fake-activities';
import { forSuite } from '../../for-suite';

export const POLICY: SagaPolicy = {
  accountStateDeadlineMs: 30_000,
  timeoutPolicy: 'decline',
  reviewDeadlineMs: 3_600_000,
  gatewayRequestTimeoutMs: 2_000,
  gatewayRetryBudgetMs: 30_000,
};

type History = temporal.api.history.v1.IHistory;
export type PaymentHandle = WorkflowHandle<typeof authorizePayment>;

/**
 * One worker for the suite: creating one per test (loading the workflow bundle) costs more than the test. Its
 * activities pass each call to the fakes of the test that made the payment, named in every activity's input.
 */
export class FakeSagaHarness {
  env!: TestWorkflowEnvironment;
  readonly taskQueue = `saga-unit-${randomUUID()}`;
  private readonly sagas = new Map<string, FakeSaga>();
  private worker?: Worker;
  private running?: Promise<void>;

  async setUp(): Promise<void> {
    // Quiet, core included: the test server lacks capabilities that core warns about once per worker.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
    // Downloads the server into the cache on a fresh machine (as `npm run stack -- up` does); else only checks it.
    const server = await provisionTestServer(loadConfig());
    this.env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: server } },
    });
    // The Java test server starts without custom search attributes.
    await this.env.connection.operatorService.addSearchAttributes({
      namespace: this.env.namespace ?? 'default',
      searchAttributes: paymentSearchAttributeTypes(),
    });
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
    this.worker = await Worker.create({
      connection: this.env.nativeConnection,
      namespace: this.env.namespace,
      taskQueue: this.taskQueue,
      workflowBundle,
      activities: this.routedActivities(),
    });
    this.running = this.worker.run();
  }

  async tearDown(): Promise<void> {
    this.worker?.shutdown();
    await this.running;
    await this.env?.teardown();
  }

  /** Runs body with fresh fakes. */
  async run(body: (saga: FakeSaga) => Promise<void>): Promise<void> {
    await body(new FakeSaga(this.env, this.taskQueue, (paymentId, saga) => this.sagas.set(paymentId, saga)));
  }

  private routedActivities(): Record<string, (input: PaymentInput) => Promise<unknown>> {
    const names = Object.keys(new FakeSaga(this.env, this.taskQueue, () => undefined).activities);
    const route = (name: string) => async (input: PaymentInput) => {
      const paymentId = input.paymentId ?? input.event?.paymentId;
      const saga = paymentId === undefined ? undefined : this.sagas.get(paymentId);
      if (!saga) throw ApplicationFailure.nonRetryable(`${name}: no test made payment ${paymentId}`);
      return (saga.activities[name as keyof Activities] as (input: PaymentInput) => Promise<unknown>)(input);
    };
    return Object.fromEntries(names.map((name) => [name, route(name)]));
  }
}

/** What every activity's input says of its payment. */
type PaymentInput = { paymentId?: string; event?: { paymentId: string } };

/** The fakes of one test, and its payments. */
export class FakeSaga {
  /** Every activity call of this test's payments, in order: the saga's steps and compensations. */
  readonly steps: string[] = [];
  readonly db = new FakeDatabase(this.steps);
  readonly gateway = new ScriptedGateway(this.steps);
  readonly activities: Activities = { ...this.db.activities(), ...this.gateway.activities() };

  constructor(
    readonly env: TestWorkflowEnvironment,
    readonly taskQueue: string,
    private readonly madePayment: (paymentId: string, saga: FakeSaga) => void,
  ) {}

  /** A payment requested now (in the test server's clock) on a new account. */
  async payment(overrides: Partial<PaymentRequest> = {}): Promise<PaymentRequest> {
    const payment = {
      paymentId: `pay-${randomUUID()}`,
      accountId: `acc-${randomUUID()}`,
      merchantId: 'merchant-1',
      amount: 2_500,
      currency: 'EUR',
      requestedAt: new Date(await this.env.currentTimeMs()).toISOString(),
      ...overrides,
    };
    this.madePayment(payment.paymentId, this);
    return payment;
  }

  /** A snapshot of the payment's account, fresh for it (asOf one second after requestedAt) unless overridden. */
  accountState(payment: PaymentRequest, overrides: Partial<AccountState> = {}): AccountState {
    return {
      accountId: payment.accountId,
      version: 1,
      asOf: new Date(Date.parse(payment.requestedAt) + 1_000).toISOString(),
      status: 'active',
      balance: 10_000,
      currency: 'EUR',
      ...overrides,
    };
  }

  /**
   * Starts the payment as the bridge does. With realTime, its handle's result() lets no time skip: for a test
   * that holds an activity, whose timeout a skip would otherwise reach.
   */
  start(payment: PaymentRequest, policy: Partial<SagaPolicy> = {}, realTime = false): Promise<PaymentHandle> {
    const client = realTime ? new Client({ connection: this.env.connection, namespace: this.env.namespace }) : this.env.client;
    return startPayment(client, { payment, policy: { ...POLICY, ...policy }, taskQueue: this.taskQueue });
  }
}

/** What a history holds of the saga's steps: timers, activities, local activities and patches. */
export function historySummary(history: History) {
  const events = history.events ?? [];
  const markers = events.flatMap((e) => (e.markerRecordedEventAttributes ? [e.markerRecordedEventAttributes] : []));
  return {
    events: events.length,
    timersStarted: events.filter((e) => e.timerStartedEventAttributes).length,
    timersFired: events.filter((e) => e.timerFiredEventAttributes).length,
    activities: events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []),
    localActivities: markers.filter((m) => m.markerName === 'core_local_activity').length,
    patches: markers
      .filter((m) => m.markerName === 'core_patch')
      .map((m) => defaultPayloadConverter.fromPayload<{ id: string }>(m.details!['patch-data']!.payloads![0]!).id),
    signals: events.filter((e) => e.workflowExecutionSignaledEventAttributes).length,
    statusUpserts: events.filter(
      (e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[PaymentStatusKey.name],
    ).length,
    /** Every upsert, the SDK's own of TemporalChangeVersion (one per patch) included. */
    upserts: events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length,
  };
}

/** A harness for the enclosing describe(): set up before its first test and torn down after its last. */
export function fakeSagaForSuite(): FakeSagaHarness {
  // On a fresh machine, the test server is fetched first.
  return forSuite(new FakeSagaHarness(), { setUpMs: 600_000, tearDownMs: 30_000 });
}
