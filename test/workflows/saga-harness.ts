/**
 * A time-skipping environment running the real payment worker: real activities on the stack's PostgreSQL,
 * and the real gateway simulator over HTTP on a free port. Only Temporal's clock is simulated.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { loadConfig } from '../../config';
import type { AccountState, PaymentRequest } from '../../contracts/payment';
import { recordAccountState } from '../../db/accounts';
import { migrate } from '../../db/migrate';
import { createPool, type Pool } from '../../db/pool';
import { FaultInjector } from '../../gateway/faults';
import { createGatewayApp } from '../../gateway/server';
import { listen } from '../../roles/listen';
import { testServerPath } from '../../tools/stack';
import { paymentSearchAttributeTypes } from '../../temporal/search-attributes';
import { startPayment } from '../../temporal/start-payment';
import { createPaymentWorker, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../workers/worker';
import type { authorizePayment } from '../../workflows';
import { SAGA_REVISION, type SagaPolicy } from '../../workflows/shared';
import { eventually } from '../eventually';
import { forSuite } from '../for-suite';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'histories');
/**
 * Histories recorded with the database steps as local activities, before sagas had a revision (each new saga then
 * recorded its changes as patch markers). The ones in HISTORIES_DIR itself were recorded before that, with the steps
 * as activities. Both stay as they are: sagas of their shapes may still be running somewhere.
 */
export const LOCAL_STEPS_HISTORIES_DIR = path.join(HISTORIES_DIR, 'local-steps');
/** Where RECORD_HISTORIES=1 writes: histories of sagas started at the current revision (workflows/shared.ts). */
export const REVISION_HISTORIES_DIR = path.join(HISTORIES_DIR, `revision-${SAGA_REVISION}`);

export const DEFAULT_POLICY: SagaPolicy = {
  accountStateDeadlineMs: 30_000,
  timeoutPolicy: 'decline',
  reviewDeadlineMs: 3_600_000,
  gatewayRequestTimeoutMs: 2_000,
  gatewayRetryBudgetMs: 30_000,
};

export class SagaHarness {
  // Temporal's Java test server has no worker deployments: an unversioned worker, as WORKER_VERSIONING=off runs.
  // Payloads plain: the histories this harness records (RECORD_HISTORIES=1) are read in review and replayed
  // without keys; the codec is tested on the dev server (test/integration/codec.test.ts).
  readonly config = loadConfig({ ...process.env, WORKER_VERSIONING: 'off', TEMPORAL_CODEC: 'off' });
  readonly faults = new FaultInjector();
  readonly taskQueue = `saga-test-${randomUUID()}`;
  env!: TestWorkflowEnvironment;
  pool!: Pool;
  private gateway!: Server;
  private gatewayUrl!: string;
  private workflowBundle!: WorkflowBundle;
  private worker!: Worker;
  private running!: Promise<void>;

  async setUp(): Promise<void> {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    this.pool = createPool(this.config);
    await migrate(this.pool);
    this.gateway = await listen(createGatewayApp({ pool: this.pool, faults: this.faults }), 0);
    const gatewayUrl = `http://127.0.0.1:${(this.gateway.address() as AddressInfo).port}`;
    this.gatewayUrl = gatewayUrl;
    this.env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: testServerPath(this.config) } },
    });
    // The Java test server starts without custom search attributes; it has addSearchAttributes (not list).
    await this.env.connection.operatorService.addSearchAttributes({
      namespace: this.env.namespace ?? 'default',
      searchAttributes: paymentSearchAttributeTypes(),
    });
    this.workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      logger: new DefaultLogger('ERROR'),
    });
    this.worker = await this.createWorker(this.taskQueue);
    this.running = this.worker.run();
  }

  /** The payment worker (real activities, this harness's gateway) on a task queue: the suite's own, or a test's. */
  createWorker(taskQueue: string): Promise<Worker> {
    return createPaymentWorker({
      config: this.config,
      connection: this.env.nativeConnection,
      activities: createActivities({
        pool: this.pool,
        gatewayUrl: this.gatewayUrl,
        gatewayRequestTimeoutMs: DEFAULT_POLICY.gatewayRequestTimeoutMs,
      }),
      workflowCode: { workflowBundle: this.workflowBundle },
      taskQueue,
    });
  }

  async tearDown(): Promise<void> {
    if (this.worker) {
      this.worker.shutdown();
      await this.running;
    }
    await this.env?.teardown();
    this.gateway?.closeAllConnections(); // the activities' fetch keeps connections alive
    await new Promise((r) => this.gateway?.close(r));
    await this.pool?.end();
  }

  /** A payment requested now (in the test server's clock) on a new account. */
  async payment(overrides: Partial<PaymentRequest> = {}): Promise<PaymentRequest> {
    const now = await this.env.currentTimeMs();
    return {
      paymentId: `pay-${randomUUID()}`,
      accountId: `acc-${randomUUID()}`,
      merchantId: 'merchant-1',
      amount: 2_500,
      currency: 'EUR',
      requestedAt: new Date(now).toISOString(),
      ...overrides,
    };
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
   * Starts a payment. With realTime, its handle's result() does not let the test server skip time: for
   * paths that need no timer, run concurrently, where a skip while no task is in flight could jump past
   * anything the sagas are about to do.
   */
  start(
    payment: PaymentRequest,
    policy: Partial<SagaPolicy> = {},
    realTime = false,
  ): Promise<WorkflowHandle<typeof authorizePayment>> {
    const client = realTime ? new Client({ connection: this.env.connection, namespace: this.env.namespace }) : this.env.client;
    return startPayment(client, { payment, policy: { ...DEFAULT_POLICY, ...policy }, taskQueue: this.taskQueue });
  }

  /** Stores the account's snapshot as the bridge does, before or while the payment runs. */
  async recordAccountState(state: AccountState): Promise<void> {
    const client = await this.pool.connect();
    try {
      await recordAccountState(client, state);
    } finally {
      client.release();
    }
  }

  async gatewayRecords(paymentId: string): Promise<{ status: string; authorizationId: string | null }[]> {
    const { rows } = await this.pool.query(
      'select status, authorization_id as "authorizationId" from gateway.authorizations where payment_id = $1',
      [paymentId],
    );
    return rows;
  }

  /** Waits until the gateway simulator handles no authorization, also none that its caller gave up on. */
  async gatewayIdle(): Promise<void> {
    await eventually('the gateway simulator idle', async () => {
      const res = await fetch(`${this.gatewayUrl}/admin/in-flight`);
      return ((await res.json()) as { authorizations: number }).authorizations === 0;
    });
  }

  async reservation(paymentId: string): Promise<{ status: string; forced: boolean; release_reason: string | null } | undefined> {
    const { rows } = await this.pool.query('select status, forced, release_reason from reservations where payment_id = $1', [
      paymentId,
    ]);
    return rows[0];
  }

  async outbox(paymentId: string): Promise<{ payload: { type: string; data: Record<string, unknown> } }[]> {
    const { rows } = await this.pool.query(`select payload from outbox where payload->'data'->>'paymentId' = $1`, [paymentId]);
    return rows;
  }

  async ledger(paymentId: string): Promise<{ ledger_account: string; direction: string; amount: number }[]> {
    const { rows } = await this.pool.query(
      `select e.ledger_account, e.direction, e.amount from ledger_entries e
       join ledger_transactions t using (transaction_id) where t.payment_id = $1 order by e.direction`,
      [paymentId],
    );
    return rows;
  }

  async audit(paymentId: string): Promise<{ signal_id: string; outcome: string; operator: string }[]> {
    const { rows } = await this.pool.query(
      'select signal_id, outcome, operator from operator_audit where payment_id = $1 order by id',
      [paymentId],
    );
    return rows;
  }

  /** The payment's timeline rows the saga wrote (the read model, not running here, writes the others). */
  async timeline(paymentId: string): Promise<{ status: string; detail: Record<string, unknown> }[]> {
    const { rows } = await this.pool.query('select status, detail from payment_timeline where payment_id = $1 order by id', [
      paymentId,
    ]);
    return rows;
  }

  /** With RECORD_HISTORIES=1, saves the workflow's history for the replay test (test/histories/revision-<n>/<name>.json). */
  async keepHistory(name: string, handle: WorkflowHandle): Promise<void> {
    if (process.env.RECORD_HISTORIES !== '1') return;
    const history = await handle.fetchHistory();
    fs.mkdirSync(REVISION_HISTORIES_DIR, { recursive: true });
    fs.writeFileSync(path.join(REVISION_HISTORIES_DIR, `${name}.json`), historyToJSON(history) + '\n');
  }
}

/** A saga harness for the enclosing describe() (test/for-suite.ts). */
export function sagaForSuite(): SagaHarness {
  return forSuite(new SagaHarness());
}
