/**
 * What the legacy feed costs a payment and an account: a waiting payment is signalled only by a state that can
 * change its decision (fresh for it, and newer than what it has), so a busy feed does not grow its history; and
 * an authorized hold stops counting (and is purged after retention) once a newer snapshot reflects it, even if
 * the account makes no further payment (real Kafka, Temporal dev server and PostgreSQL).
 */
import assert from 'node:assert/strict';
import { applySagaRecordRetention } from '../../db/retention';
import { accountStateSignal, paymentWorkflowId } from '../../workflows/shared';
import { eventually } from '../eventually';
import { pipelineForSuite } from './pipeline-harness';

describe('bridge: account states from the legacy feed (real engines)', function () {
  this.timeout(60_000);
  const h = pipelineForSuite();

  const recorded = (accountId: string, version: number) =>
    eventually(`account ${accountId} v${version} recorded`, async () => {
      const { rows } = await h.pool.query('select version from account_states where account_id = $1', [accountId]);
      return rows[0]?.version >= version;
    });

  it('signals a waiting payment once, with the fresh state, however many stale and duplicate states arrive', async () => {
    const accountId = h.accountId();
    const paymentId = await h.submit({ accountId, amount: 1_000 });
    await eventually(
      'payment waiting',
      async () => (await h.pool.query('select 1 from payment_waits where payment_id = $1', [paymentId])).rowCount === 1,
    );
    // Snapshots from before the payment (a frozen account, no money), each twice: none can decide it.
    const stale = Array.from({ length: 25 }, (_, i) =>
      h.accountState(accountId, {
        version: i + 1,
        asOf: new Date(Date.now() - 60_000 + i).toISOString(),
        status: 'frozen',
        balance: 0,
      }),
    );
    await h.publishAccountStates(...stale.flatMap((s) => [s, { ...s }]));
    const fresh = h.accountState(accountId, { version: 26, balance: 5_000 });
    await h.publishAccountStates(fresh, { ...fresh });

    const decided = await h.decision(paymentId);
    assert.deepEqual([decided.decision, decided.reason], ['AUTHORIZED', 'APPROVED']);
    await recorded(accountId, 26);
    const handle = h.client.workflow.getHandle(paymentWorkflowId(paymentId));
    await handle.result();
    const signals = ((await handle.fetchHistory()).events ?? []).filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === accountStateSignal.name,
    );
    assert.equal(signals.length, 1, 'one accountState signal: the fresh state, once');
  });

  it('still wakes the waiter when the bridge fails after recording the state and before signalling, and retries the record', async () => {
    const accountId = h.accountId();
    const paymentId = await h.submit({ accountId });
    await eventually(
      'payment waiting',
      async () => (await h.pool.query('select 1 from payment_waits where payment_id = $1', [paymentId])).rowCount === 1,
    );
    let failed = false;
    h.bridgeHooks.beforeSignal = async () => {
      if (failed) return;
      failed = true;
      throw new Error('the bridge died after its commit'); // the record is retried: now a duplicate of the stored state
    };
    try {
      await h.publishAccountStates(h.accountState(accountId));
      assert.equal((await h.decision(paymentId)).decision, 'AUTHORIZED');
      assert.equal(failed, true);
    } finally {
      h.bridgeHooks = {};
    }
  });

  it('releases an authorized hold once a later snapshot reflects it, with no further payment, and purges it after retention', async () => {
    const accountId = h.accountId();
    const first = h.accountState(accountId, { balance: 10_000 });
    await h.publishAccountStates(first);
    await recorded(accountId, 1);
    const paymentId = await h.submit({ accountId, amount: 4_000 });
    assert.equal((await h.decision(paymentId)).decision, 'AUTHORIZED');
    const reservation = async () =>
      (
        await h.pool.query<{ status: string; release_reason: string | null; authorized_at: Date }>(
          'select status, release_reason, authorized_at from reservations where payment_id = $1',
          [paymentId],
        )
      ).rows[0];
    const authorizedAt = (await reservation())!.authorized_at;
    assert.equal((await reservation())!.status, 'authorized');

    // Newer, but as of before the authorization: the legacy core has not seen it yet, the hold still counts.
    await h.publishAccountStates(
      h.accountState(accountId, { version: 2, asOf: new Date(authorizedAt.getTime() - 1).toISOString() }),
    );
    await recorded(accountId, 2);
    assert.equal((await reservation())!.status, 'authorized');

    // As of after the authorization: the snapshot's balance reflects it.
    await h.publishAccountStates(
      h.accountState(accountId, { version: 3, balance: 6_000, asOf: new Date(authorizedAt.getTime() + 1).toISOString() }),
    );
    await eventually('hold released', async () => (await reservation())?.status === 'released');
    assert.equal((await reservation())!.release_reason, 'REFLECTED_IN_SNAPSHOT');

    // Past its retention the purge removes it.
    await h.pool.query(`update reservations set released_at = now() - interval '2 days' where payment_id = $1`, [paymentId]);
    await applySagaRecordRetention(h.pool, 86_400_000);
    assert.equal(await reservation(), undefined);
  });
});
