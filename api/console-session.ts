/**
 * Sign-in to the operator console: an operator's bearer token, sent once in a JSON body, opens a session held in
 * an HttpOnly, SameSite=Strict cookie, so the token never sits in a URL, in page script or in browser storage.
 * Sessions live in the database (any api process serves any operator) and end at CONSOLE_SESSION_TTL, at
 * sign-out, or when their token leaves API_TOKENS. A client token is refused (403): the console is operators'.
 */
import { randomBytes } from 'node:crypto';
import { Router, type Response } from 'express';
import type { Config } from '../config';
import { createConsoleSession, deleteConsoleSession } from '../db/console-sessions';
import type { Pool } from '../db/pool';
import { logger } from '../observability/logger';
import { type Auth, cookieOf, digest, sameOrigin, SESSION_COOKIE } from './auth';
import { consoleSignIn } from './console-schemas';
import { fieldErrors, problem } from './problem';

export const temporalUiWorkflowsUrl = (config: Config) =>
  `${config.temporal.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows`;

export function consoleSessionRoutes(opts: { pool: Pool; config: Config; auth: Auth }): Router {
  const { pool, config, auth } = opts;
  const router = Router();

  const setCookie = (res: Response, value: string, maxAgeSeconds: number) => {
    const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
    if (config.api.consoleSecureCookies) attributes.push('Secure');
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${value}; ${attributes.join('; ')}`);
  };
  const view = (operator: string, csrfToken: string, expiresAt: Date) => ({
    operator,
    csrfToken,
    expiresAt: expiresAt.toISOString(),
    temporalUiUrl: temporalUiWorkflowsUrl(config),
  });

  router.post('/console/session', async (req, res) => {
    // A sign-in from another site's page would put the victim in the attacker's session (login CSRF).
    if (!sameOrigin(req)) return problem(res, 403, 'cross-origin sign-in refused');
    const parsed = consoleSignIn.safeParse(req.body);
    if (!parsed.success) return problem(res, 400, 'invalid sign-in', { errors: fieldErrors(parsed.error) });
    const tokenDigest = digest(parsed.data.token);
    const caller = auth.callerOfDigest(tokenDigest);
    if (!caller) return problem(res, 401, 'unknown token');
    if (!caller.roles.includes('operator'))
      return problem(res, 403, 'forbidden', { detail: 'the console needs an operator token; this one is a client token' });
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = await createConsoleSession(pool, {
      idDigest: digest(id),
      tokenDigest,
      csrfToken,
      ttlMs: config.api.consoleSessionTtlMs,
    });
    setCookie(res, id, Math.floor(config.api.consoleSessionTtlMs / 1000));
    logger.info({ operator: caller.subject }, 'console: operator signed in');
    res.status(201).json(view(caller.subject, csrfToken, expiresAt));
  });

  router.get('/console/session', async (req, res) => {
    const session = await auth.sessionOf(req);
    if (!session) return problem(res, 401, 'not signed in');
    res.setHeader('Cache-Control', 'no-store');
    res.json(view(session.caller.subject, session.csrfToken, session.expiresAt));
  });

  // Signing out needs the session's CSRF token like any other write (requireRole checks it).
  router.delete('/console/session', auth.requireRole('operator'), async (req, res) => {
    const id = cookieOf(req, SESSION_COOKIE);
    if (id) await deleteConsoleSession(pool, digest(id));
    setCookie(res, '', 0);
    res.status(204).end();
  });

  return router;
}
