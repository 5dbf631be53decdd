/**
 * Operator overrides over REST (DESIGN.md §4, §7.7): every applied override has its own audit row, whatever
 * Idempotency-Key the operator reuses, and the 202 tells the operator the saga's state and what will happen.
 * Real PostgreSQL, Kafka and Temporal.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { paymentWorkflowId, statusQuery } from '../../workflows/shared';
import { eventually } from '../eventually';
import { pipelineForSuite, TOKENS } from './pipeline-harness';

interface OverrideAccepted {
  paymentId: string;
  signalId: string;
  status: string;
  state: string | null;
  detail: string;
}

describe('operator overrides: audit and answer (real engines)', function () {
  this.timeout(60_000);
  const h = pipelineForSuite();
  afterEach(() => void h.faults.set({}));

  const override = (paymentId: string, decision: 'approve' | 'decline', key?: string) =>
    h.post(
      `/payments/${paymentId}/override`,
      { decision, reason: 'confirmed with the customer' },
      { authorization: `Bearer ${TOKENS.operator}`, ...(key ? { 'idempotency-key': key } : {}) },
    );
  const waiting = (paymentId: string) =>
    eventually(
      `payment ${paymentId} waiting`,
      async () => (await h.pool.query('select 1 from payment_waits where payment_id = $1', [paymentId])).rowCount === 1,
    );
  const audit = async (paymentId: string) =>
    (
      await h.pool.query<{ payment_id: string; operator: string; outcome: string }>(
        'select payment_id, operator, outcome from operator_audit where payment_id = $1 order by id',
        [paymentId],
      )
    ).rows;
  const auditApplied = (paymentId: string) =>
    eventually(`override of ${paymentId} audited as applied`, async () => {
      const rows = await audit(paymentId);
      return rows.some((r) => r.outcome === 'applied') && rows;
    });

  it('audits an override per payment when one operator reuses one Idempotency-Key on two payments', async () => {
    const key = randomUUID();
    const first = await h.submit({ accountId: h.accountId() });
    const second = await h.submit({ accountId: h.accountId() });
    await Promise.all([waiting(first), waiting(second)]);

    for (const paymentId of [first, second]) {
      assert.equal((await override(paymentId, 'approve', key)).status, 202);
      const decided = await h.decision(paymentId);
      assert.deepEqual([decided.decision, decided.reason, decided.decidedBy], ['AUTHORIZED', 'OPERATOR_APPROVED', 'operator']);
    }
    assert.deepEqual(await auditApplied(first), [{ payment_id: first, operator: 'alice', outcome: 'applied' }]);
    assert.deepEqual(await auditApplied(second), [{ payment_id: second, operator: 'alice', outcome: 'applied' }]);
  });

  it("answers 409 for a payment decided behind the read model's back without touching another payment's audit row", async () => {
    const key = randomUUID();
    const overridden = await h.submit({ accountId: h.accountId() });
    await waiting(overridden);
    assert.equal((await override(overridden, 'decline', key)).status, 202);
    await h.decision(overridden);
    await auditApplied(overridden);

    const accountId = h.accountId();
    await h.publishAccountStates(h.accountState(accountId));
    const decided = await h.submit({ accountId });
    await h.decision(decided);
    await h.client.workflow.getHandle(paymentWorkflowId(decided)).result(); // the saga has closed
    await eventually('read model decided', async () => {
      const { rows } = await h.pool.query('select decision from payments where payment_id = $1', [decided]);
      return rows[0]?.decision;
    });
    // The read model lags behind the saga: the api takes the payment for undecided and signals a closed saga.
    await h.pool.query(`update payments set status = 'RECEIVED', decision = null where payment_id = $1`, [decided]);
    assert.equal((await override(decided, 'decline', key)).status, 409);

    assert.deepEqual(await audit(overridden), [{ payment_id: overridden, operator: 'alice', outcome: 'applied' }]);
    assert.deepEqual(await audit(decided), [{ payment_id: decided, operator: 'alice', outcome: 'rejected_already_decided' }]);
  });

  it("answers a payment waiting for account state with the saga's state after the override and what happens", async () => {
    const paymentId = await h.submit({ accountId: h.accountId() });
    await waiting(paymentId);
    const res = await override(paymentId, 'decline');
    assert.equal(res.status, 202);
    const body = (await res.json()) as OverrideAccepted;
    assert.equal(body.paymentId, paymentId);
    assert.equal(body.status, 'OVERRIDE_REQUESTED');
    assert.match(body.signalId, new RegExp(`^override:${paymentId}:alice:`));
    assert.equal(body.state, 'DECLINED', 'the saga applied the decline before it answered the query');
    assert.equal(body.detail, 'applied: the payment is DECLINED (OPERATOR_DECLINED)');
    const decided = await h.decision(paymentId);
    assert.deepEqual([decided.decision, decided.reason], ['DECLINED', 'OPERATOR_DECLINED']);
  });

  it('tells the operator that a decline during the gateway call voids the authorization once the call returns', async () => {
    // The gateway holds every attempt past the activity's timeout for a while: the saga stays AUTHORIZING.
    h.faults.set({ next: ['timeout', 'timeout', 'timeout'], hangMs: 3_000 });
    const accountId = h.accountId();
    await h.publishAccountStates(h.accountState(accountId));
    const paymentId = await h.submit({ accountId });
    const saga = h.client.workflow.getHandle(paymentWorkflowId(paymentId));
    await eventually(
      'saga authorizing',
      async () => (await saga.query(statusQuery).catch(() => undefined))?.state === 'AUTHORIZING',
    );

    const res = await override(paymentId, 'decline');
    assert.equal(res.status, 202);
    const body = (await res.json()) as OverrideAccepted;
    assert.equal(body.state, 'AUTHORIZING');
    assert.match(body.detail, /gateway call in flight completes first; the authorization is then voided and the funds released/);
  });
});
