/** Bearer-token authentication with roles from configuration (API_TOKENS). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ApiRole, ApiToken } from '../config';
import { problem } from './problem';

export interface Caller {
  subject: string;
  roles: ApiRole[];
  /** The merchants this caller may create payments for; undefined: any (config/value-types.ts says why). */
  merchants?: string[];
}

const digest = (token: string) => createHash('sha256').update(token).digest();

export function createAuth(tokens: ApiToken[]) {
  // Compare digests in constant time, so a wrong token's length or prefix leaks nothing.
  const known = tokens.map((t) => ({
    digest: digest(t.token),
    caller: { subject: t.subject, roles: t.roles, merchants: t.merchants },
  }));
  const identify = (req: Request): Caller | undefined => {
    const match = /^Bearer ([^\s]+)$/.exec(req.header('authorization') ?? '');
    if (!match) return undefined;
    const presented = digest(match[1]!);
    return known.find((k) => timingSafeEqual(k.digest, presented))?.caller;
  };

  /** Lets the request through when its bearer token has one of `roles`: 401 without a valid token, 403 without the role. */
  return (...roles: ApiRole[]) =>
    (req: Request, res: Response, next: NextFunction) => {
      const caller = identify(req);
      if (!caller) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="paysaga"');
        return problem(res, 401, 'authentication required', { detail: 'send Authorization: Bearer <token>' });
      }
      if (!caller.roles.some((r) => roles.includes(r)))
        return problem(res, 403, 'forbidden', { detail: `requires the ${roles.join(' or ')} role` });
      res.locals.caller = caller;
      next();
    };
}

export const callerOf = (res: Response) => res.locals.caller as Caller;

/** A client reads its own payments (`owner`: who asked for it over the api), an operator reads all. */
export const mayRead = (caller: Caller, owner: string | null) => caller.roles.includes('operator') || owner === caller.subject;
