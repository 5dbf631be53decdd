/** The authorization rules (DESIGN.md §4): one pure function, applied under the account's lock. */
import type { AccountState, DecisionReason } from '../contracts/payment';

export interface RulesInput {
  amount: number;
  currency: string;
  /** The newest snapshot known for the account, if any. */
  snapshot: AccountState | undefined;
  /** What paysaga holds for this account that the snapshot does not reflect yet, in the account's currency. */
  reservedNotReflected: number;
}

export type RulesResult =
  | { approved: true; available: number }
  | {
      approved: false;
      reason: Extract<DecisionReason, 'ACCOUNT_FROZEN' | 'ACCOUNT_CLOSED' | 'CURRENCY_MISMATCH' | 'INSUFFICIENT_FUNDS'>;
      available: number;
    };

export function applyRules({ amount, currency, snapshot, reservedNotReflected }: RulesInput): RulesResult {
  if (!snapshot) return { approved: false, reason: 'INSUFFICIENT_FUNDS', available: 0 };
  const available = snapshot.balance - reservedNotReflected;
  if (snapshot.status === 'frozen') return { approved: false, reason: 'ACCOUNT_FROZEN', available };
  if (snapshot.status === 'closed') return { approved: false, reason: 'ACCOUNT_CLOSED', available };
  if (snapshot.currency !== currency) return { approved: false, reason: 'CURRENCY_MISMATCH', available };
  if (available < amount) return { approved: false, reason: 'INSUFFICIENT_FUNDS', available };
  return { approved: true, available };
}
