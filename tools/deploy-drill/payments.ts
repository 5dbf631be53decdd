/**
 * The drill's payments and account states. Each payment has an account of its own, so every delivery wakes one
 * saga and no reservation of one payment touches the funds of another: the drill measures the deploy, not funds.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { accountStateHandler } from '../../bridge/accounts';
import { envelope, EVENT_TYPES } from '../../contracts/events';
import { paymentRequestSchema, type AccountState, type PaymentRequest } from '../../contracts/payment';
import { lockAccount, recordAccountState } from '../../db/accounts';
import { withTransaction, type Pool } from '../../db/pool';
import { startPayment } from '../../temporal/start-payment';
import type { authorizePayment } from '../../workflows';
import type { SagaPolicy } from '../../workflows/shared';

/** 12.50 EUR, in minor units; every account holds 1000.00 EUR. */
export const AMOUNT = 1_250;
export const BALANCE = 100_000;
const CURRENCY = 'EUR';

export type Cohort = 'waiting' | 'review' | 'after';

export interface DrillPayment {
  cohort: Cohort;
  payment: PaymentRequest;
  handle?: WorkflowHandle<typeof authorizePayment>;
}

/** A payment of this run, requested now; parsed, so the drill cannot start what the api would refuse. */
export function drillPayment(runId: string, cohort: Cohort, index: number): DrillPayment {
  const key = `drill-${runId}-${cohort}-${index}`;
  return {
    cohort,
    payment: paymentRequestSchema.parse({
      paymentId: `pay-${key}`,
      accountId: `acc-${key}`,
      merchantId: `m-drill-${runId}`,
      amount: AMOUNT,
      currency: CURRENCY,
      requestedAt: new Date().toISOString(),
    }),
  };
}

/** An active account's snapshot as of now: fresh for every payment requested before it. */
export const freshState = (accountId: string): AccountState => ({
  accountId,
  version: 1,
  asOf: new Date().toISOString(),
  status: 'active',
  balance: BALANCE,
  currency: CURRENCY,
});

export async function start(client: Client, p: DrillPayment, policy: SagaPolicy, taskQueue: string): Promise<void> {
  p.handle = await startPayment(client, { payment: p.payment, policy, taskQueue });
}

/** Records a snapshot before its payment starts, as a state the legacy feed delivered earlier: the saga finds it at once. */
export async function recordBeforeStart(pool: Pool, state: AccountState): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await lockAccount(tx, state.accountId);
    await recordAccountState(tx, state);
  });
}

/**
 * Delivers snapshots as the bridge does, through the bridge's own handler of accounts.state.updated: the state
 * recorded under the account's lock, then the account's waiting payments signalled with it.
 */
export function accountStateDelivery(client: Client, pool: Pool, runId: string): (state: AccountState) => Promise<void> {
  const handler = accountStateHandler({ client, pool, groupId: `deploy-drill-${runId}` });
  let offset = 0;
  return (state) =>
    handler.handle(envelope(EVENT_TYPES.accountStateUpdated, randomUUID(), state.asOf, state), {
      // No Kafka record behind it: the handler does not read where a record came from.
      partition: 0,
      offset: String(offset++),
    });
}
