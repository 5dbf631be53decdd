/**
 * The saga's rule for an account state it receives, as a pure function: the workflow applies it to every
 * snapshot, and the payment history (api) replays the recorded arrivals through it to say which were used,
 * so both always agree. Deterministic: no I/O, no clock.
 */
import type { AccountState } from '../contracts/payment';

/** Why an arrival changes nothing: another account's, or a version the saga already has or has passed. */
export type IgnoredArrival = 'another-account' | 'duplicate-version' | 'older-version';

export type ArrivalJudgement = { kept: true } | { kept: false; why: IgnoredArrival };

/** Whether the saga of `accountId`, holding `current`, keeps `arrived` as its newest snapshot. */
export function judgeArrival(arrived: AccountState, accountId: string, current: AccountState | undefined): ArrivalJudgement {
  if (arrived.accountId !== accountId) return { kept: false, why: 'another-account' };
  if (current !== undefined && arrived.version === current.version) return { kept: false, why: 'duplicate-version' };
  if (current !== undefined && arrived.version < current.version) return { kept: false, why: 'older-version' };
  return { kept: true };
}

/** A snapshot is fresh enough to decide on when it reflects everything up to the payment (asOf >= requestedAt). */
export const isFresh = (state: AccountState | undefined, requestedAt: string): state is AccountState =>
  state !== undefined && Date.parse(state.asOf) >= Date.parse(requestedAt);
