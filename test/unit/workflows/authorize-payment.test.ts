/**
 * Every path of the authorizePayment state machine on the time-skipping test server, with fake activities
 * typed from the real ones: the workflow's decisions, compensations, timers, search attributes and queries.
 * The same paths with the real activities, PostgreSQL and the gateway simulator: test/workflows/.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Override, PaymentRequest } from '../../../contracts/payment';
import { PaymentIdKey, PaymentStatusKey } from '../../../workflows/search-attributes';
import type { authorizePayment } from '../../../workflows';
import { accountStateSignal, overrideSignal, paymentWorkflowId, statusQuery, type PaymentState } from '../../../workflows/shared';
import { eventually } from '../../eventually';
import { Gate } from './fake-activities';
import { fakeSagaForSuite, historySummary, POLICY, type FakeSaga, type PaymentHandle } from './fake-saga-harness';

const override = (decision: Override['decision'], signalId = randomUUID()): Override => ({
  signalId,
  decision,
  operator: 'alice@ops',
  reason: `operator ${decision}s after a phone call`,
});

/** Asks the status query until the saga reaches `state` (a transition's step, if any, may still be running). */
const untilState = (handle: PaymentHandle, state: PaymentState) =>
  eventually(`the payment in ${state}`, async () => (await handle.query(statusQuery)).state === state);

/** What the saga did once the gateway's last attempt was made: its compensations and its decision. */
const stepsAfterGateway = (s: FakeSaga) => s.steps.slice(s.steps.lastIndexOf('authorizeAtGateway') + 1);

const elapsed = (from: string, to: string) => Date.parse(to) - Date.parse(from);

const searchAttributes = async (handle: PaymentHandle) => {
  const attributes = (await handle.describe()).typedSearchAttributes;
  // Nothing about the customer: search attributes are the one part of a saga the codec cannot encrypt. The
  // SDK's own TemporalChangeVersion holds the ids of the patches the saga went through.
  assert.deepEqual(
    attributes
      .getAll()
      .map((pair) => pair.key.name)
      .filter((name) => name !== 'TemporalChangeVersion')
      .sort(),
    [PaymentIdKey.name, PaymentStatusKey.name],
  );
  return [attributes.get(PaymentIdKey), attributes.get(PaymentStatusKey)];
};

describe('authorizePayment saga (time-skipping, fake activities)', function () {
  this.timeout(30_000);
  const h = fakeSagaForSuite();

  /** Starts a payment whose account state is already recorded, so it goes straight to the gateway. */
  const startFresh = async (s: FakeSaga, payment?: PaymentRequest, realTime = false) => {
    const p = payment ?? (await s.payment());
    s.db.recordAccountState(s.accountState(p));
    return { payment: p, handle: await s.start(p, {}, realTime) };
  };

  describe('account state', () => {
    it('decides at once when fresh state is already recorded', () =>
      h.run(async (s) => {
        const { payment, handle } = await startFresh(s);
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['AUTHORIZED', 'APPROVED', 'rules']);
        const history = historySummary(await handle.fetchHistory());
        assert.equal(history.timersStarted, 0, 'no timer had to fire');
        // One first step: the state was fresh, so the rules reserved in it (revision 2).
        assert.deepEqual(s.steps, ['beginOrReserve', 'authorizeAtGateway', 'recordDecision AUTHORIZED APPROVED']);
        assert.deepEqual(history.activities, ['authorizeAtGateway'], 'the database steps ran as local activities');
        assert.equal(history.localActivities, 2, 'beginOrReserve, recordDecision');
        assert.deepEqual(s.gateway.records.get(payment.paymentId), {
          status: 'authorized',
          authorizationId: outcome.gatewayAuthorizationId,
        });
        assert.equal(s.db.reservations.get(payment.paymentId)?.status, 'authorized');
        assert.deepEqual(
          s.db.outbox.map((e) => [e.event.paymentId, e.event.decision, e.event.amount]),
          [[payment.paymentId, 'AUTHORIZED', payment.amount]],
        );
        assert.equal(s.db.waits.size, 0, 'the wait ended with the decision');
        const status = await handle.query(statusQuery);
        assert.deepEqual([status.state, status.deadline, status.waitingFor], ['AUTHORIZED', undefined, undefined]);
        assert.deepEqual(status.outcome, outcome);
        assert.deepEqual(await searchAttributes(handle), [payment.paymentId, 'AUTHORIZED']);
      }));

    it('waits for fresh state, tells what it waits for, and decides on the signalled state', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        const handle = await s.start(payment);
        await s.db.waitStarted(payment.paymentId);
        const status = await handle.query(statusQuery);
        assert.equal(status.state, 'AWAITING_ACCOUNT_STATE');
        assert.deepEqual(status.waitingFor, { accountId: payment.accountId, asOfAtLeast: payment.requestedAt });
        assert.equal(status.accountState, undefined);
        assert.deepEqual(s.db.waits.get(payment.paymentId), { accountId: payment.accountId, asOfAtLeast: payment.requestedAt });
        const state = s.accountState(payment);
        await handle.signal(accountStateSignal, state);
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason], ['AUTHORIZED', 'APPROVED']);
        assert.deepEqual(s.db.accountStates.get(payment.accountId), state, 'the saga stored the state it decided on');
        assert.equal((await handle.query(statusQuery)).waitingFor, undefined);
      }));

    it('waits for state arriving an hour late and decides then', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        const handle = await s.start(payment, { accountStateDeadlineMs: 2 * 3_600_000 });
        await s.db.waitStarted(payment.paymentId);
        await s.env.sleep('1h');
        const status = await handle.query(statusQuery);
        assert.equal(status.state, 'AWAITING_ACCOUNT_STATE');
        assert.equal(status.deadline, new Date(Date.parse(payment.requestedAt) + 2 * 3_600_000).toISOString());
        const asOf = new Date(Date.parse(payment.requestedAt) + 3_600_000).toISOString();
        await handle.signal(accountStateSignal, s.accountState(payment, { asOf }));
        const outcome = await handle.result();
        assert.equal(outcome.decision, 'AUTHORIZED');
        assert.ok(elapsed(payment.requestedAt, outcome.decidedAt) >= 3_600_000, 'decided an hour later, in workflow time');
        assert.equal(historySummary(await handle.fetchHistory()).timersFired, 0, 'the deadline did not fire');
      }));

    it('ignores stale, duplicate and out-of-order states, and states of other accounts', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        const handle = await s.start(payment);
        await s.db.waitStarted(payment.paymentId);
        const stale = s.accountState(payment, {
          version: 5,
          asOf: new Date(Date.parse(payment.requestedAt) - 1).toISOString(),
          balance: 99_999,
        });
        await handle.signal(accountStateSignal, stale); // newest version, but older than the payment: not usable
        await handle.signal(accountStateSignal, s.accountState(payment, { version: 4 })); // fresh, but an older version
        await handle.signal(accountStateSignal, { ...stale }); // a duplicate of version 5
        await handle.signal(accountStateSignal, { ...stale, balance: 1 }); // version 5 again: not newer, so ignored
        await handle.signal(accountStateSignal, s.accountState(payment, { accountId: 'someone-else', version: 9 }));
        const status = await handle.query(statusQuery);
        assert.equal(status.state, 'AWAITING_ACCOUNT_STATE');
        assert.deepEqual(status.accountState, stale);
        await handle.signal(accountStateSignal, s.accountState(payment, { version: 6, balance: 1_000 }));
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason], ['DECLINED', 'INSUFFICIENT_FUNDS'], 'decided on version 6');
        assert.equal((await handle.query(statusQuery)).accountState?.version, 6);
        assert.deepEqual(s.gateway.attempts, []);
      }));

    it('waits on when the recorded state is older than the payment', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        s.db.recordAccountState(s.accountState(payment, { asOf: new Date(Date.parse(payment.requestedAt) - 1).toISOString() }));
        const handle = await s.start(payment);
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'ACCOUNT_STATE_TIMEOUT', 'timeout']);
        assert.equal((await handle.query(statusQuery)).accountState?.version, 1, 'it had the recorded state');
      }));
  });

  describe('deadlines', () => {
    it('declines with ACCOUNT_STATE_TIMEOUT at the deadline, reserving nothing and calling no gateway', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        const handle = await s.start(payment, { accountStateDeadlineMs: 30_000 });
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'ACCOUNT_STATE_TIMEOUT', 'timeout']);
        assert.ok(elapsed(payment.requestedAt, outcome.decidedAt) >= 30_000);
        assert.equal(historySummary(await handle.fetchHistory()).timersFired, 1);
        assert.deepEqual(s.gateway.attempts, []);
        assert.equal(s.db.reservations.size, 0);
        assert.deepEqual(
          s.db.outbox.map((e) => e.event.reason),
          ['ACCOUNT_STATE_TIMEOUT'],
        );
        assert.equal(s.db.waits.size, 0);
        assert.deepEqual(await searchAttributes(handle), [payment.paymentId, 'DECLINED']);
      }));

    it('moves to review at the deadline, and an operator approves beyond the funds', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        const policy = { timeoutPolicy: 'review', accountStateDeadlineMs: 30_000, reviewDeadlineMs: 3_600_000 } as const;
        const handle = await s.start(payment, policy);
        await s.db.waitStarted(payment.paymentId);
        await s.env.sleep('31s');
        await untilState(handle, 'PENDING_REVIEW');
        const status = await handle.query(statusQuery);
        assert.ok(status.deadline, 'review has its deadline');
        assert.ok(elapsed(payment.requestedAt, status.deadline) >= 30_000 + 3_600_000, 'an hour after the first deadline');
        assert.equal((await searchAttributes(handle))[1], 'PENDING_REVIEW');
        const approval = override('approve');
        await handle.signal(overrideSignal, approval);
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['AUTHORIZED', 'OPERATOR_APPROVED', 'operator']);
        assert.equal(outcome.exceededAvailableFunds, true, 'no snapshot allowed it: the decision says the operator went beyond');
        assert.deepEqual(s.gateway.attempts, [payment.paymentId], 'an approval still goes through the gateway');
        assert.equal(s.db.reservations.get(payment.paymentId)?.forced, true);
        assert.deepEqual(
          s.db.audit.map((a) => [a.signalId, a.outcome]),
          [[approval.signalId, 'applied']],
        );
        assert.deepEqual((await handle.query(statusQuery)).override, approval);
        assert.ok(s.db.reviews.has(payment.paymentId), 'the timeline shows the review');
      }));

    it('decides by the rules on fresh state that arrives during review', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        const handle = await s.start(payment, { timeoutPolicy: 'review' });
        await s.db.waitStarted(payment.paymentId);
        await s.env.sleep('31s');
        await untilState(handle, 'PENDING_REVIEW');
        await handle.signal(accountStateSignal, s.accountState(payment));
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['AUTHORIZED', 'APPROVED', 'rules']);
        assert.equal(outcome.exceededAvailableFunds, undefined);
      }));

    it('declines with REVIEW_EXPIRED when review ends without a decision', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        const handle = await s.start(payment, {
          timeoutPolicy: 'review',
          accountStateDeadlineMs: 30_000,
          reviewDeadlineMs: 3_600_000,
        });
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'REVIEW_EXPIRED', 'timeout']);
        assert.ok(elapsed(payment.requestedAt, outcome.decidedAt) >= 30_000 + 3_600_000);
        assert.equal(historySummary(await handle.fetchHistory()).timersFired, 2);
        assert.deepEqual(s.gateway.attempts, []);
      }));
  });

  describe('operator overrides', () => {
    it('approves while waiting for account state', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        const handle = await s.start(payment);
        await s.db.waitStarted(payment.paymentId);
        const approval = override('approve');
        await handle.signal(overrideSignal, approval);
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['AUTHORIZED', 'OPERATOR_APPROVED', 'operator']);
        assert.equal(s.gateway.records.get(payment.paymentId)?.authorizationId, outcome.gatewayAuthorizationId);
        assert.deepEqual(
          s.db.audit.map((a) => [a.signalId, a.outcome, a.operator]),
          [[approval.signalId, 'applied', 'alice@ops']],
        );
      }));

    it('declines while waiting for account state, without reserving or calling the gateway', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        const handle = await s.start(payment);
        await s.db.waitStarted(payment.paymentId);
        await handle.signal(overrideSignal, override('decline'));
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'OPERATOR_DECLINED', 'operator']);
        assert.deepEqual(s.gateway.attempts, []);
        assert.equal(s.db.reservations.size, 0);
        assert.deepEqual(
          s.db.audit.map((a) => a.outcome),
          ['applied'],
        );
      }));

    /** Starts a payment and holds the gateway's answer: the saga is AUTHORIZING until the gate opens. */
    const authorizing = async (s: FakeSaga) => {
      s.gateway.answerGate = new Gate();
      const { payment, handle } = await startFresh(s, undefined, true);
      await s.gateway.attempted(payment.paymentId);
      assert.equal((await handle.query(statusQuery)).state, 'AUTHORIZING');
      return { payment, handle, answer: () => s.gateway.answerGate!.open() };
    };

    it('declines during AUTHORIZING: once the gateway authorizes, voids, releases and declines', () =>
      h.run(async (s) => {
        const { payment, handle, answer } = await authorizing(s);
        const decline = override('decline');
        await handle.signal(overrideSignal, decline);
        answer();
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'OPERATOR_DECLINED', 'operator']);
        assert.equal(outcome.gatewayAuthorizationId, undefined);
        const record = s.gateway.records.get(payment.paymentId);
        assert.equal(record?.status, 'voided', 'the authorization the gateway made was voided');
        assert.ok(record?.authorizationId, 'it had authorized before the void');
        assert.deepEqual(stepsAfterGateway(s), [
          'recordedDecision',
          'voidAtGateway',
          'releaseFunds OPERATOR_DECLINED',
          'recordDecision DECLINED OPERATOR_DECLINED',
          'recordOverride applied',
        ]);
        assert.deepEqual(
          [s.db.reservations.get(payment.paymentId)?.status, s.db.reservations.get(payment.paymentId)?.releaseReason],
          ['released', 'OPERATOR_DECLINED'],
        );
        assert.deepEqual(
          s.db.outbox.map((e) => e.event.decision),
          ['DECLINED'],
        );
        assert.deepEqual(
          s.db.audit.map((a) => [a.signalId, a.outcome]),
          [[decline.signalId, 'applied']],
        );
        assert.deepEqual((await handle.query(statusQuery)).override, decline);
        // Its revision runs the change without a patch marker; histories recorded with one replay (replay.test.ts).
        assert.deepEqual(historySummary(await handle.fetchHistory()).patches, []);
      }));

    it('lets a gateway decline stand over a decline sent during AUTHORIZING, and audits it as not applied', () =>
      h.run(async (s) => {
        s.gateway.answer('decline');
        const { payment, handle, answer } = await authorizing(s);
        const decline = override('decline');
        await handle.signal(overrideSignal, decline);
        answer();
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'GATEWAY_DECLINED', 'rules']);
        assert.equal(s.db.reservations.get(payment.paymentId)?.releaseReason, 'GATEWAY_DECLINED');
        assert.deepEqual(
          stepsAfterGateway(s),
          ['releaseFunds GATEWAY_DECLINED', 'recordDecision DECLINED GATEWAY_DECLINED', 'recordOverride ignored_already_decided'],
          'a decline holds nothing to void',
        );
        assert.deepEqual(
          s.db.audit.map((a) => [a.signalId, a.outcome]),
          [[decline.signalId, 'ignored_already_decided']],
        );
      }));

    it('ignores an approval during AUTHORIZING: authorized by the rules, audited as ignored', () =>
      h.run(async (s) => {
        const { payment, handle, answer } = await authorizing(s);
        const approval = override('approve');
        await handle.signal(overrideSignal, approval);
        answer();
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['AUTHORIZED', 'APPROVED', 'rules']);
        assert.equal(s.gateway.records.get(payment.paymentId)?.status, 'authorized');
        assert.equal(s.db.reservations.get(payment.paymentId)?.forced, false);
        assert.deepEqual(
          s.db.audit.map((a) => [a.signalId, a.outcome]),
          [[approval.signalId, 'ignored_already_decided']],
        );
        // Once closed, the workflow takes no signal at all.
        await assert.rejects(handle.signal(overrideSignal, override('decline')), /completed|not found/i);
      }));

    it('ignores an override that arrives while the decision is being recorded', () =>
      h.run(async (s) => {
        s.db.decisionGate = new Gate();
        const { payment, handle } = await startFresh(s, undefined, true);
        await s.db.decisionStarted(payment.paymentId);
        const decline = override('decline');
        await handle.signal(overrideSignal, decline);
        s.db.decisionGate.open();
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason], ['AUTHORIZED', 'APPROVED']);
        assert.deepEqual(s.gateway.voids, []);
        assert.deepEqual(
          s.db.audit.map((a) => [a.signalId, a.outcome]),
          [[decline.signalId, 'ignored_already_decided']],
          'audited before the workflow closed',
        );
      }));

    // Signals reach a saga between workflow tasks: one sent while the first task's local activities run is seen once
    // that task has scheduled the gateway call (or decided), as it was when the first step was two local activities.
    it('a decline sent while the first step reserves is a decline during AUTHORIZING: voided, released, declined', () =>
      h.run(async (s) => {
        s.db.firstStepGate = new Gate();
        const { payment, handle } = await startFresh(s, undefined, true);
        await s.db.reservedInFirstStep(payment.paymentId);
        const decline = override('decline');
        await handle.signal(overrideSignal, decline);
        s.db.firstStepGate.open();
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'OPERATOR_DECLINED', 'operator']);
        assert.equal(s.gateway.records.get(payment.paymentId)?.status, 'voided');
        assert.deepEqual(
          [s.db.reservations.get(payment.paymentId)?.status, s.db.reservations.get(payment.paymentId)?.releaseReason],
          ['released', 'OPERATOR_DECLINED'],
        );
        assert.deepEqual(
          s.db.audit.map((a) => [a.signalId, a.outcome]),
          [[decline.signalId, 'applied']],
        );
      }));

    it('an approval sent while the first step reserves changes nothing: the rules authorize on their hold', () =>
      h.run(async (s) => {
        s.db.firstStepGate = new Gate();
        const { payment, handle } = await startFresh(s, undefined, true);
        await s.db.reservedInFirstStep(payment.paymentId);
        const approval = override('approve');
        await handle.signal(overrideSignal, approval);
        s.db.firstStepGate.open();
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['AUTHORIZED', 'APPROVED', 'rules']);
        assert.equal(s.db.reservations.get(payment.paymentId)?.status, 'authorized');
        assert.ok(!s.steps.includes('reserveFunds'), 'one hold: the first step’s');
        assert.deepEqual(
          s.db.audit.map((a) => [a.signalId, a.outcome]),
          [[approval.signalId, 'ignored_already_decided']],
        );
      }));

    it('an approval sent while the first step finds the funds short comes after the decline, which stands', () =>
      h.run(async (s) => {
        s.db.firstStepGate = new Gate();
        const payment = await s.payment();
        s.db.recordAccountState({ ...s.accountState(payment), balance: payment.amount - 1 });
        const handle = await s.start(payment, {}, true);
        await s.db.reservedInFirstStep(payment.paymentId);
        await handle.signal(overrideSignal, override('approve'));
        s.db.firstStepGate.open();
        // The task that declined could not close the saga past the signal: the next one took the approval, and adopted
        // the decline its predecessor had recorded (a decision stands once recorded).
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'INSUFFICIENT_FUNDS', 'rules']);
        assert.equal(s.db.reservations.get(payment.paymentId), undefined, 'nothing held');
        assert.deepEqual(
          s.db.outbox.map((e) => e.event.decision),
          ['DECLINED'],
        );
        assert.equal(s.gateway.records.get(payment.paymentId), undefined, 'the gateway was never called');
      }));

    it('applies a duplicate override signal once', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        const handle = await s.start(payment);
        await s.db.waitStarted(payment.paymentId);
        const decline = override('decline');
        await handle.signal(overrideSignal, decline);
        await handle.signal(overrideSignal, decline);
        await handle.signal(overrideSignal, { ...decline, decision: 'approve' }); // same id: the same override
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason], ['DECLINED', 'OPERATOR_DECLINED']);
        assert.equal(s.db.audit.length, 1);
        const history = historySummary(await handle.fetchHistory());
        assert.equal(history.signals, 3, 'all three were delivered; one applied');
        assert.equal(history.localActivities, 3, 'beginWaiting, one recordOverride, recordDecision');
      }));
  });

  describe('rules', () => {
    const declinedBy = (state: Parameters<FakeSaga['accountState']>[1], reason: string) =>
      h.run(async (s) => {
        const payment = await s.payment();
        s.db.recordAccountState(s.accountState(payment, state));
        const handle = await s.start(payment);
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', reason, 'rules']);
        assert.deepEqual(s.gateway.attempts, []);
        assert.equal(s.db.reservations.size, 0, 'nothing reserved');
        assert.deepEqual(
          s.db.outbox.map((e) => e.event.reason),
          [reason],
        );
      });

    it('declines for insufficient funds', () => declinedBy({ balance: 2_499 }, 'INSUFFICIENT_FUNDS'));
    it('declines a frozen account', () => declinedBy({ status: 'frozen' }, 'ACCOUNT_FROZEN'));
    it('declines a closed account', () => declinedBy({ status: 'closed' }, 'ACCOUNT_CLOSED'));
    it('declines a currency mismatch', () => declinedBy({ currency: 'USD' }, 'CURRENCY_MISMATCH'));
  });

  describe('gateway', () => {
    it('retries a gateway that fails twice and authorizes exactly once', () =>
      h.run(async (s) => {
        s.gateway.answer('fail', 'fail');
        const { payment, handle } = await startFresh(s);
        const outcome = await handle.result();
        assert.equal(outcome.decision, 'AUTHORIZED');
        assert.equal(s.gateway.attempts.length, 3);
        assert.deepEqual(s.gateway.records.get(payment.paymentId), {
          status: 'authorized',
          authorizationId: outcome.gatewayAuthorizationId,
        });
      }));

    it('authorizes once when the gateway authorizes and drops its response', () =>
      h.run(async (s) => {
        s.gateway.answer('drop-response');
        const { payment, handle } = await startFresh(s);
        const outcome = await handle.result();
        assert.equal(outcome.decision, 'AUTHORIZED');
        assert.equal(s.gateway.attempts.length, 2);
        assert.deepEqual(
          [...s.gateway.records.values()],
          [{ status: 'authorized', authorizationId: outcome.gatewayAuthorizationId }],
          'the retry replayed the first authorization',
        );
        assert.equal(s.db.reservations.get(payment.paymentId)?.status, 'authorized');
      }));

    it('declines on a hard decline and releases the funds, voiding nothing', () =>
      h.run(async (s) => {
        s.gateway.answer('decline');
        const { payment, handle } = await startFresh(s);
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'GATEWAY_DECLINED', 'rules']);
        assert.deepEqual(s.gateway.records.get(payment.paymentId), { status: 'declined', authorizationId: null });
        assert.deepEqual(stepsAfterGateway(s), ['releaseFunds GATEWAY_DECLINED', 'recordDecision DECLINED GATEWAY_DECLINED']);
        assert.deepEqual(
          [s.db.reservations.get(payment.paymentId)?.status, s.db.reservations.get(payment.paymentId)?.releaseReason],
          ['released', 'GATEWAY_DECLINED'],
        );
      }));

    it('compensates when the gateway stays down past its retry budget: voids, releases, declines', () =>
      h.run(async (s) => {
        // The first attempt authorizes and loses its answer; every retry then fails until the budget is spent.
        s.gateway.answer('drop-response', ...Array<'fail'>(1_000).fill('fail'));
        const payment = await s.payment();
        s.db.recordAccountState(s.accountState(payment));
        const handle = await s.start(payment, { gatewayRetryBudgetMs: 20_000 });
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'GATEWAY_UNAVAILABLE', 'rules']);
        assert.ok(s.gateway.attempts.length > 2, `${s.gateway.attempts.length} attempts within the budget`);
        assert.deepEqual(
          stepsAfterGateway(s),
          ['voidAtGateway', 'releaseFunds GATEWAY_UNAVAILABLE', 'recordDecision DECLINED GATEWAY_UNAVAILABLE'],
          'void first, then release',
        );
        const record = s.gateway.records.get(payment.paymentId);
        assert.equal(record?.status, 'voided', 'the authorization the gateway kept was voided');
        assert.ok(record?.authorizationId);
        assert.deepEqual(
          [s.db.reservations.get(payment.paymentId)?.status, s.db.reservations.get(payment.paymentId)?.releaseReason],
          ['released', 'GATEWAY_UNAVAILABLE'],
        );
        assert.deepEqual(
          s.db.outbox.map((e) => e.event.decision),
          ['DECLINED'],
        );
      }));

    it('compensates at once when the gateway rejects the request: no retry', () =>
      h.run(async (s) => {
        s.gateway.answer('reject');
        const { payment, handle } = await startFresh(s);
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason], ['DECLINED', 'GATEWAY_UNAVAILABLE']);
        assert.deepEqual(s.gateway.attempts, [payment.paymentId]);
        assert.deepEqual(stepsAfterGateway(s), [
          'voidAtGateway',
          'releaseFunds GATEWAY_UNAVAILABLE',
          'recordDecision DECLINED GATEWAY_UNAVAILABLE',
        ]);
        assert.equal(s.db.reservations.get(payment.paymentId)?.releaseReason, 'GATEWAY_UNAVAILABLE');
      }));

    it('declines when the gateway holds its attempt past the budget, and the late attempt authorizes nothing', () =>
      h.run(async (s) => {
        s.gateway.answer('hang');
        const payment = await s.payment();
        s.db.recordAccountState(s.accountState(payment));
        // The test server skips no time while an activity runs: the attempt's timeout passes in real time, so
        // it is kept short (one second with the activity's margin), and the budget holds that one attempt.
        const handle = await s.start(payment, { gatewayRequestTimeoutMs: 1, gatewayRetryBudgetMs: 1_001 });
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason], ['DECLINED', 'GATEWAY_UNAVAILABLE']);
        assert.deepEqual(stepsAfterGateway(s), [
          'voidAtGateway',
          'releaseFunds GATEWAY_UNAVAILABLE',
          'recordDecision DECLINED GATEWAY_UNAVAILABLE',
        ]);
        s.gateway.releaseHung();
        await s.gateway.settled();
        assert.deepEqual(
          s.gateway.records.get(payment.paymentId),
          { status: 'voided', authorizationId: null },
          'no live authorization on a declined payment',
        );
        assert.equal(s.db.reservations.get(payment.paymentId)?.releaseReason, 'GATEWAY_UNAVAILABLE');
      }));
  });

  describe('a decision recorded by a lost workflow task', () => {
    it('stands: the saga adopts it and reserves nothing, calls no gateway', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        s.db.recordAccountState(s.accountState(payment));
        // What a timeout decline leaves behind when its task is lost before it completes the workflow.
        const { requestedAt, ...request } = payment;
        await s.db.activities().recordDecision({
          eventId: randomUUID(),
          event: {
            ...request,
            decision: 'DECLINED',
            reason: 'ACCOUNT_STATE_TIMEOUT',
            decidedBy: 'timeout',
            decidedAt: requestedAt,
          },
        });
        const handle = await s.start(payment);
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['DECLINED', 'ACCOUNT_STATE_TIMEOUT', 'timeout']);
        assert.equal(outcome.decidedAt, requestedAt);
        assert.deepEqual(s.gateway.attempts, []);
        assert.equal(s.db.reservations.size, 0);
        assert.equal(s.db.outbox.length, 1, 'one decided event');
        assert.equal((await handle.query(statusQuery)).state, 'DECLINED');
      }));

    it('a decline releases a hold made on a path the saga left', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        s.db.recordAccountState(s.accountState(payment));
        // A reservation made by a task that was lost; the retried task took an operator's decline instead.
        await s.db.activities().reserveFunds({ ...payment, snapshot: undefined, force: false });
        const handle = await s.start(payment, { accountStateDeadlineMs: 3_600_000 });
        await handle.signal(overrideSignal, override('decline'));
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason], ['DECLINED', 'OPERATOR_DECLINED']);
        assert.deepEqual(
          [s.db.reservations.get(payment.paymentId)?.status, s.db.reservations.get(payment.paymentId)?.releaseReason],
          ['released', 'OPERATOR_DECLINED'],
        );
      }));

    it('stands over a different decision of the saga: outcome, status and search attribute follow it', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        // A task that authorized, recorded it and was lost; the retried task took an operator's decline instead.
        const { requestedAt, ...request } = payment;
        await s.db.activities().recordDecision({
          eventId: randomUUID(),
          event: { ...request, decision: 'AUTHORIZED', reason: 'APPROVED', decidedBy: 'rules', decidedAt: requestedAt },
        });
        const handle = await s.start(payment);
        await s.db.waitStarted(payment.paymentId);
        await handle.signal(overrideSignal, override('decline'));
        const outcome = await handle.result();
        assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['AUTHORIZED', 'APPROVED', 'rules']);
        assert.equal((await handle.query(statusQuery)).state, 'AUTHORIZED');
        assert.equal((await searchAttributes(handle))[1], 'AUTHORIZED');
        assert.equal(s.db.outbox.length, 1, 'one decided event: the first');
      }));

    it('an authorization it recorded stands over a decline sent during AUTHORIZING: nothing is voided', () =>
      h.run(async (s) => {
        s.gateway.answerGate = new Gate();
        const { payment, handle } = await startFresh(s, undefined, true);
        await s.gateway.attempted(payment.paymentId);
        const decline = override('decline');
        await handle.signal(overrideSignal, decline);
        // A task that had the gateway's answer, recorded the authorization and was lost before this decline.
        const { requestedAt, ...request } = payment;
        await s.db.activities().recordDecision({
          eventId: randomUUID(),
          event: {
            ...request,
            decision: 'AUTHORIZED',
            reason: 'APPROVED',
            decidedBy: 'rules',
            gatewayAuthorizationId: 'auth-1',
            decidedAt: requestedAt,
          },
        });
        s.gateway.answerGate.open();
        const outcome = await handle.result();
        assert.deepEqual(
          [outcome.decision, outcome.reason, outcome.gatewayAuthorizationId],
          ['AUTHORIZED', 'APPROVED', 'auth-1'],
        );
        assert.deepEqual(s.gateway.voids, []);
        assert.equal(s.gateway.records.get(payment.paymentId)?.status, 'authorized');
        assert.equal(s.db.outbox.length, 1);
        assert.deepEqual(
          s.db.audit.map((a) => [a.signalId, a.outcome]),
          [[decline.signalId, 'ignored_already_decided']],
        );
      }));
  });

  describe('history, search attributes and patches', () => {
    it('keeps an authorized payment to one activity, two status upserts, no patch marker and at most 22 history events', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        const handle = await s.start(payment);
        await s.db.waitStarted(payment.paymentId);
        await handle.signal(accountStateSignal, s.accountState(payment));
        assert.equal((await handle.result()).decision, 'AUTHORIZED');
        const history = historySummary(await handle.fetchHistory());
        assert.deepEqual(history.activities, ['authorizeAtGateway'], 'only the gateway call is an activity');
        assert.equal(history.localActivities, 3, 'beginWaiting, reserveFunds, recordDecision');
        assert.equal(history.statusUpserts, 2, 'AUTHORIZING, then AUTHORIZED: the start set the rest');
        assert.ok(history.events <= 22, `${history.events} history events`);
        assert.deepEqual(history.patches, [], 'a saga started with a revision records no patch marker (nor its upsert)');
        assert.equal(history.upserts, 2, 'no TemporalChangeVersion upsert either');
        assert.deepEqual(await searchAttributes(handle), [payment.paymentId, 'AUTHORIZED']);
      }));

    it('sets its own search attributes when its start did not', () =>
      h.run(async (s) => {
        const payment = await s.payment();
        s.db.recordAccountState(s.accountState(payment));
        const handle = await s.env.client.workflow.start<typeof authorizePayment>('authorizePayment', {
          workflowId: paymentWorkflowId(payment.paymentId),
          taskQueue: s.taskQueue,
          args: [{ payment, policy: POLICY }],
        });
        await handle.result();
        assert.deepEqual(await searchAttributes(handle), [payment.paymentId, 'AUTHORIZED']);
        const history = historySummary(await handle.fetchHistory());
        assert.equal(history.statusUpserts, 3, 'AWAITING_ACCOUNT_STATE, AUTHORIZING, AUTHORIZED');
        // Started without a revision, as a starter of older code does: the saga takes its changes by patch markers.
        assert.deepEqual(history.patches, ['local-database-steps']);
      }));
  });
});
