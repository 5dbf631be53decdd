/**
 * accounts.state.updated → record the newest state per account, then signal the payments of that account whose
 * decision it can change (DESIGN.md §5): those for which the stored state is fresh (asOf at or after what they
 * wait for) and newer than the version they have. Stale and duplicate records signal no one, so a busy legacy
 * feed does not grow a waiting payment's history. Recording and listing the waiters happen in one transaction
 * under the account's lock, which is also taken by a payment registering as waiting (activities/funds.ts
 * beginWaiting): either the payment reads the state, or the bridge sees the payment and signals it. The same
 * transaction releases the authorized holds that the stored state reflects.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { EVENT_TYPES } from '../contracts/events';
import { TOPICS } from '../contracts/topics';
import { lockAccount, readAccountState, recordAccountState } from '../db/accounts';
import { endWaiting, recordSignalled, waitersToSignal } from '../db/payment-waits';
import { withTransaction, type Pool } from '../db/pool';
import { releaseReflectedReservations } from '../db/reservations';
import { accountStateSignal, paymentWorkflowId } from '../workflows/shared';
import type { ConsumerHandler } from '../kafka/consumer';

export interface AccountStateHooks {
  /** Inside the transaction, with the account locked and the state recorded, before the waiters are listed. */
  afterRecord?: (accountId: string) => Promise<void>;
  /** After the transaction committed, before the payments to signal are signalled. */
  beforeSignal?: (accountId: string, paymentIds: string[]) => Promise<void>;
}

/** Signals in flight at once for one account's waiting payments. */
const SIGNAL_CONCURRENCY = 16;

export function accountStateHandler(opts: {
  client: Client;
  pool: Pool;
  groupId: string;
  hooks?: AccountStateHooks;
}): ConsumerHandler<typeof EVENT_TYPES.accountStateUpdated> {
  const { client, pool, hooks } = opts;
  return {
    type: EVENT_TYPES.accountStateUpdated,
    topic: TOPICS.accountStateUpdated,
    groupId: opts.groupId,
    async handle({ data: update }) {
      const { latest, waiters } = await withTransaction(pool, async (tx) => {
        await lockAccount(tx, update.accountId);
        await recordAccountState(tx, update); // false for an older or duplicate version: the stored one stands
        const latest = (await readAccountState(tx, update.accountId))!;
        await releaseReflectedReservations(tx, latest);
        await hooks?.afterRecord?.(update.accountId);
        return { latest, waiters: await waitersToSignal(tx, latest) };
      });
      await hooks?.beforeSignal?.(update.accountId, waiters);
      // Always the stored newest state, even for a late or repeated record: a redelivery after a crash between
      // commit and signal finds the waiters not yet marked as having it, and wakes them.
      // Each waiter is its own workflow: signal them SIGNAL_CONCURRENCY at a time rather than one by one, so an
      // account with many waiting payments wakes them in a few round trips. Every waiter is tried before the
      // first failure is rethrown (the record is retried; the ones signalled are not signalled again).
      const failures: unknown[] = [];
      const queue = [...waiters];
      const signalNext = async (): Promise<void> => {
        for (let paymentId = queue.shift(); paymentId !== undefined; paymentId = queue.shift()) {
          await signalWaiter(paymentId).catch((err: unknown) => failures.push(err));
        }
      };
      const signalWaiter = async (paymentId: string): Promise<void> => {
        try {
          await client.workflow.getHandle(paymentWorkflowId(paymentId)).signal(accountStateSignal, latest);
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          // Closed or gone without deciding (e.g. terminated by an operator): it waits no more.
          await endWaiting(pool, paymentId);
          return;
        }
        // Only after the signal: a crash in between repeats one signal, which the workflow ignores.
        await recordSignalled(pool, paymentId, latest.version);
      };
      await Promise.all(Array.from({ length: Math.min(SIGNAL_CONCURRENCY, waiters.length) }, signalNext));
      if (failures.length > 0) throw failures[0];
    },
  };
}
