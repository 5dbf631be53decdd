/**
 * The zod types of setting values: each parses the text of an environment variable and says, when it cannot,
 * what a good value looks like. Settings (config/settings.ts) are built from them.
 */
import { z } from 'zod';
import { parseDuration } from './duration';

export const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

export const positiveInt = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1');

export const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A flag as Temporal's tools read it, where only `true` and `1` mean on: anything else is refused, not read as off. */
export const temporalFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false (or 1 or 0)' })
  .transform((v) => v === 'true' || v === '1');

export const hostPort = z.string().superRefine((v, ctx) => {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  if (!match) ctx.addIssue({ code: 'custom', message: `must be host:port (got "${v}")` });
  else if (Number(match[2]) < 1 || Number(match[2]) > 65535)
    ctx.addIssue({ code: 'custom', message: 'port must be between 1 and 65535' });
});

export const brokerList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(z.array(hostPort).min(1, 'must name at least one broker (host:port, comma-separated)'));

/** Comma-separated web origins (`scheme://host[:port]`, no path), as a browser sends them in Origin. */
export const originList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().refine((o) => {
        try {
          return new URL(o).origin === o;
        } catch {
          return false;
        }
      }, 'each origin must be scheme://host[:port], without a path or a trailing slash (e.g. https://cloud.temporal.io)'),
    ),
  );

export const duration = z.string().transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a duration like 500ms, 30s, 5m, 2h or 1d (got "${v}")` });
    return z.NEVER;
  }
  return ms;
});

/** Node's timers hold at most 2^31 - 1 ms (about 24.8 days); a longer one fires at once, with only a warning. */
const NODE_TIMER_MAX_MS = 2_147_483_647;
/** A duration that this process waits for with a Node timer (a request timeout), not in SQL or a Temporal timer. */
export const timerDuration = duration.refine(
  (ms) => ms <= NODE_TIMER_MAX_MS,
  'must be at most 24d (the longest timer Node.js keeps)',
);

export const postgresUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
  } catch {
    return false;
  }
}, 'must be a postgres:// URL with a host');

export const httpUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

export const jsonObject = z.string().transform((v, ctx) => {
  try {
    const parsed: unknown = JSON.parse(v);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    /* reported below */
  }
  ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
  return z.NEVER;
});

export const jsonValue = z.string().transform((v, ctx) => {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
    return z.NEVER;
  }
});

export const API_ROLES = ['client', 'operator'] as const;
export type ApiRole = (typeof API_ROLES)[number];
/** Who holds a bearer token, what it may do, and (for a client) which merchants it may create payments for. */
export interface ApiToken {
  token: string;
  subject: string;
  roles: ApiRole[];
  merchants?: string[];
}

/** Bearer tokens of the api: who holds each one and what it may do. Tokens are secrets: never logged. */
export const apiTokens = z
  .array(
    z.strictObject({
      token: z.string().min(24, 'each token must have at least 24 characters'),
      subject: z.string().min(1).max(200),
      roles: z.array(z.enum(API_ROLES)).min(1),
      // The merchants a client token may create payments for. Without a list, any: a platform (a payment
      // facilitator) submits for the many merchants it onboards, and binding each one here would not scale.
      merchants: z
        .array(
          z
            .string()
            .regex(
              /^[A-Za-z0-9._:-]{1,100}$/,
              'each merchant id must be 1-100 letters, digits, dots, dashes, colons or underscores',
            ),
        )
        .min(1, 'must list at least one merchant id (leave it out to allow any)')
        .optional(),
    }),
  )
  .min(1, 'must list at least one token')
  .refine((list) => new Set(list.map((t) => t.token)).size === list.length, 'tokens must be distinct');

/**
 * Keys of the payload codec (temporal/codec.ts): AES-256 keys, each with the id a payload's metadata names. The
 * first encrypts; every one decrypts, so a rotation puts a new key first and keeps the old ones until no
 * history still needs them. Keys are secrets: never logged.
 */
export const codecKeys = z
  .array(
    z.strictObject({
      id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'each key id must be 1-64 letters, digits, dots, dashes or underscores'),
      key: z
        .string()
        .regex(
          /^[A-Za-z0-9+/]{43}=$/,
          'each key must be 32 bytes in base64 (44 characters, as `openssl rand -base64 32` prints)',
        ),
    }),
  )
  .min(1, 'must list at least one key')
  .refine((list) => new Set(list.map((k) => k.id)).size === list.length, 'key ids must be distinct');

/**
 * Merchant webhook endpoints (DESIGN.md §4): where each merchant's decided payments are delivered, signed per
 * Standard Webhooks with the endpoint's own secret (`whsec_` and base64 of at least 24 random bytes).
 */
export const webhookEndpoints = z
  .array(
    z.strictObject({
      id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes or underscores'),
      merchantId: z.string().min(1).max(100),
      url: httpUrl,
      secret: z
        .string()
        .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_ followed by base64')
        .refine((v) => Buffer.from(v.slice(6), 'base64').length >= 24, 'must hold at least 24 bytes of key'),
    }),
  )
  .refine((list) => new Set(list.map((e) => e.id)).size === list.length, 'endpoint ids must be distinct');

export const identifier = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be 1-200 letters, digits, dots, dashes or underscores');

export const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
