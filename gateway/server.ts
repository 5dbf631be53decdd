/**
 * The gateway simulator: an HTTP service standing in for the card processor (contracts/gateway.ts), with
 * persistent idempotency records and fault injection.
 *
 *   POST /authorizations            Idempotency-Key required; 201 authorized, 200 replay, 402 declined,
 *                                   410 the key was voided, 422 key reused with another body, 503 injected failure
 *   POST /authorizations/:key/void  200 voided (the key's authorization, or a tombstone: nothing authorizes
 *                                   with the key afterwards), 404 the key was declined. paysaga's key is the payment id.
 *   GET  /authorizations?paymentId= the records of a payment
 *   GET  /reports/authorizations    records created in a window, a page at a time (reconciliation)
 *   GET|PUT /admin/faults           fault injection (contracts/gateway.ts gatewayFaultsSchema)
 *   GET  /admin/in-flight           authorization requests still being handled, also those whose caller left
 *   GET  /health
 */
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { z } from 'zod';
import { gatewayAuthorizationRequestSchema, type GatewayAuthorizationResponse, type GatewayVoided } from '../contracts/gateway';
import type { Pool } from '../db/pool';
import { httpServerTelemetry } from '../observability/http';
import { logger } from '../observability/logger';
import { FaultInjector } from './faults';
import { createGatewayStore, type AuthorizationRecord } from './store';

const problem = (res: Response, status: number, title: string, detail?: unknown) =>
  res.status(status).type('application/problem+json').json({ type: 'about:blank', title, status, detail });

const responseOf = (r: AuthorizationRecord): GatewayAuthorizationResponse =>
  r.status === 'declined'
    ? { status: 'declined', code: r.declineCode ?? 'do_not_honor' }
    : { status: 'authorized', authorizationId: r.authorizationId! };

const voidedOf = (r: AuthorizationRecord): GatewayVoided => ({ status: 'voided', authorizationId: r.authorizationId });

export function createGatewayApp({ pool, faults }: { pool: Pool; faults: FaultInjector }) {
  const store = createGatewayStore(pool);
  const app = express();
  app.disable('x-powered-by');
  app.use(httpServerTelemetry('gateway'));
  app.use(express.json({ limit: '16kb' }));

  app.get('/health', (_req, res) => void res.json({ status: 'ok' }));

  // Requests still being handled, whether or not their caller still waits: a late one may yet authorize, so
  // tests and the fault suite wait for none before they check what the gateway holds.
  let inFlight = 0;
  app.get('/admin/in-flight', (_req, res) => void res.json({ authorizations: inFlight }));

  app.post('/authorizations', async (req: Request, res: Response) => {
    inFlight++;
    try {
      await handleAuthorization(req, res);
    } finally {
      inFlight--;
    }
  });

  async function handleAuthorization(req: Request, res: Response) {
    const key = req.header('idempotency-key');
    if (!key || key.length > 200) return problem(res, 400, 'Idempotency-Key header required (at most 200 characters)');
    const parsed = gatewayAuthorizationRequestSchema.safeParse(req.body);
    if (!parsed.success) return problem(res, 400, 'invalid authorization request', z.flattenError(parsed.error));

    const { latencyMs, hangMs } = faults.current;
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    const fault = faults.nextFault();
    if (fault === 'fail') return problem(res, 503, 'injected failure: gateway unavailable');
    if (fault === 'timeout') {
      // Hold the request without answering; the caller's timeout fires first. Nothing is authorized.
      setTimeout(() => res.socket?.destroy(), hangMs).unref();
      return;
    }

    const result = await store.authorize(key, parsed.data, faults.declines(parsed.data.accountId));
    if (result.kind === 'key-reused') return problem(res, 422, 'Idempotency-Key already used with a different request');
    if (fault === 'drop-response') {
      res.socket?.destroy(); // authorized and stored, but the caller never hears of it
      return;
    }
    if (result.kind === 'voided') return res.status(410).json(voidedOf(result.record));
    const body = responseOf(result.record);
    if (result.kind === 'replay') res.setHeader('Idempotent-Replayed', 'true');
    res.status(body.status === 'declined' ? 402 : result.kind === 'new' ? 201 : 200).json(body);
  }

  app.post('/authorizations/:key/void', async (req: Request<{ key: string }>, res: Response) => {
    if (req.params.key.length > 200) return problem(res, 400, 'Idempotency-Key at most 200 characters');
    const record = await store.void(req.params.key);
    if (!record) return problem(res, 404, 'nothing to void: the issuer declined this key');
    res.json(voidedOf(record));
  });

  app.get('/authorizations', async (req: Request, res: Response) => {
    const paymentId = typeof req.query.paymentId === 'string' ? req.query.paymentId : undefined;
    res.json(await store.list({ paymentId }));
  });

  // The processor's authorization report for reconciliation: records created in [createdFrom, createdBefore).
  const reportQuery = z.strictObject({
    createdFrom: z.iso.datetime({ offset: true }),
    createdBefore: z.iso.datetime({ offset: true }),
    limit: z.coerce.number().int().min(1).max(5_000).default(1_000),
    cursor: z.string().max(500).optional(),
  });
  const cursorSchema = z.strictObject({ at: z.iso.datetime({ offset: true }), key: z.string() });
  app.get('/reports/authorizations', async (req: Request, res: Response) => {
    const query = reportQuery.safeParse(req.query);
    if (!query.success) return problem(res, 400, 'invalid report query', z.flattenError(query.error));
    const { createdFrom, createdBefore, limit, cursor } = query.data;
    let after: { at: Date; key: string } | undefined;
    if (cursor) {
      const parsed = cursorSchema.safeParse(
        (() => {
          try {
            return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
          } catch {
            return undefined;
          }
        })(),
      );
      if (!parsed.success) return problem(res, 400, 'invalid cursor');
      after = { at: new Date(parsed.data.at), key: parsed.data.key };
    }
    const rows = await store.report({ from: new Date(createdFrom), before: new Date(createdBefore) }, { limit, after });
    const last = rows.length === limit ? rows.at(-1) : undefined;
    res.json({
      authorizations: rows,
      nextCursor: last
        ? Buffer.from(JSON.stringify({ at: last.createdAt.toISOString(), key: last.idempotencyKey })).toString('base64url')
        : null,
    });
  });

  app.get('/admin/faults', (_req, res) => void res.json(faults.current));
  app.put('/admin/faults', (req: Request, res: Response) => {
    try {
      res.json(faults.set(req.body));
    } catch (err) {
      problem(res, 400, 'invalid fault settings', err instanceof z.ZodError ? z.flattenError(err) : String(err));
    }
  });

  const onError: ErrorRequestHandler = (err: { status?: number; type?: string }, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err.type === 'entity.too.large') return problem(res, 413, 'request body too large');
    if (err.type === 'entity.parse.failed') return problem(res, 400, 'request body is not valid JSON');
    logger.error({ err: err instanceof Error ? err.message : err }, 'gateway: unexpected error');
    problem(res, 500, 'internal error');
  };
  app.use(onError);
  return app;
}
