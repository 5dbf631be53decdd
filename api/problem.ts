/** Errors as RFC 9457 problem details (application/problem+json), never with a stack trace or a secret. */
import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { logger } from '../observability/logger';

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

export const errorHandler: ErrorRequestHandler = (err: { type?: string; status?: number }, _req, res, next) => {
  if (res.headersSent) return next(err);
  if (err.type === 'entity.too.large') return problem(res, 413, 'request body too large', { detail: 'the limit is 16 KiB' });
  if (err.type === 'entity.parse.failed') return problem(res, 400, 'request body is not valid JSON');
  logger.error({ err: err instanceof Error ? err.message : err }, 'api: unexpected error');
  return problem(res, 500, 'internal error');
};
