/**
 * /webhooks routes (operators): the webhook deliveries the notifier gave up on, and their redelivery
 * (DESIGN.md §4). A redelivery is an operator action: audited with the operator and the reason. Responses
 * never carry an endpoint's secret or url.
 */
import { Router, type Request, type Response } from 'express';
import type { Config } from '../config';
import { recordWebhookRedelivery } from '../db/operator-audit';
import { withTransaction, type Pool } from '../db/pool';
import { redeliverDeadLetter } from '../notifier/dead-letters';
import { callerOf } from './auth';
import { fieldErrors, problem } from './problem';
import { listDeadLettersQuery, redeliverBody } from './webhook-schemas';

interface DeadLetterRow {
  id: number;
  endpoint_id: string;
  merchant_id: string;
  event_id: string;
  payment_id: string;
  attempts: number;
  last_error: string;
  last_status: number | null;
  created_at: Date;
  dead_lettered_at: Date;
}

const deadLetterOf = (row: DeadLetterRow) => ({
  id: row.id,
  endpointId: row.endpoint_id,
  merchantId: row.merchant_id,
  eventId: row.event_id,
  paymentId: row.payment_id,
  attempts: row.attempts,
  lastError: row.last_error,
  lastStatus: row.last_status,
  createdAt: row.created_at.toISOString(),
  deadLetteredAt: row.dead_lettered_at.toISOString(),
});

const deadLetterId = (text: string) => (/^[1-9][0-9]{0,14}$/.test(text) ? Number(text) : undefined);

export function webhookRoutes(opts: {
  pool: Pool;
  config: Config;
  requireRole: (...roles: ('client' | 'operator')[]) => (req: Request, res: Response, next: () => void) => unknown;
}): Router {
  const { pool, config, requireRole } = opts;
  const router = Router();

  router.get('/webhooks/dead-letters', requireRole('operator'), async (req, res) => {
    const parsed = listDeadLettersQuery.safeParse(req.query);
    if (!parsed.success) return problem(res, 400, 'invalid query', { errors: fieldErrors(parsed.error) });
    const { merchantId, endpointId, limit, cursor: afterId } = parsed.data;
    // Newest first by id (the order they were dead-lettered in); the cursor holds the last id of a page.
    const { rows } = await pool.query<DeadLetterRow>(
      `select id, endpoint_id, merchant_id, event_id::text, payment_id, attempts, last_error, last_status, created_at, dead_lettered_at
       from webhook_dead_letters
       where ($1::text is null or merchant_id = $1) and ($2::text is null or endpoint_id = $2) and ($3::bigint is null or id < $3)
       order by id desc limit $4`,
      [merchantId ?? null, endpointId ?? null, afterId ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    res.json({
      deadLetters: page.map(deadLetterOf),
      nextCursor: rows.length > limit && last ? String(last.id) : null,
    });
  });

  router.post('/webhooks/dead-letters/:id/redeliver', requireRole('operator'), async (req: Request<{ id: string }>, res) => {
    const operator = callerOf(res).subject;
    const parsed = redeliverBody.safeParse(req.body);
    if (!parsed.success) return problem(res, 400, 'invalid redelivery', { errors: fieldErrors(parsed.error) });
    const id = deadLetterId(req.params.id);
    if (id === undefined) return problem(res, 404, 'webhook dead letter not found');
    const configured = config.webhooks.endpoints.map((e) => e.id);
    const result = await withTransaction(pool, async (tx) => {
      const redelivery = await redeliverDeadLetter(tx, id, configured);
      if (redelivery.kind === 'redelivered') {
        await recordWebhookRedelivery(tx, {
          paymentId: redelivery.paymentId,
          operator,
          reason: parsed.data.reason,
          detail: {
            deadLetterId: id,
            deliveryId: redelivery.deliveryId,
            endpointId: redelivery.endpointId,
            eventId: redelivery.eventId,
          },
        });
      }
      return redelivery;
    });
    switch (result.kind) {
      case 'not-found':
        return problem(res, 404, 'webhook dead letter not found', { detail: 'unknown id, or already redelivered' });
      case 'endpoint-not-configured':
        return problem(res, 409, 'endpoint no longer configured', {
          detail: `endpoint ${result.endpointId} is not in WEBHOOK_ENDPOINTS`,
        });
      case 'already-scheduled':
        return problem(res, 409, 'a delivery of this event to this endpoint is already scheduled or delivered');
      case 'redelivered':
        return res.status(202).json({
          deadLetterId: id,
          deliveryId: result.deliveryId,
          endpointId: result.endpointId,
          eventId: result.eventId,
          status: 'PENDING',
        });
    }
  });

  return router;
}
