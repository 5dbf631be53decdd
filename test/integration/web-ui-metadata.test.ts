/**
 * What the Temporal Web UI shows of a saga started by either starter, on the real engines: the bridge (from
 * Kafka) and the api's override when the bridge has not started the saga yet (signalWithStart).
 */
import assert from 'node:assert/strict';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { paymentWorkflowId } from '../../workflows/shared';
import { eventually } from '../eventually';
import { pipelineForSuite, TOKENS } from './pipeline-harness';

describe('sagas in the Temporal Web UI: summary and current details (real engines)', function () {
  this.timeout(60_000);
  const h = pipelineForSuite();

  const saga = (paymentId: string) => h.client.workflow.getHandle(paymentWorkflowId(paymentId));
  const currentDetails = async (paymentId: string) =>
    (await saga(paymentId).query(workflowMetadataQuery)).currentDetails ?? '';

  it('the bridge starts a saga with its summary; its details say what it waits for, then its decision', async () => {
    const accountId = h.accountId();
    const paymentId = await h.submit({ accountId, merchantId: 'm-1', amount: 1_250, currency: 'EUR' });
    const waiting = await eventually('the saga waiting until its deadline', async () => {
      const details = await currentDetails(paymentId).catch(() => '');
      return details.startsWith('**AWAITING_ACCOUNT_STATE**') && details.includes('until') && details;
    });
    assert.match(waiting, new RegExp(`waiting for account state of ${accountId} as of \\S+ or later\\nuntil \\S+, then `));
    assert.equal(await (await saga(paymentId).describe()).staticSummary(), `12.50 EUR · ${accountId} → m-1`);

    await h.publishAccountStates(h.accountState(accountId));
    const decided = await h.decision(paymentId);
    await saga(paymentId).result();
    assert.match(await currentDetails(paymentId), new RegExp(`^\\*\\*AUTHORIZED\\*\\* \\(APPROVED\\) by rules at ${decided.decidedAt}`));
  });

  it("the api's override starts a saga the bridge has not started with the same summary", async () => {
    // A payment the read model knows and no saga yet: its request has not reached the bridge.
    const payment = h.paymentRequest(h.accountId(), { amount: 500, currency: 'JPY', merchantId: 'm-2' });
    await h.pool.query(
      `insert into payments (payment_id, account_id, merchant_id, amount, currency, requested_at, status)
       values ($1, $2, $3, $4, $5, $6, 'RECEIVED')`,
      [payment.paymentId, payment.accountId, payment.merchantId, payment.amount, payment.currency, payment.requestedAt],
    );
    const res = await h.post(
      `/payments/${payment.paymentId}/override`,
      { decision: 'decline', reason: 'confirmed with the customer' },
      { authorization: `Bearer ${TOKENS.operator}` },
    );
    assert.equal(res.status, 202);
    await saga(payment.paymentId).result();
    assert.equal(await (await saga(payment.paymentId).describe()).staticSummary(), `500 JPY · ${payment.accountId} → m-2`);
    assert.match(await currentDetails(payment.paymentId), /^\*\*DECLINED\*\* \(OPERATOR_DECLINED\) by operator alice at /);
  });
});
