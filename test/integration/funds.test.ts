import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createFundsActivities } from '../../activities/funds';
import { createOutcomeActivities } from '../../activities/outcome';
import { loadConfig } from '../../config';
import type { AccountState } from '../../contracts/payment';
import { applyInboxRetention } from '../../db/inbox';
import { migrate } from '../../db/migrate';
import { applySagaRecordRetention } from '../../db/retention';
import { createPool, type Pool } from '../../db/pool';

describe('funds and outcome activities (real PostgreSQL)', function () {
  this.timeout(30_000);
  let pool: Pool;
  let funds: ReturnType<typeof createFundsActivities>;
  let outcome: ReturnType<typeof createOutcomeActivities>;

  before(async () => {
    pool = createPool({ ...loadConfig(), database: { ...loadConfig().database, poolSize: 25 } });
    await migrate(pool);
    funds = createFundsActivities({ pool });
    outcome = createOutcomeActivities({ pool });
  });
  after(() => pool?.end());

  const account = (overrides: Partial<AccountState> = {}): AccountState => ({
    accountId: `acc-${randomUUID()}`,
    version: 1,
    asOf: new Date().toISOString(),
    status: 'active',
    balance: 5_000,
    currency: 'EUR',
    ...overrides,
  });
  const reserve = (state: AccountState, amount: number, paymentId = `pay-${randomUUID()}`) =>
    funds.reserveFunds({ paymentId, accountId: state.accountId, amount, currency: 'EUR', snapshot: state, force: false });

  it('lets twenty concurrent payments on one account hold no more than its balance', async () => {
    const state = account({ balance: 5_000 });
    const results = await Promise.all(Array.from({ length: 20 }, () => reserve(state, 1_000)));
    assert.equal(results.filter((r) => r.reserved).length, 5);
    const { rows } = await pool.query('select sum(amount)::bigint as held from reservations where account_id = $1', [
      state.accountId,
    ]);
    assert.equal(rows[0].held, 5_000);
  });

  it('the first step reserves at once on fresh recorded state, holding no more than the balance across twenty', async () => {
    const state = account({ balance: 5_000, asOf: new Date(Date.now() + 60_000).toISOString() });
    await pool.query(
      'insert into account_states (account_id, version, as_of, status, balance, currency) values ($1, $2, $3, $4, $5, $6)',
      [state.accountId, state.version, state.asOf, state.status, state.balance, state.currency],
    );
    const requestedAt = new Date().toISOString();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        funds.beginOrReserve({
          paymentId: `pay-${randomUUID()}`,
          accountId: state.accountId,
          requestedAt,
          amount: 1_000,
          currency: 'EUR',
        }),
      ),
    );
    assert.ok(results.every((r) => r.state?.version === 1 && r.reservation !== undefined));
    assert.equal(results.filter((r) => r.reservation?.reserved).length, 5);
    const waits = await pool.query('select 1 from payment_waits where account_id = $1', [state.accountId]);
    assert.equal(waits.rowCount, 0, 'a payment that decided on fresh state waits for nothing');
  });

  it('the first step registers the wait, reserving nothing, when the recorded state is not fresh', async () => {
    const state = account({ asOf: new Date(Date.now() - 60_000).toISOString() });
    await pool.query(
      'insert into account_states (account_id, version, as_of, status, balance, currency) values ($1, $2, $3, $4, $5, $6)',
      [state.accountId, state.version, state.asOf, state.status, state.balance, state.currency],
    );
    const paymentId = `pay-${randomUUID()}`;
    const begun = await funds.beginOrReserve({
      paymentId,
      accountId: state.accountId,
      requestedAt: new Date().toISOString(),
      amount: 1_000,
      currency: 'EUR',
    });
    assert.deepEqual([begun.state?.version, begun.reservation], [1, undefined]);
    const waits = await pool.query('select 1 from payment_waits where payment_id = $1', [paymentId]);
    assert.equal(waits.rowCount, 1);
    const held = await pool.query('select 1 from reservations where payment_id = $1', [paymentId]);
    assert.equal(held.rowCount, 0);
  });

  it('is idempotent by payment id', async () => {
    const state = account({ balance: 1_500 });
    const first = await reserve(state, 1_000, 'pay-idem-' + state.accountId);
    const again = await reserve(state, 1_000, 'pay-idem-' + state.accountId);
    assert.equal(first.reserved && again.reserved, true);
    const { rowCount } = await pool.query('select 1 from reservations where account_id = $1', [state.accountId]);
    assert.equal(rowCount, 1);
  });

  it('stops counting an authorized hold once a newer snapshot reflects it, and uses the newest snapshot', async () => {
    const before = account({ balance: 3_000, asOf: new Date(Date.now() - 60_000).toISOString() });
    const paymentId = `pay-${randomUUID()}`;
    assert.equal((await reserve(before, 2_500, paymentId)).reserved, true);
    await outcome.recordDecision({
      eventId: randomUUID(),
      event: {
        paymentId,
        accountId: before.accountId,
        merchantId: 'm-1',
        amount: 2_500,
        currency: 'EUR',
        decision: 'AUTHORIZED',
        reason: 'APPROVED',
        decidedBy: 'rules',
        gatewayAuthorizationId: 'auth_1',
        decidedAt: new Date().toISOString(),
      },
    });
    // Still held against the old snapshot: 3000 - 2500 leaves 500.
    assert.equal((await reserve(before, 600)).reserved, false);
    // The legacy core has seen the charge: balance 500 as of now, and the hold no longer counts twice.
    const after = { ...before, version: 2, balance: 500, asOf: new Date(Date.now() + 1_000).toISOString() };
    assert.equal((await reserve(after, 500)).reserved, true);
    const { rows } = await pool.query('select status, release_reason from reservations where payment_id = $1', [paymentId]);
    assert.deepEqual(rows[0], { status: 'released', release_reason: 'REFLECTED_IN_SNAPSHOT' });
    // An older snapshot signalled late does not replace the newer one.
    assert.equal((await reserve({ ...before, balance: 1_000_000 }, 10_000)).reserved, false);
  });

  it('releases idempotently', async () => {
    const state = account();
    const paymentId = `pay-${randomUUID()}`;
    await reserve(state, 100, paymentId);
    assert.equal(await funds.releaseFunds({ paymentId, reason: 'GATEWAY_UNAVAILABLE' }), true);
    assert.equal(await funds.releaseFunds({ paymentId, reason: 'GATEWAY_UNAVAILABLE' }), false);
  });

  it('records a decision once: one balanced ledger transaction and one outbox event, however often retried', async () => {
    const state = account();
    const paymentId = `pay-${randomUUID()}`;
    await reserve(state, 700, paymentId);
    const input = {
      eventId: randomUUID(),
      event: {
        paymentId,
        accountId: state.accountId,
        merchantId: 'm-2',
        amount: 700,
        currency: 'EUR',
        decision: 'AUTHORIZED' as const,
        reason: 'APPROVED' as const,
        decidedBy: 'rules' as const,
        gatewayAuthorizationId: 'auth_2',
        decidedAt: new Date().toISOString(),
      },
    };
    await Promise.all([outcome.recordDecision(input), outcome.recordDecision(input), outcome.recordDecision(input)]);
    const entries = await pool.query(
      `select direction, amount from ledger_entries e join ledger_transactions t using (transaction_id) where t.payment_id = $1`,
      [paymentId],
    );
    assert.deepEqual(entries.rows.map((r) => `${r.direction}:${r.amount}`).sort(), ['credit:700', 'debit:700']);
    const outbox = await pool.query('select payload from outbox where event_id = $1', [input.eventId]);
    assert.equal(outbox.rowCount, 1);
    assert.equal(outbox.rows[0].payload.data.paymentId, paymentId);
  });

  it('purges released reservations and decision records past the retention, and only those', async () => {
    const state = account();
    const [old, recent, held] = [`pay-${randomUUID()}`, `pay-${randomUUID()}`, `pay-${randomUUID()}`];
    for (const id of [old, recent, held]) await reserve(state, 100, id);
    await funds.releaseFunds({ paymentId: old, reason: 'INSUFFICIENT_FUNDS' });
    await funds.releaseFunds({ paymentId: recent, reason: 'INSUFFICIENT_FUNDS' });
    await pool.query(`update reservations set released_at = now() - interval '9 days' where payment_id = $1`, [old]);
    await pool.query(
      `insert into payment_decisions (payment_id, event_id, decision, decided_at) values
       ($1, gen_random_uuid(), 'DECLINED', now() - interval '9 days'), ($2, gen_random_uuid(), 'DECLINED', now())`,
      [old, recent],
    );
    await applySagaRecordRetention(pool, 8 * 86_400_000);
    const left = async (table: string) =>
      (
        await pool.query(`select payment_id from ${table} where payment_id = any($1) order by payment_id`, [[old, recent, held]])
      ).rows.map((r: { payment_id: string }) => r.payment_id);
    assert.deepEqual(await left('reservations'), [recent, held].sort());
    assert.deepEqual(await left('payment_decisions'), [recent]);
  });

  it("prunes a consumer's inbox rows past the retention, and only that consumer's old ones", async () => {
    const [mineOld, mineNew, othersOld] = [randomUUID(), randomUUID(), randomUUID()];
    const mine = `test-consumer-${randomUUID()}`;
    const other = `test-consumer-${randomUUID()}`;
    await pool.query(
      `insert into inbox (consumer, event_id, applied_at) values
       ($1, $3, now() - interval '9 days'), ($1, $4, now()), ($2, $5, now() - interval '9 days')`,
      [mine, other, mineOld, mineNew, othersOld],
    );
    await applyInboxRetention(pool, mine, 8 * 86_400_000);
    const { rows } = await pool.query('select event_id from inbox where consumer = any($1) order by event_id', [[mine, other]]);
    assert.deepEqual(
      rows.map((r: { event_id: string }) => r.event_id),
      [mineNew, othersOld].sort(),
    );
  });

  it('refuses an unbalanced ledger transaction at commit', async () => {
    const client = await pool.connect();
    const transactionId = `test:${randomUUID()}`;
    try {
      await client.query('begin');
      await client.query(`insert into ledger_transactions (transaction_id, payment_id, kind) values ($1, 'p', 'test')`, [
        transactionId,
      ]);
      await client.query(
        `insert into ledger_entries (transaction_id, ledger_account, direction, amount, currency)
         values ($1, 'a', 'debit', 100, 'EUR'), ($1, 'b', 'credit', 99, 'EUR')`,
        [transactionId],
      );
      await assert.rejects(client.query('commit'), /does not balance/);
    } finally {
      await client.query('rollback').catch(() => undefined);
      client.release();
    }
  });
});
