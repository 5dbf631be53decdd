/**
 * Idempotency-Key handling of POST /payments, scoped to the caller. A key is claimed (committed as
 * in flight) before the work starts, so a second request with the same key while the first runs gets 409
 * rather than waiting; the work then completes the key in its own transaction with the response to replay.
 * A claim whose request died stays in flight only for the lease, then the key may be taken over.
 *
 * Claims are fenced: each claim and each take-over gets its own token, and only the holder of the current
 * token may complete or release the key. A request that outlived its lease (a stalled connection, a long
 * pause) and lost the key to a retry thus cannot complete it: its transaction rolls back, so one key makes
 * one payment whatever the timing.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Envelope } from '../contracts/events';
import type { PaymentRequest } from '../contracts/payment';
import { TOPICS } from '../contracts/topics';
import { prepared, type Pool, type PoolClient } from '../db/pool';
import { traceHeaders } from '../observability/tracing';

/** How long a claim holds its key before another request may take it over (DESIGN.md §3: 409 meanwhile). */
export const DEFAULT_LEASE_MS = 30_000;

export type Claim =
  | { kind: 'claimed'; token: string }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'in-flight' }
  | { kind: 'mismatch' };

/** Thrown by completeKey when the claim was taken over: the work's transaction must roll back. */
export class KeyClaimLost extends Error {
  constructor() {
    super('the Idempotency-Key claim was taken over by another request');
    this.name = 'KeyClaimLost';
  }
}

export const requestHash = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('hex');

const insertClaim = prepared(
  'idempotency-claim',
  `insert into idempotency_keys (caller, idempotency_key, request_hash, state, locked_until, claim_token)
   values ($1, $2, $3, 'in_flight', now() + make_interval(secs => $4 / 1000.0), $5)
   on conflict (caller, idempotency_key) do nothing`,
);

export async function claimKey(
  pool: Pool,
  caller: string,
  key: string,
  hash: string,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<Claim> {
  // A claim lost to a racing request is read again (it is done, in flight, or gone); a few rounds settle it.
  for (let round = 0; round < 5; round++) {
    const token = randomUUID();
    const inserted = await pool.query(insertClaim([caller, key, hash, leaseMs, token]));
    if (inserted.rowCount === 1) return { kind: 'claimed', token };
    const existing = await readKey(pool, caller, key);
    if (!existing) continue; // deleted by retention or released in between: claim afresh
    if (existing.requestHash !== hash) return { kind: 'mismatch' };
    if (existing.answer.kind !== 'expired') return existing.answer;
    // The first request died without completing, or stalls past its lease: take the key over with a new token.
    const taken = await pool.query(
      `update idempotency_keys set locked_until = now() + make_interval(secs => $3 / 1000.0), claim_token = $4
       where caller = $1 and idempotency_key = $2 and state = 'in_flight' and locked_until < now()`,
      [caller, key, leaseMs, token],
    );
    if (taken.rowCount === 1) return { kind: 'claimed', token };
  }
  return { kind: 'in-flight' };
}

/** What a request that does not hold the key answers: the stored response, or 409 while it is in flight. */
export async function answerOf(
  pool: Pool,
  caller: string,
  key: string,
): Promise<{ kind: 'replay'; status: number; body: unknown } | { kind: 'in-flight' }> {
  const existing = await readKey(pool, caller, key);
  return existing?.answer.kind === 'replay' ? existing.answer : { kind: 'in-flight' };
}

async function readKey(pool: Pool, caller: string, key: string) {
  const { rows } = await pool.query<{
    request_hash: string;
    state: string;
    response_status: number;
    response_body: unknown;
    expired: boolean;
  }>(
    `select request_hash, state, response_status, response_body, locked_until < now() as expired
     from idempotency_keys where caller = $1 and idempotency_key = $2`,
    [caller, key],
  );
  const row = rows[0];
  if (!row) return undefined;
  let answer: { kind: 'replay'; status: number; body: unknown } | { kind: 'in-flight' } | { kind: 'expired' };
  if (row.state === 'done') answer = { kind: 'replay', status: row.response_status, body: row.response_body };
  else answer = { kind: row.expired ? 'expired' : 'in-flight' };
  return { requestHash: row.request_hash, answer };
}

const completeWithPayment = prepared(
  'idempotency-complete-payment',
  `with done as (
     update idempotency_keys set state = 'done', response_status = $4, response_body = $5
     where caller = $1 and idempotency_key = $2 and state = 'in_flight' and claim_token = $3 returning caller
   ), caller as (
     insert into payment_callers (payment_id, caller, requested_at) select $6, caller, $7 from done
   ), queued as (
     insert into outbox (event_id, topic, message_key, payload, headers)
     select $8, $9, $10, $11, $12 from done on conflict (event_id) do nothing
   )
   select count(*)::int as completed from done`,
);

/**
 * Within the work's transaction: the response to replay from now on, and the payment it accepted (who asked for it,
 * and its requested event in the outbox), in one statement whose writes read from the key's completion. Throws
 * KeyClaimLost, so that the transaction rolls back, unless the key is still in flight under this claim's token.
 */
export async function completeKey(
  tx: PoolClient,
  caller: string,
  key: string,
  token: string,
  status: number,
  body: unknown,
  accepted: { paymentId: string; requestedAt: string; event: Envelope<PaymentRequest> },
): Promise<void> {
  const { rows } = await tx.query<{ completed: number }>(
    completeWithPayment([
      caller,
      key,
      token,
      status,
      body,
      accepted.paymentId,
      accepted.requestedAt,
      accepted.event.id,
      TOPICS.paymentRequested,
      accepted.event.data.accountId,
      accepted.event,
      traceHeaders(),
    ]),
  );
  if (rows[0]!.completed !== 1) throw new KeyClaimLost();
}

/** The work failed: forget this claim (and only this one) so that the client's retry runs it again. */
export async function releaseKey(pool: Pool, caller: string, key: string, token: string): Promise<void> {
  await pool.query(
    `delete from idempotency_keys where caller = $1 and idempotency_key = $2 and state = 'in_flight' and claim_token = $3`,
    [caller, key, token],
  );
}

/** Retention: deletes keys older than `retentionMs` (never younger than 24 h, see config). */
export async function applyIdempotencyKeyRetention(pool: Pool, retentionMs: number): Promise<number> {
  const { rowCount } = await pool.query(
    `delete from idempotency_keys where created_at < now() - make_interval(secs => $1 / 1000.0)`,
    [retentionMs],
  );
  return rowCount ?? 0;
}
