/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` is `v1,` plus the
 * base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` under the endpoint's secret. A secret is
 * base64 of the key bytes, `whsec_`-prefixed or not (the prefix only names the format), read as the
 * reference libraries (the `standardwebhooks` package) read it. Several signatures may be sent, separated by
 * spaces (while a secret is rotated).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'whsec_';
/** How far a timestamp may be from the receiver's clock: replayed or delayed deliveries are refused. */
export const TOLERANCE_SECONDS = 5 * 60;

/** The key bytes of a secret: base64 after an optional `whsec_`, never the secret's own characters. */
export const secretKey = (secret: string): Buffer =>
  Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');

export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The headers of one delivery attempt. */
export function webhookHeaders(secret: string, id: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign(secret, id, timestamp, body),
    'content-type': 'application/json',
  };
}

export type Verification = { ok: true } | { ok: false; reason: string };

/** What a receiver does: checks the timestamp window and that one of the signatures matches. */
export function verify(
  secret: string,
  headers: Record<string, string | undefined>,
  body: string,
  now = Date.now(),
): Verification {
  const id = headers['webhook-id'];
  const timestamp = Number(headers['webhook-timestamp']);
  const signatures = headers['webhook-signature'];
  if (!id || !Number.isInteger(timestamp) || !signatures) return { ok: false, reason: 'missing webhook headers' };
  if (Math.abs(now / 1000 - timestamp) > TOLERANCE_SECONDS) return { ok: false, reason: 'timestamp outside the tolerance' };
  const expected = Buffer.from(sign(secret, id, timestamp, body));
  const match = signatures
    .split(' ')
    .map((s) => Buffer.from(s))
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  return match ? { ok: true } : { ok: false, reason: 'no matching signature' };
}
