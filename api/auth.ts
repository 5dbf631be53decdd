/**
 * Authentication with roles from configuration (API_TOKENS): a bearer token, or the operator console's session
 * cookie (api/console-session.ts), which stands for the token it was opened with. A write made with the cookie
 * must carry the session's CSRF token and come from the api's own origin; a bearer token is never sent by a
 * browser on its own, so it needs neither.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ApiRole, ApiToken } from '../config';
import { findConsoleSession } from '../db/console-sessions';
import type { Pool } from '../db/pool';
import { problem } from './problem';

export interface Caller {
  subject: string;
  roles: ApiRole[];
  /** The merchants this caller may create payments for; undefined: any (config/value-types.ts says why). */
  merchants?: string[];
}

export type RequireRole = (...roles: ApiRole[]) => (req: Request, res: Response, next: NextFunction) => unknown;

/** The console's session cookie: a random id, of which the database keeps only the digest. */
export const SESSION_COOKIE = 'paysaga_session';
/** The header a console write carries: the CSRF token the session was given at sign-in. */
export const CSRF_HEADER = 'x-csrf-token';

export const digest = (secret: string) => createHash('sha256').update(secret).digest();

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The value of cookie `name` in the request, if it sent one. */
export function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** False when the request names an origin (browsers do on every write) other than the api's own. */
export function sameOrigin(req: Request): boolean {
  const origin = req.header('origin');
  return origin === undefined || origin === `${req.protocol}://${req.header('host') ?? ''}`;
}

const equalText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function createAuth(tokens: ApiToken[], pool: Pool) {
  // Compare digests in constant time, so a wrong token's length or prefix leaks nothing.
  const known = tokens.map((t) => ({
    digest: digest(t.token),
    caller: { subject: t.subject, roles: t.roles, merchants: t.merchants },
  }));
  /** The caller whose token has this digest: undefined once the token is no longer configured. */
  const callerOfDigest = (presented: Buffer) => known.find((k) => timingSafeEqual(k.digest, presented))?.caller;

  /** The console session the request's cookie names, with its caller; undefined without a live one. */
  const sessionOf = async (req: Request) => {
    const id = cookieOf(req, SESSION_COOKIE);
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const session = await findConsoleSession(pool, digest(id));
    const caller = session && callerOfDigest(session.tokenDigest);
    return caller && session ? { id, caller, csrfToken: session.csrfToken, expiresAt: session.expiresAt } : undefined;
  };

  /**
   * Lets the request through when its caller has one of `roles`: 401 without a valid credential, 403 without the
   * role. `readFrom`: the request changes nothing, and a console session may make it from these origins without
   * the CSRF token (a page of another origin, such as the Temporal Web UI, has none), CORS letting only them read
   * the answer.
   */
  const guard = (roles: ApiRole[], readFrom?: string[]) => async (req: Request, res: Response, next: NextFunction) => {
    const bearer = /^Bearer ([^\s]+)$/.exec(req.header('authorization') ?? '');
    let caller: Caller | undefined;
    if (bearer) caller = callerOfDigest(digest(bearer[1]!));
    else if (req.header('authorization') === undefined) {
      const session = await sessionOf(req);
      const origin = req.header('origin');
      if (session && readFrom) {
        if (!sameOrigin(req) && !readFrom.includes(origin ?? ''))
          return problem(res, 403, 'origin refused', {
            detail: `a console session may call this from ${readFrom.join(', ')} only`,
          });
      } else if (session && !SAFE_METHODS.has(req.method)) {
        const presented = req.header(CSRF_HEADER);
        if (!sameOrigin(req) || presented === undefined || !equalText(presented, session.csrfToken))
          return problem(res, 403, 'CSRF check failed', {
            detail: `a console write needs the ${CSRF_HEADER} header of its session, from the api's own origin`,
          });
      }
      caller = session?.caller;
    }
    if (!caller) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="paysaga"');
      return problem(res, 401, 'authentication required', {
        detail: 'send Authorization: Bearer <token>, or sign in to the console',
      });
    }
    if (!caller.roles.some((r) => roles.includes(r)))
      return problem(res, 403, 'forbidden', { detail: `requires the ${roles.join(' or ')} role` });
    res.locals.caller = caller;
    next();
  };
  const requireRole: RequireRole = (...roles) => guard(roles);
  /** As requireRole, for a POST that reads only (see guard's `readFrom`). */
  const requireRoleToRead = (origins: string[], ...roles: ApiRole[]) => guard(roles, origins);

  return { requireRole, requireRoleToRead, callerOfDigest, sessionOf };
}

export type Auth = ReturnType<typeof createAuth>;

export const callerOf = (res: Response) => res.locals.caller as Caller;

/** A client reads its own payments (`owner`: who asked for it over the api), an operator reads all. */
export const mayRead = (caller: Caller, owner: string | null) => caller.roles.includes('operator') || owner === caller.subject;
