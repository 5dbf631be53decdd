/**
 * GET /review-queue (operators): the undecided payments that wait, for account state or for an operator, soonest
 * deadline first: the operator console's work list. A payment is in it while the newest row of its timeline
 * says it waits (db/payment-timeline.ts): an override's row, or the decision's, takes it out.
 */
import { Router, type Request, type Response } from 'express';
import type { Pool } from '../db/pool';
import { fieldErrors, problem } from './problem';
import { QUEUE_STATUSES, reviewQueueQuery } from './schemas';

interface QueueRow {
  payment_id: string;
  account_id: string;
  merchant_id: string;
  amount: number;
  currency: string;
  requested_at: Date;
  status: (typeof QUEUE_STATUSES)[number];
  waiting_since: Date;
  deadline: Date | null;
  total: number;
}

export function reviewQueueRoutes(opts: {
  pool: Pool;
  requireRole: (...roles: ('client' | 'operator')[]) => (req: Request, res: Response, next: () => void) => unknown;
}): Router {
  const { pool, requireRole } = opts;
  const router = Router();

  router.get('/review-queue', requireRole('operator'), async (req, res) => {
    const parsed = reviewQueueQuery.safeParse(req.query);
    if (!parsed.success) return problem(res, 400, 'invalid query', { errors: fieldErrors(parsed.error) });
    const { status, accountId, merchantId, limit } = parsed.data;
    // The undecided payments (payments_undecided: few, however many are decided), each with its newest row past
    // the request: a rebuild of the read model writes the RECEIVED row again, after the saga's rows.
    const { rows } = await pool.query<QueueRow>(
      `select p.payment_id, p.account_id, p.merchant_id, p.amount, p.currency, p.requested_at, t.status,
              t.at as waiting_since, (t.detail->>'deadline')::timestamptz as deadline, count(*) over ()::int as total
       from payments p
       cross join lateral (
         select status, at, detail from payment_timeline t
         where t.payment_id = p.payment_id and t.status <> 'RECEIVED' order by id desc limit 1
       ) t
       where p.decision is null and t.status = any($1::text[])
         and ($2::text is null or p.account_id = $2) and ($3::text is null or p.merchant_id = $3)
       order by deadline nulls last, p.payment_id
       limit $4`,
      [status ? [status] : QUEUE_STATUSES, accountId ?? null, merchantId ?? null, limit],
    );
    res.json({
      payments: rows.map((r) => ({
        paymentId: r.payment_id,
        accountId: r.account_id,
        merchantId: r.merchant_id,
        amount: r.amount,
        currency: r.currency,
        requestedAt: r.requested_at.toISOString(),
        status: r.status,
        waitingSince: r.waiting_since.toISOString(),
        deadline: r.deadline?.toISOString() ?? null,
      })),
      total: rows[0]?.total ?? 0,
    });
  });

  return router;
}
