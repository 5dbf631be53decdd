/**
 * The pure part of the merchant totals aggregate: one input partition's partial totals and the event ids it
 * has counted. `foldBatch` computes what a batch of decided events changes without touching the state; the
 * processor publishes that delta in a Kafka transaction and applies it only after the commit succeeded, so the
 * state in memory is always what the committed output says.
 */
import type { Envelope } from '../contracts/events';
import { merchantTotalsKey } from '../contracts/merchant-totals';
import type { PaymentDecided } from '../contracts/payment';

/** The authorized totals of one merchant and currency within one input partition. */
export interface MerchantPartial {
  merchantId: string;
  currency: string;
  authorizedAmount: number;
  authorizedCount: number;
}

export interface PartitionState {
  partition: number;
  /** Partials by merchantTotalsKey(merchantId, currency, partition). */
  totals: Map<string, MerchantPartial>;
  /** Event ids already counted, with when they were counted (epoch ms). */
  seen: Map<string, number>;
}

/** What one batch changes: the new value of each partial it touched and the event ids it counted. */
export interface BatchDelta {
  totals: Map<string, MerchantPartial>;
  seen: Map<string, number>;
  /** AUTHORIZED events counted before (a redelivery or a replay). */
  duplicates: number;
  /** DECLINED events: they do not count. */
  ignored: number;
}

export const emptyState = (partition: number): PartitionState => ({ partition, totals: new Map(), seen: new Map() });

export function foldBatch(state: PartitionState, events: Envelope<PaymentDecided>[], countedAt: number): BatchDelta {
  const delta: BatchDelta = { totals: new Map(), seen: new Map(), duplicates: 0, ignored: 0 };
  for (const { id, data } of events) {
    if (data.decision !== 'AUTHORIZED') {
      delta.ignored++;
      continue;
    }
    if (state.seen.has(id) || delta.seen.has(id)) {
      delta.duplicates++;
      continue;
    }
    const key = merchantTotalsKey(data.merchantId, data.currency, state.partition);
    const current = delta.totals.get(key) ??
      state.totals.get(key) ?? { merchantId: data.merchantId, currency: data.currency, authorizedAmount: 0, authorizedCount: 0 };
    const authorizedAmount = current.authorizedAmount + data.amount;
    // Integers stay exact up to 2^53 - 1 minor units; past that a total could no longer be told apart from its neighbour.
    if (!Number.isSafeInteger(authorizedAmount)) {
      throw new RangeError(
        `authorized total of ${data.merchantId} in ${data.currency} exceeds ${Number.MAX_SAFE_INTEGER} minor units`,
      );
    }
    delta.totals.set(key, { ...current, authorizedAmount, authorizedCount: current.authorizedCount + 1 });
    delta.seen.set(id, countedAt);
  }
  return delta;
}

/** Applies a committed batch's delta. */
export function applyDelta(state: PartitionState, delta: BatchDelta): void {
  for (const [key, partial] of delta.totals) state.totals.set(key, partial);
  for (const [id, countedAt] of delta.seen) state.seen.set(id, countedAt);
}

/**
 * Forgets the event ids counted before `cutoff`: the input topic no longer holds those events, so they cannot be
 * delivered again. Returns how many were forgotten.
 */
export function forgetSeenBefore(state: PartitionState, cutoff: number): number {
  let forgotten = 0;
  for (const [id, countedAt] of state.seen) {
    if (countedAt < cutoff) {
      state.seen.delete(id);
      forgotten++;
    }
  }
  return forgotten;
}
