/**
 * The timeline as Server-Sent Events (api/event-stream.ts), read from the database, so any api process serves
 * any stream; a client that reconnects with Last-Event-ID gets only what came after that event.
 *
 * - GET /payments/:id/events: a payment's state changes, for clients that would otherwise poll
 *   GET /payments/:id. Each event is a row of the payment's timeline (db/payment-timeline.ts), whose id is the
 *   event id; after the decision's event the stream ends.
 * - GET /payment-events: every payment's rows as they commit, in commit order, for the operator console; it
 *   starts at the current end (no backlog) and never ends.
 */
import { Router, type Request, type Response } from 'express';
import type { Pool } from '../db/pool';
import { feedAfter, feedEnd, type TimelineRow } from '../db/payment-timeline';
import { paymentBindings } from '../observability/logger';
import { callerOf, mayRead } from './auth';
import { timelineDetailFor } from './timeline-detail';
import type { EventStreams } from './event-stream';
import { fieldErrors, problem } from './problem';
import { feedEventId, lastEventId } from './schemas';

/** Rows the feed reads per query: a backlog after a reconnect comes in pages of this. */
const FEED_PAGE = 500;

export function paymentEventRoutes(opts: {
  pool: Pool;
  streams: EventStreams;
  requireRole: (...roles: ('client' | 'operator')[]) => (req: Request, res: Response, next: () => void) => unknown;
}): Router {
  const { pool, streams, requireRole } = opts;
  const router = Router();

  /**
   * The rows after `afterId`, and whether the payment is decided, read in one statement so that a decided
   * payment's decision row is among the rows (the read model writes both in one transaction). Undefined when
   * the payment is gone (retention).
   */
  const rowsAfter = async (paymentId: string, afterId: number) => {
    const { rows } = await pool.query<TimelineRow & { decided: boolean }>(
      `select t.id, t.at, t.status, t.detail, p.decision is not null as decided
       from payments p left join payment_timeline t on t.payment_id = p.payment_id and t.id > $2
       where p.payment_id = $1 order by t.id`,
      [paymentId, afterId],
    );
    if (rows.length === 0) return undefined;
    return { rows: rows.filter((r) => r.id !== null), decided: rows[0]!.decided };
  };

  router.get(
    '/payments/:paymentId/events',
    requireRole('client', 'operator'),
    async (req: Request<{ paymentId: string }>, res) => {
      const header = req.header('last-event-id');
      const resume = header === undefined ? undefined : lastEventId.safeParse(header);
      if (resume && !resume.success) return problem(res, 400, 'invalid Last-Event-ID', { errors: fieldErrors(resume.error) });
      const paymentId = req.params.paymentId;
      const { rows: found } = await pool.query<{ caller: string | null }>(
        'select c.caller from payments p left join payment_callers c using (payment_id) where p.payment_id = $1',
        [paymentId],
      );
      const caller = callerOf(res);
      if (!found[0] || !mayRead(caller, found[0].caller)) return problem(res, 404, 'payment not found');

      let last = resume?.data ?? 0;
      await streams.serve(
        req,
        res,
        async (send) => {
          const next = await rowsAfter(paymentId, last);
          if (!next) return 'end';
          for (const row of next.rows) {
            const detail = timelineDetailFor(caller, row.status, row.detail);
            send(String(row.id), { paymentId, at: row.at.toISOString(), status: row.status, detail });
            last = row.id;
          }
          return next.decided ? 'end' : 'wait';
        },
        paymentBindings(paymentId),
      );
    },
  );

  router.get('/payment-events', requireRole('operator'), async (req, res) => {
    const header = req.header('last-event-id');
    const resume = header === undefined ? undefined : feedEventId.safeParse(header);
    if (resume && !resume.success) return problem(res, 400, 'invalid Last-Event-ID', { errors: fieldErrors(resume.error) });
    let last = resume?.data ?? (await feedEnd(pool));
    await streams.serve(
      req,
      res,
      async (send) => {
        const rows = await feedAfter(pool, last, FEED_PAGE);
        for (const { tx, id, paymentId, at, status, detail, accountId, merchantId, amount, currency } of rows) {
          send(`${tx}-${id}`, { paymentId, at: at.toISOString(), status, detail, accountId, merchantId, amount, currency });
          last = { tx, id };
        }
        return rows.length === FEED_PAGE ? 'again' : 'wait';
      },
      { stream: 'payment-events' },
    );
  });

  return router;
}
