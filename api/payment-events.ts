/**
 * GET /payments/:id/events: a payment's state changes as Server-Sent Events, for clients that would otherwise
 * poll GET /payments/:id. Each event is a row of the payment's timeline (db/payment-timeline.ts), whose id is the
 * event id; after the decision's event the stream ends. A client that reconnects with Last-Event-ID gets only
 * the rows after it. The rows come from the database, polled per stream, so any api process serves any stream.
 */
import { Router, type Request, type Response } from 'express';
import type { Pool } from '../db/pool';
import type { TimelineRow } from '../db/payment-timeline';
import { logger, paymentBindings } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { callerOf, mayRead } from './auth';
import { fieldErrors, problem } from './problem';
import { lastEventId } from './schemas';

/** How often a stream looks for new rows: a state change reaches the client within this. */
const POLL_MS = 500;
/** A comment this often keeps proxies and load balancers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/** One event: `id` and `data` lines, then a blank line (the data is one line of JSON). */
const eventText = (paymentId: string, row: TimelineRow) =>
  `id: ${row.id}\ndata: ${JSON.stringify({ paymentId, at: row.at.toISOString(), status: row.status, detail: row.detail })}\n\n`;

export function paymentEventRoutes(opts: {
  pool: Pool;
  requireRole: (...roles: ('client' | 'operator')[]) => (req: Request, res: Response, next: () => void) => unknown;
}): Router {
  const { pool, requireRole } = opts;
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
      if (!found[0] || !mayRead(callerOf(res), found[0].caller)) return problem(res, 404, 'payment not found');

      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no', // nginx would otherwise buffer the stream
      });
      res.flushHeaders();
      if (req.method === 'HEAD') return void res.end();

      let open = true;
      let wake: (() => void) | undefined;
      res.on('close', () => {
        open = false;
        wake?.();
      });
      metrics.eventStreams.inc();
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      let last = resume?.data ?? 0;
      try {
        while (open) {
          const next = await rowsAfter(paymentId, last).catch((err: unknown) => {
            // PostgreSQL away for a moment: the stream stays open and tries again.
            logger.warn({ ...paymentBindings(paymentId), err: (err as Error).message }, 'payment events: read failed');
            return { rows: [], decided: false };
          });
          if (!next) break;
          for (const row of next.rows) {
            res.write(eventText(paymentId, row));
            last = row.id;
          }
          if (next.decided) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, POLL_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      } finally {
        clearInterval(heartbeat);
        metrics.eventStreams.dec();
        if (open) res.end();
      }
    },
  );

  return router;
}
