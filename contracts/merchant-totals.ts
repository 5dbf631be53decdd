/**
 * The merchant totals aggregate's output (docs/merchant-totals.md): authorized amount and count per merchant and
 * currency, as partial totals per partition of payments.authorization.decided. A reader sums the partials of a
 * merchant and currency over the partitions. Amounts are integer minor units, never floats.
 */
import { z } from 'zod';
import { currency, instant, paymentDecidedSchema } from './payment';

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Data of `merchant.authorized-totals.updated` v1: the partial totals of one input partition after a batch. */
export const merchantTotalsSchema = z.strictObject({
  merchantId: paymentDecidedSchema.shape.merchantId,
  currency,
  /** The partition of payments.authorization.decided these totals cover; the record sits on the same partition. */
  sourcePartition: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  authorizedAmount: count,
  authorizedCount: count,
  updatedAt: instant,
});
export type MerchantTotals = z.infer<typeof merchantTotalsSchema>;

/** The record key of a partial: one per merchant, currency and input partition (merchant ids never contain `|`). */
export const merchantTotalsKey = (merchantId: string, currency: string, sourcePartition: number) =>
  `${merchantId}|${currency}|${sourcePartition}`;
