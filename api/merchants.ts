/**
 * GET /merchants/:merchantId/totals (operators; tokens are not bound to merchants): a merchant's authorized
 * amount and count per currency, from the exactly-once aggregate (docs/merchant-totals.md). The api keeps
 * merchants.authorized-totals in memory, read read_committed, and sums each merchant's per-partition partials.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Kafka } from 'kafkajs';
import { EVENT_TYPES } from '../contracts/events';
import type { MerchantTotals } from '../contracts/merchant-totals';
import { paymentDecidedSchema } from '../contracts/payment';
import { MERCHANT_TOTALS_TOPICS } from '../contracts/topics';
import { decodeRecord } from '../kafka/consumer';
import { KafkaTable } from '../kafka/table';
import { fieldErrors, problem } from './problem';
import type { MerchantTotalsView } from './schemas';

export type MerchantTotalsTable = KafkaTable<MerchantTotals>;

/** The api's copy of the aggregate's output; a group of its own per process, from the beginning, no commits. */
export function createMerchantTotalsTable(kafka: Kafka, clientId: string): MerchantTotalsTable {
  return new KafkaTable<MerchantTotals>(kafka, {
    topic: MERCHANT_TOTALS_TOPICS.totals,
    groupId: `${clientId}-api-merchant-totals-${randomUUID()}`,
    label: 'api merchant totals',
    decode: (message) => decodeRecord(EVENT_TYPES.merchantTotalsUpdated, message.value).data,
    index: (totals) => totals.merchantId,
  });
}

/** Sums a merchant's partials per currency (integers: exact up to 2^53 - 1 minor units). */
export function sumTotals(merchantId: string, partials: MerchantTotals[]): MerchantTotalsView {
  const byCurrency = new Map<string, { currency: string; authorizedAmount: number; authorizedCount: number }>();
  for (const p of partials) {
    const sum = byCurrency.get(p.currency) ?? { currency: p.currency, authorizedAmount: 0, authorizedCount: 0 };
    sum.authorizedAmount += p.authorizedAmount;
    sum.authorizedCount += p.authorizedCount;
    if (!Number.isSafeInteger(sum.authorizedAmount)) throw new RangeError(`total of ${merchantId} in ${p.currency} is too large`);
    byCurrency.set(p.currency, sum);
  }
  return { merchantId, totals: [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency)) };
}

export function merchantRoutes(opts: {
  totals?: MerchantTotalsTable;
  requireRole: (...roles: ('client' | 'operator')[]) => (req: Request, res: Response, next: () => void) => unknown;
}): Router {
  const { totals, requireRole } = opts;
  const router = Router();
  router.get('/merchants/:merchantId/totals', requireRole('operator'), (req: Request<{ merchantId: string }>, res) => {
    const merchantId = paymentDecidedSchema.shape.merchantId.safeParse(req.params.merchantId);
    if (!merchantId.success) return problem(res, 400, 'invalid merchant id', { errors: fieldErrors(merchantId.error) });
    if (!totals) return problem(res, 503, 'merchant totals unavailable', { detail: 'this api does not read the aggregate' });
    if (!totals.isCaughtUp) return problem(res, 503, 'merchant totals catching up', { detail: 'retry in a few seconds' });
    res.json(sumTotals(merchantId.data, totals.indexed(merchantId.data)));
  });
  return router;
}
