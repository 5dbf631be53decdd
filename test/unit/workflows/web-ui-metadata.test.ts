/**
 * What the Temporal Web UI and CLI show of a saga: the summary and fixed details it was started with, and the
 * current details it keeps up to date (read through the SDK's metadata query, as the Web UI does), on the
 * time-skipping test server with fake activities.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { accountStateSignal, overrideSignal } from '../../../workflows/shared';
import { eventually } from '../../eventually';
import { fakeSagaForSuite, type PaymentHandle } from './fake-saga-harness';

/** The saga's current details, as the Web UI asks for them. */
const currentDetails = async (handle: PaymentHandle) => (await handle.query(workflowMetadataQuery)).currentDetails ?? '';

/** Asks until the current details contain every one of `parts`: a wait ends in its own workflow task. */
const untilDetails = (handle: PaymentHandle, ...parts: string[]) =>
  eventually(`current details with ${parts.join(', ')}`, async () => {
    const details = await currentDetails(handle);
    return parts.every((p) => details.includes(p)) && details;
  });

describe('authorizePayment in the Temporal Web UI (time-skipping, fake activities)', function () {
  this.timeout(30_000);
  const h = fakeSagaForSuite();

  it('is started with a summary in major units (amount, currency, account, merchant) and fixed details', () =>
    h.run(async (s) => {
      const payment = await s.payment({ amount: 1_250, currency: 'EUR', merchantId: 'm-1' });
      s.db.recordAccountState(s.accountState(payment));
      const handle = await s.start(payment, { accountStateDeadlineMs: 30_000, timeoutPolicy: 'decline' });
      const description = await handle.describe();
      assert.equal(await description.staticSummary(), `12.50 EUR · ${payment.accountId} → m-1`);
      assert.equal(
        await description.staticDetails(),
        `payment ${payment.paymentId}, requested at ${payment.requestedAt}\nwaits up to 30 s for account state, then declines`,
      );
      await handle.result();
    }));

  it('shows what it waits for and until when, then the decision by the rules', () =>
    h.run(async (s) => {
      const payment = await s.payment();
      const handle = await s.start(payment, { accountStateDeadlineMs: 30_000, timeoutPolicy: 'decline' });
      await s.db.waitStarted(payment.paymentId);
      const deadline = new Date(Date.parse(payment.requestedAt) + 30_000).toISOString();
      const waiting = await untilDetails(handle, 'until');
      assert.equal(
        waiting,
        `**AWAITING_ACCOUNT_STATE**: waiting for account state of ${payment.accountId} as of ${payment.requestedAt} or later\n` +
          `until ${deadline}, then declines (ACCOUNT_STATE_TIMEOUT)`,
      );
      const stale = s.accountState(payment, { version: 2, asOf: new Date(Date.parse(payment.requestedAt) - 1).toISOString() });
      await handle.signal(accountStateSignal, stale);
      await untilDetails(handle, `latest account state: version 2 as of ${stale.asOf}, too old`);
      await handle.signal(accountStateSignal, s.accountState(payment, { version: 3 }));
      const outcome = await handle.result();
      assert.equal(
        await currentDetails(handle),
        `**AUTHORIZED** (APPROVED) by rules at ${outcome.decidedAt}, gateway authorization ${outcome.gatewayAuthorizationId}`,
      );
    }));

  it('shows the review and its deadline, then the operator who approved', () =>
    h.run(async (s) => {
      const payment = await s.payment();
      const handle = await s.start(payment, {
        timeoutPolicy: 'review',
        accountStateDeadlineMs: 30_000,
        reviewDeadlineMs: 3_600_000,
      });
      await s.db.waitStarted(payment.paymentId);
      assert.match(await untilDetails(handle, 'until'), /then goes to review$/);
      await s.env.sleep('31s');
      const review = await untilDetails(handle, '**PENDING_REVIEW**');
      const until = /until (\S+), then declines \(REVIEW_EXPIRED\)$/.exec(review)?.[1];
      assert.ok(until, review);
      assert.ok(Date.parse(until) - Date.parse(payment.requestedAt) >= 30_000 + 3_600_000, 'an hour after the first deadline');
      assert.match(review, /^\*\*PENDING_REVIEW\*\*: waiting for an operator's approve or decline, or account state of /);
      await handle.signal(overrideSignal, {
        signalId: randomUUID(),
        decision: 'approve',
        operator: 'alice@ops',
        reason: 'called the bank',
      });
      const outcome = await handle.result();
      assert.equal(
        await currentDetails(handle),
        `**AUTHORIZED** (OPERATOR_APPROVED) by operator alice@ops at ${outcome.decidedAt}, ` +
          `gateway authorization ${outcome.gatewayAuthorizationId}, beyond the available funds`,
      );
    }));
});
