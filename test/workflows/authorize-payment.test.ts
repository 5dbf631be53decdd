/**
 * Every path of the authorizePayment saga on the time-skipping test server, with the real activities,
 * PostgreSQL and gateway simulator. Each test keeps its history (RECORD_HISTORIES=1) for the replay test.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { GatewayFaults } from '../../contracts/gateway';
import type { Override, PaymentRequest } from '../../contracts/payment';
import { createActivities } from '../../activities';
import type { authorizePayment } from '../../workflows';
import { WORKFLOWS_PATH } from '../../workers/worker';
import { initialSearchAttributes, PaymentIdKey, PaymentStatusKey } from '../../workflows/search-attributes';
import { accountStateSignal, overrideSignal, paymentWorkflowId, statusQuery, type PaymentState } from '../../workflows/shared';
import { eventually } from '../eventually';
import { DEFAULT_POLICY, sagaForSuite, type SagaHarness } from './saga-harness';

const override = (decision: Override['decision'], signalId = randomUUID()): Override => ({
  signalId,
  decision,
  operator: 'alice@ops',
  reason: `operator ${decision}s after a phone call`,
});

/** Polls the status query until the saga reaches `state` (real time: activities run in real time). */
async function until(handle: WorkflowHandle<typeof authorizePayment>, state: PaymentState): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await handle.query(statusQuery)).state === state) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`payment never reached ${state}; it is ${(await handle.query(statusQuery)).state}`);
}

const elapsed = (from: string, to: string) => Date.parse(to) - Date.parse(from);

describe('authorizePayment saga (time-skipping, real activities)', function () {
  this.timeout(60_000);
  const h = sagaForSuite();
  beforeEach(() => h.faults.set({}));

  describe('account state', () => {
    it('decides at once when fresh state is already recorded', async () => {
      const payment = await h.payment();
      await h.recordAccountState(h.accountState(payment));
      const handle = await h.start(payment);
      const outcome = await handle.result();
      assert.equal(outcome.decision, 'AUTHORIZED');
      assert.equal(outcome.reason, 'APPROVED');
      assert.equal(outcome.decidedBy, 'rules');
      // Structural, not a stopwatch (a loaded machine makes any bound flaky): the saga never started a timer.
      const { events } = await handle.fetchHistory();
      assert.equal(events?.filter((e) => e.timerStartedEventAttributes).length, 0, 'no timer had to fire');
      const gateway = await h.gatewayRecords(payment.paymentId);
      assert.deepEqual(gateway, [{ status: 'authorized', authorizationId: outcome.gatewayAuthorizationId }]);
      assert.deepEqual(await h.ledger(payment.paymentId), [
        { ledger_account: `merchant:${payment.merchantId}:pending`, direction: 'credit', amount: payment.amount },
        { ledger_account: `customer:${payment.accountId}`, direction: 'debit', amount: payment.amount },
      ]);
      const [event, ...more] = await h.outbox(payment.paymentId);
      assert.equal(more.length, 0);
      assert.equal(event?.payload.type, 'payment.authorization.decided');
      assert.equal(event?.payload.data.decision, 'AUTHORIZED');
      assert.equal((await h.reservation(payment.paymentId))?.status, 'authorized');
      await h.keepHistory('authorized-fresh-state-recorded', handle);
    });

    it('decides on fresh state signalled after it started waiting', async () => {
      const payment = await h.payment();
      const handle = await h.start(payment);
      await until(handle, 'AWAITING_ACCOUNT_STATE');
      await handle.signal(accountStateSignal, h.accountState(payment));
      assert.equal((await handle.result()).decision, 'AUTHORIZED');
      await h.keepHistory('authorized-fresh-state-signalled', handle);
    });

    it('waits for state arriving an hour late and decides then', async () => {
      const payment = await h.payment();
      const handle = await h.start(payment, { accountStateDeadlineMs: 2 * 3_600_000 });
      await until(handle, 'AWAITING_ACCOUNT_STATE');
      await h.env.sleep('1h');
      const status = await handle.query(statusQuery);
      assert.equal(status.state, 'AWAITING_ACCOUNT_STATE');
      assert.deepEqual(status.waitingFor, { accountId: payment.accountId, asOfAtLeast: payment.requestedAt });
      assert.equal(status.deadline, new Date(Date.parse(payment.requestedAt) + 2 * 3_600_000).toISOString());
      const asOf = new Date(Date.parse(payment.requestedAt) + 3_600_000).toISOString();
      await handle.signal(accountStateSignal, h.accountState(payment, { asOf }));
      const outcome = await handle.result();
      assert.equal(outcome.decision, 'AUTHORIZED');
      assert.ok(elapsed(payment.requestedAt, outcome.decidedAt) >= 3_600_000, 'decided an hour later, in workflow time');
      await h.keepHistory('authorized-state-an-hour-late', handle);
    });

    it('ignores stale, duplicate and out-of-order states', async () => {
      const payment = await h.payment();
      const handle = await h.start(payment);
      await until(handle, 'AWAITING_ACCOUNT_STATE');
      const stale = h.accountState(payment, {
        version: 5,
        asOf: new Date(Date.parse(payment.requestedAt) - 1).toISOString(),
        balance: 99_999,
      });
      await handle.signal(accountStateSignal, stale); // newest version, but older than the payment: not usable
      await handle.signal(accountStateSignal, h.accountState(payment, { version: 4 })); // fresh, but an older version
      await handle.signal(accountStateSignal, { ...stale }); // a duplicate of version 5
      await handle.signal(accountStateSignal, h.accountState(payment, { accountId: 'someone-else', version: 9 })); // another account
      const status = await handle.query(statusQuery);
      assert.equal(status.state, 'AWAITING_ACCOUNT_STATE');
      assert.deepEqual(status.accountState, stale);
      await handle.signal(accountStateSignal, h.accountState(payment, { version: 6, balance: 1_000 }));
      const outcome = await handle.result();
      assert.equal(outcome.decision, 'DECLINED', 'decided on version 6 (balance 1000 < 2500), not on version 5');
      assert.equal(outcome.reason, 'INSUFFICIENT_FUNDS');
      assert.equal((await handle.query(statusQuery)).accountState?.version, 6);
      await h.keepHistory('declined-after-stale-duplicate-out-of-order', handle);
    });
  });

  describe('cost', () => {
    it('keeps an authorized payment to one activity, two upserts and at most 25 history events', async () => {
      const payment = await h.payment();
      const handle = await h.start(payment);
      // Waits in the database, not with the status query: the test server answers a query with a workflow task.
      await eventually(
        'the payment waiting',
        async () => (await h.pool.query('select 1 from payment_waits where payment_id = $1', [payment.paymentId])).rowCount,
      );
      await handle.signal(accountStateSignal, h.accountState(payment));
      assert.equal((await handle.result()).decision, 'AUTHORIZED');
      const events = (await handle.fetchHistory()).events ?? [];
      assert.equal(
        events.filter((e) => e.activityTaskScheduledEventAttributes).length,
        1,
        'only the gateway call is an activity',
      );
      const statusUpserts = events.filter(
        (e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[PaymentStatusKey.name],
      );
      assert.equal(statusUpserts.length, 2, 'AUTHORIZING, then AUTHORIZED: the start set the rest');
      assert.ok(events.length <= 25, `${events.length} history events`);
      const attributes = (await handle.describe()).typedSearchAttributes;
      assert.deepEqual(
        [
          attributes.get(PaymentIdKey),
          attributes.get(PaymentStatusKey),
          // Nothing else but the SDK's patch ids: no account id (the codec cannot encrypt search attributes).
          attributes.getAll().filter((pair) => pair.key.name !== 'TemporalChangeVersion').length,
        ],
        [payment.paymentId, 'AUTHORIZED', 2],
      );
      await h.keepHistory('authorized-local-steps-signalled', handle);
    });
  });

  describe('a decision recorded by a lost workflow task', () => {
    const activities = () => createActivities({ pool: h.pool, gatewayUrl: 'http://127.0.0.1:9', gatewayRequestTimeoutMs: 1_000 });

    it('stands: the saga adopts it and reserves nothing, calls no gateway', async () => {
      const payment = await h.payment();
      await h.recordAccountState(h.accountState(payment));
      // What a timeout decline leaves behind when its task is lost before it completes the workflow.
      const { requestedAt, ...request } = payment;
      await activities().recordDecision({
        eventId: randomUUID(),
        event: {
          ...request,
          decision: 'DECLINED',
          reason: 'ACCOUNT_STATE_TIMEOUT',
          decidedBy: 'timeout',
          decidedAt: requestedAt,
        },
      });
      const outcome = await (await h.start(payment)).result();
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'ACCOUNT_STATE_TIMEOUT', 'timeout']);
      assert.deepEqual(await h.gatewayRecords(payment.paymentId), []);
      assert.equal(await h.reservation(payment.paymentId), undefined);
      assert.deepEqual(await h.ledger(payment.paymentId), []);
      assert.equal((await h.outbox(payment.paymentId)).length, 1, 'one decided event');
    });

    it('a decline releases a hold made on a path the saga left', async () => {
      const payment = await h.payment();
      await h.recordAccountState(h.accountState(payment));
      // A reservation made by a task that was lost; the retried task took an operator's decline instead.
      await activities().reserveFunds({ ...payment, snapshot: undefined, force: false });
      const handle = await h.start(payment, { accountStateDeadlineMs: 3_600_000 });
      await handle.signal(overrideSignal, override('decline'));
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason], ['DECLINED', 'OPERATOR_DECLINED']);
      assert.deepEqual(await h.reservation(payment.paymentId), {
        status: 'released',
        forced: false,
        release_reason: 'OPERATOR_DECLINED',
      });
    });
  });

  /**
   * A worker that takes a payment's first workflow task and dies (kill -9, a lost node) leaves that task to time
   * out; Temporal hands the next attempt to another worker. An override sent meanwhile, or while that worker runs
   * the first steps, must leave a history that replays: the cluster fault suite once saw a saga fail every task
   * with nondeterminism on this path (docs/scaling.md). The dead worker here is a real poll that never answers.
   */
  describe('a first workflow task lost with its worker', () => {
    const lostFirstTask = async (when: 'before the timeout' | 'after the timeout', decision: Override['decision']) => {
      const payment = await h.payment();
      const taskQueue = `lost-first-task-${randomUUID()}`;
      const client = new Client({ connection: h.env.connection, namespace: h.env.namespace });
      const handle = await client.workflow.start<typeof authorizePayment>('authorizePayment', {
        workflowId: paymentWorkflowId(payment.paymentId),
        taskQueue,
        args: [{ payment, policy: { ...DEFAULT_POLICY, accountStateDeadlineMs: 3_600_000 } }],
        typedSearchAttributes: initialSearchAttributes(payment),
        workflowTaskTimeout: '1s',
      });
      await client.connection.withDeadline(Date.now() + 30_000, () =>
        client.workflowService.pollWorkflowTaskQueue({
          namespace: h.env.namespace ?? 'default',
          taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          identity: 'a worker killed with its first task',
        }),
      );
      const o = override(decision);
      if (when === 'before the timeout') await handle.signal(overrideSignal, o);
      await eventually('the first task timed out', async () =>
        (await handle.fetchHistory()).events!.some((e) => e.workflowTaskTimedOutEventAttributes),
      );
      if (when === 'after the timeout') await handle.signal(overrideSignal, o);
      const worker = await h.createWorker(taskQueue);
      const outcome = await worker.runUntil(handle.result());
      const history = await handle.fetchHistory();
      assert.deepEqual(
        history
          .events!.filter((e) => e.workflowTaskFailedEventAttributes)
          .map((e) => e.workflowTaskFailedEventAttributes!.failure?.message),
        [],
        'no workflow task failed',
      );
      await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, handle.workflowId);
      assert.deepEqual(await h.audit(payment.paymentId), [{ signal_id: o.signalId, outcome: 'applied', operator: o.operator }]);
      return { outcome, handle };
    };

    it('an approval sent before the lost task times out is applied once, and the history replays', async () => {
      const { outcome, handle } = await lostFirstTask('before the timeout', 'approve');
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['AUTHORIZED', 'OPERATOR_APPROVED', 'operator']);
      await h.keepHistory('authorized-override-after-lost-first-task', handle);
    });

    it('a decline sent after it timed out, before another worker took the task, is applied once, and the history replays', async () => {
      const { outcome, handle } = await lostFirstTask('after the timeout', 'decline');
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'OPERATOR_DECLINED', 'operator']);
      await h.keepHistory('declined-override-after-lost-first-task', handle);
    });
  });

  describe('deadlines', () => {
    it('declines with ACCOUNT_STATE_TIMEOUT at the deadline', async () => {
      const payment = await h.payment();
      const handle = await h.start(payment, { accountStateDeadlineMs: 30_000 });
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'ACCOUNT_STATE_TIMEOUT', 'timeout']);
      assert.equal(elapsed(payment.requestedAt, outcome.decidedAt) >= 30_000, true);
      assert.deepEqual(await h.gatewayRecords(payment.paymentId), []);
      assert.equal((await h.outbox(payment.paymentId)).length, 1);
      await h.keepHistory('declined-account-state-timeout', handle);
    });

    it('moves to review at the deadline, and an operator approves', async () => {
      const payment = await h.payment();
      const handle = await h.start(payment, {
        timeoutPolicy: 'review',
        accountStateDeadlineMs: 30_000,
        reviewDeadlineMs: 3_600_000,
      });
      await until(handle, 'AWAITING_ACCOUNT_STATE');
      await h.env.sleep('31s');
      await until(handle, 'PENDING_REVIEW');
      const approval = override('approve');
      await handle.signal(overrideSignal, approval);
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['AUTHORIZED', 'OPERATOR_APPROVED', 'operator']);
      assert.equal(outcome.exceededAvailableFunds, true, 'no snapshot allowed it: the decision says the operator went beyond');
      assert.equal((await h.gatewayRecords(payment.paymentId)).length, 1, 'an approval still goes through the gateway');
      assert.deepEqual(await h.audit(payment.paymentId), [
        { signal_id: approval.signalId, outcome: 'applied', operator: 'alice@ops' },
      ]);
      assert.equal((await h.reservation(payment.paymentId))?.forced, true);
      const timeline = await h.timeline(payment.paymentId);
      const { operator, decision, reason, signalId } = approval;
      assert.deepEqual(timeline, [
        {
          status: 'AWAITING_ACCOUNT_STATE',
          detail: {
            asOfAtLeast: payment.requestedAt,
            deadline: new Date(Date.parse(payment.requestedAt) + 30_000).toISOString(),
          },
        },
        { status: 'PENDING_REVIEW', detail: { deadline: timeline[1]?.detail.deadline, timeoutPolicy: 'review' } },
        { status: 'OVERRIDE_APPLIED', detail: { operator, decision, reason, signalId } },
      ]);
      assert.ok(
        elapsed(payment.requestedAt, String(timeline[1]?.detail.deadline)) >= 30_000 + 3_600_000,
        'review ends an hour on',
      );
      await h.keepHistory('authorized-review-operator-approves', handle);
    });

    it('declines with REVIEW_EXPIRED when review ends without a decision', async () => {
      const payment = await h.payment();
      const handle = await h.start(payment, {
        timeoutPolicy: 'review',
        accountStateDeadlineMs: 30_000,
        reviewDeadlineMs: 3_600_000,
      });
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'REVIEW_EXPIRED', 'timeout']);
      assert.ok(elapsed(payment.requestedAt, outcome.decidedAt) >= 30_000 + 3_600_000);
      await h.keepHistory('declined-review-expired', handle);
    });
  });

  describe('operator overrides', () => {
    it('approves while waiting for account state', async () => {
      const payment = await h.payment();
      const handle = await h.start(payment);
      await until(handle, 'AWAITING_ACCOUNT_STATE');
      await handle.signal(overrideSignal, override('approve'));
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['AUTHORIZED', 'OPERATOR_APPROVED', 'operator']);
      await h.keepHistory('authorized-override-approve-while-waiting', handle);
    });

    it('declines while waiting for account state, without calling the gateway', async () => {
      const payment = await h.payment();
      const handle = await h.start(payment);
      await until(handle, 'AWAITING_ACCOUNT_STATE');
      await handle.signal(overrideSignal, override('decline'));
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'OPERATOR_DECLINED', 'operator']);
      assert.deepEqual(await h.gatewayRecords(payment.paymentId), []);
      assert.equal(await h.reservation(payment.paymentId), undefined);
      await h.keepHistory('declined-override-decline-while-waiting', handle);
    });

    /** Starts a payment whose gateway call takes 1.5 s, and waits until the saga is in AUTHORIZING. */
    const authorizing = async (faults: (payment: PaymentRequest) => Partial<GatewayFaults> = () => ({})) => {
      const payment = await h.payment();
      h.faults.set({ latencyMs: 1_500, ...faults(payment) });
      const handle = await h.start(payment);
      await until(handle, 'AWAITING_ACCOUNT_STATE');
      await handle.signal(accountStateSignal, h.accountState(payment));
      await until(handle, 'AUTHORIZING');
      return { payment, handle };
    };

    it('declines during AUTHORIZING: once the gateway authorizes, voids, releases and declines', async () => {
      const { payment, handle } = await authorizing();
      const decline = override('decline');
      await handle.signal(overrideSignal, decline);
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'OPERATOR_DECLINED', 'operator']);
      assert.equal(outcome.gatewayAuthorizationId, undefined);
      const [record, ...others] = await h.gatewayRecords(payment.paymentId);
      assert.equal(others.length, 0);
      assert.equal(record?.status, 'voided', 'the authorization the gateway made was voided');
      assert.ok(record?.authorizationId, 'it had authorized before the void');
      assert.deepEqual(await h.reservation(payment.paymentId), {
        status: 'released',
        forced: false,
        release_reason: 'OPERATOR_DECLINED',
      });
      assert.deepEqual(await h.ledger(payment.paymentId), [], 'no hold posted');
      const events = await h.outbox(payment.paymentId);
      assert.deepEqual(
        events.map((e) => e.payload.data.decision),
        ['DECLINED'],
      );
      assert.deepEqual(await h.audit(payment.paymentId), [
        { signal_id: decline.signalId, outcome: 'applied', operator: 'alice@ops' },
      ]);
      await h.keepHistory('declined-override-decline-while-authorizing', handle);
    });

    it('lets a gateway decline stand over a decline sent during AUTHORIZING, and audits it as not applied', async () => {
      const { payment, handle } = await authorizing((p) => ({ declineAccountIds: [p.accountId] }));
      const decline = override('decline');
      await handle.signal(overrideSignal, decline);
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'GATEWAY_DECLINED', 'rules']);
      assert.equal((await h.reservation(payment.paymentId))?.release_reason, 'GATEWAY_DECLINED');
      assert.deepEqual(await h.audit(payment.paymentId), [
        { signal_id: decline.signalId, outcome: 'ignored_already_decided', operator: 'alice@ops' },
      ]);
      await h.keepHistory('declined-gateway-decline-stands-over-override', handle);
    });

    it('ignores an approval during AUTHORIZING: authorized by the rules, audited as ignored', async () => {
      const { payment, handle } = await authorizing();
      const approval = override('approve');
      await handle.signal(overrideSignal, approval);
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['AUTHORIZED', 'APPROVED', 'rules']);
      assert.deepEqual(await h.gatewayRecords(payment.paymentId), [
        { status: 'authorized', authorizationId: outcome.gatewayAuthorizationId },
      ]);
      assert.equal((await h.reservation(payment.paymentId))?.forced, false);
      assert.deepEqual(await h.audit(payment.paymentId), [
        { signal_id: approval.signalId, outcome: 'ignored_already_decided', operator: 'alice@ops' },
      ]);
      assert.deepEqual((await h.timeline(payment.paymentId)).at(-1), {
        status: 'OVERRIDE_IGNORED',
        detail: { operator: 'alice@ops', decision: 'approve', reason: approval.reason, signalId: approval.signalId },
      });
      // Once closed, the workflow takes no signal at all.
      await assert.rejects(handle.signal(overrideSignal, override('decline')), /completed|not found/i);
      await h.keepHistory('authorized-override-approve-while-authorizing', handle);
    });

    it('applies a duplicate override signal once', async () => {
      const payment = await h.payment();
      const handle = await h.start(payment);
      await until(handle, 'AWAITING_ACCOUNT_STATE');
      const decline = override('decline');
      await handle.signal(overrideSignal, decline);
      await handle.signal(overrideSignal, decline);
      await handle.signal(overrideSignal, { ...decline, decision: 'approve' }); // same id: the same override
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason], ['DECLINED', 'OPERATOR_DECLINED']);
      assert.equal((await h.audit(payment.paymentId)).length, 1);
      const history = await handle.fetchHistory();
      const signals = history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes) ?? [];
      assert.equal(signals.length, 3, 'all three signals were delivered; the workflow applied one');
      await h.keepHistory('declined-duplicate-override', handle);
    });

    it('records an override in the timeline once, however often its step runs (a retried activity)', async () => {
      const payment = await h.payment();
      const steps = createActivities({ pool: h.pool, gatewayUrl: 'http://127.0.0.1:9', gatewayRequestTimeoutMs: 1_000 });
      const approval = override('approve');
      for (let i = 0; i < 2; i++)
        await steps.recordOverride({ paymentId: payment.paymentId, override: approval, outcome: 'applied' });
      assert.deepEqual(
        (await h.timeline(payment.paymentId)).map((t) => [t.status, t.detail.signalId]),
        [['OVERRIDE_APPLIED', approval.signalId]],
      );
    });
  });

  describe('rules', () => {
    const declinedBy = async (name: string, state: Parameters<SagaHarness['accountState']>[1], reason: string) => {
      const payment = await h.payment();
      await h.recordAccountState(h.accountState(payment, state));
      const handle = await h.start(payment);
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', reason, 'rules']);
      assert.deepEqual(await h.gatewayRecords(payment.paymentId), []);
      assert.equal(await h.reservation(payment.paymentId), undefined, 'nothing reserved');
      assert.deepEqual(await h.ledger(payment.paymentId), [], 'nothing posted');
      await h.keepHistory(name, handle);
    };

    it('declines for insufficient funds', () =>
      declinedBy('declined-insufficient-funds', { balance: 2_499 }, 'INSUFFICIENT_FUNDS'));
    it('declines a frozen account', () => declinedBy('declined-account-frozen', { status: 'frozen' }, 'ACCOUNT_FROZEN'));
    it('declines a closed account', () => declinedBy('declined-account-closed', { status: 'closed' }, 'ACCOUNT_CLOSED'));
    it('declines a currency mismatch', () => declinedBy('declined-currency-mismatch', { currency: 'USD' }, 'CURRENCY_MISMATCH'));

    it('never lets two payments racing on one account both authorize beyond its funds', async () => {
      const first = await h.payment({ amount: 8_000 });
      const second = await h.payment({ amount: 8_000, accountId: first.accountId });
      await h.recordAccountState(h.accountState(first, { balance: 10_000 }));
      const handles = await Promise.all([h.start(first, {}, true), h.start(second, {}, true)]);
      const outcomes = await Promise.all(handles.map((handle) => handle.result()));
      assert.deepEqual(outcomes.map((o) => o.decision).sort(), ['AUTHORIZED', 'DECLINED']);
      assert.equal(outcomes.find((o) => o.decision === 'DECLINED')?.reason, 'INSUFFICIENT_FUNDS');
    });
  });

  describe('gateway', () => {
    it('retries a gateway that fails twice and authorizes exactly once', async () => {
      const payment = await h.payment();
      await h.recordAccountState(h.accountState(payment));
      h.faults.set({ next: ['fail', 'fail'] });
      const handle = await h.start(payment);
      const outcome = await handle.result();
      assert.equal(outcome.decision, 'AUTHORIZED');
      assert.deepEqual(await h.gatewayRecords(payment.paymentId), [
        { status: 'authorized', authorizationId: outcome.gatewayAuthorizationId },
      ]);
      assert.deepEqual(h.faults.current.next, [], 'both injected failures were hit');
      await h.keepHistory('authorized-after-two-gateway-failures', handle);
    });

    it('authorizes once when the gateway authorizes and drops its response', async () => {
      const payment = await h.payment();
      await h.recordAccountState(h.accountState(payment));
      h.faults.set({ next: ['drop-response'] });
      const handle = await h.start(payment);
      const outcome = await handle.result();
      assert.equal(outcome.decision, 'AUTHORIZED');
      const records = await h.gatewayRecords(payment.paymentId);
      assert.deepEqual(
        records,
        [{ status: 'authorized', authorizationId: outcome.gatewayAuthorizationId }],
        'the retry replayed the first authorization',
      );
      await h.keepHistory('authorized-after-dropped-response', handle);
    });

    it('declines on a hard decline and releases the funds', async () => {
      const payment = await h.payment();
      await h.recordAccountState(h.accountState(payment));
      h.faults.set({ declineAccountIds: [payment.accountId] });
      const handle = await h.start(payment);
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason], ['DECLINED', 'GATEWAY_DECLINED']);
      assert.deepEqual(await h.gatewayRecords(payment.paymentId), [{ status: 'declined', authorizationId: null }]);
      assert.deepEqual(await h.reservation(payment.paymentId), {
        status: 'released',
        forced: false,
        release_reason: 'GATEWAY_DECLINED',
      });
      await h.keepHistory('declined-gateway-hard-decline', handle);
    });

    it('compensates when the gateway stays down past its retry budget: voids, releases, declines', async () => {
      const payment = await h.payment();
      await h.recordAccountState(h.accountState(payment));
      // The first attempt authorizes and loses its answer; every retry then fails until the budget is spent.
      h.faults.set({ next: ['drop-response', ...Array<'fail'>(1_000).fill('fail')] });
      const handle = await h.start(payment, { gatewayRetryBudgetMs: 20_000 });
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason], ['DECLINED', 'GATEWAY_UNAVAILABLE']);
      const [record, ...others] = await h.gatewayRecords(payment.paymentId);
      assert.equal(others.length, 0);
      assert.equal(record?.status, 'voided', 'the authorization the gateway kept was voided');
      assert.deepEqual(await h.reservation(payment.paymentId), {
        status: 'released',
        forced: false,
        release_reason: 'GATEWAY_UNAVAILABLE',
      });
      assert.deepEqual(await h.ledger(payment.paymentId), []);
      await h.keepHistory('declined-gateway-down-compensated', handle);
    });

    it('declines when the gateway holds its attempts past the budget, and a late attempt authorizes nothing', async () => {
      const payment = await h.payment();
      await h.recordAccountState(h.accountState(payment));
      // The gateway holds each attempt far past the budget (two attempts of 2 s), then handles it anyway:
      // long after the saga gave up on it, voided and declined.
      h.faults.set({ latencyMs: 6_000 });
      const handle = await h.start(payment, { gatewayRequestTimeoutMs: 2_000, gatewayRetryBudgetMs: 3_000 });
      const outcome = await handle.result();
      assert.deepEqual([outcome.decision, outcome.reason], ['DECLINED', 'GATEWAY_UNAVAILABLE']);
      await h.gatewayIdle(); // every hung attempt has now reached the gateway's store
      assert.deepEqual(
        (await h.gatewayRecords(payment.paymentId)).map((r) => r.status),
        ['voided'],
        'no live authorization on a declined payment',
      );
      assert.deepEqual(await h.reservation(payment.paymentId), {
        status: 'released',
        forced: false,
        release_reason: 'GATEWAY_UNAVAILABLE',
      });
      await h.keepHistory('declined-gateway-hung-past-budget', handle);
    });
  });
});
