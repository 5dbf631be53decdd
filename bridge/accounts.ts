/**
 * accounts.state.updated → record the newest state per account, then signal every payment of that account
 * that waits for it (DESIGN.md §5). Recording and listing the waiters happen in one transaction under the
 * account's lock, which is also taken by a payment registering as waiting (activities/funds.ts
 * beginWaiting): either the payment reads the state, or the bridge sees the payment and signals it.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { EVENT_TYPES } from '../contracts/events';
import { TOPICS } from '../contracts/topics';
import { lockAccount, readAccountState, recordAccountState } from '../db/accounts';
import { withTransaction, type Pool } from '../db/pool';
import { accountStateSignal, paymentWorkflowId } from '../workflows/shared';
import type { ConsumerHandler } from '../kafka/consumer';

export interface AccountStateHooks {
  /** Inside the transaction, with the account locked and the state recorded, before the waiters are listed. */
  afterRecord?: (accountId: string) => Promise<void>;
  /** After the transaction committed, before the waiting payments are signalled. */
  beforeSignal?: (accountId: string, paymentIds: string[]) => Promise<void>;
}

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
      const { latest, waiting } = await withTransaction(pool, async (tx) => {
        await lockAccount(tx, update.accountId);
        await recordAccountState(tx, update); // false for an older or duplicate version: the stored one stands
        await hooks?.afterRecord?.(update.accountId);
        const { rows } = await tx.query<{ payment_id: string }>('select payment_id from payment_waits where account_id = $1', [
          update.accountId,
        ]);
        return { latest: (await readAccountState(tx, update.accountId))!, waiting: rows.map((r) => r.payment_id) };
      });
      await hooks?.beforeSignal?.(update.accountId, waiting);
      // Always the stored newest state, even for a late or repeated record: a redelivery after a crash
      // between commit and signal still wakes the waiters, and the workflow ignores versions it has.
      for (const paymentId of waiting) {
        try {
          await client.workflow.getHandle(paymentWorkflowId(paymentId)).signal(accountStateSignal, latest);
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          // Closed or gone without deciding (e.g. terminated by an operator): it waits no more.
          await pool.query('delete from payment_waits where payment_id = $1', [paymentId]);
        }
      }
    },
  };
}
