/** Errors as RFC 9457 problem details (application/problem+json), never with a stack trace or a secret. */
import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { logger } from '../observability/logger';
import { postgresUnavailable, temporalUnavailable } from '../roles/startup';

export function problem(res: Response, status: number, title: string, extra: { detail?: string; errors?: unknown } = {}) {
  return res
    .status(status)
    .type('application/problem+json')
    .json({ type: 'about:blank', title, status, ...extra });
}

/** A zod error as a list a client can act on: which field, and what is wrong with it. */
export const fieldErrors = (error: z.ZodError) =>
  error.issues.map((i) => ({
    field: i.path.join('.') || '(body)',
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
  }));

export const errorHandler: ErrorRequestHandler = (err: { type?: string; status?: number; limit?: number }, _req, res, next) => {
  if (res.headersSent) return next(err);
  if (err.type === 'entity.too.large')
    return problem(res, 413, 'request body too large', {
      detail: `the limit is ${Math.round((err.limit ?? 16_384) / 1024)} KiB`,
    });
  if (err.type === 'entity.parse.failed') return problem(res, 400, 'request body is not valid JSON');
  if (err.type === 'charset.unsupported' || err.type === 'encoding.unsupported')
    return problem(res, 415, 'unsupported media type', { detail: 'send the body as application/json in UTF-8, not compressed' });
  // An engine that restarts answers again in a moment: the client may retry (Retry-After), unlike a 500.
  if (postgresUnavailable(err) || temporalUnavailable(err)) {
    logger.warn({ err: err instanceof Error ? err.message : err }, 'api: an engine is unavailable');
    res.setHeader('Retry-After', '5');
    return problem(res, 503, 'service unavailable', { detail: 'retry in a few seconds' });
  }
  logger.error({ err: err instanceof Error ? err.message : err }, 'api: unexpected error');
  return problem(res, 500, 'internal error');
};
