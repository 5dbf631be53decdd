/**
 * Idempotency-Key handling of POST /payments, scoped to the caller. A key is claimed (committed as
 * in flight) before the work starts, so a second request with the same key while the first runs gets 409
 * rather than waiting; the work then completes the key in its own transaction with the response to replay.
 * A claim whose request died stays in flight only for the lease, then the key may be used again.
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from '../db/pool';

const LEASE_MS = 30_000;

export type Claim =
  { kind: 'claimed' } | { kind: 'replay'; status: number; body: unknown } | { kind: 'in-flight' } | { kind: 'mismatch' };

export const requestHash = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('hex');

export async function claimKey(pool: Pool, caller: string, key: string, hash: string): Promise<Claim> {
  const inserted = await pool.query(
    `insert into idempotency_keys (caller, idempotency_key, request_hash, state, locked_until)
     values ($1, $2, $3, 'in_flight', now() + make_interval(secs => $4 / 1000.0))
     on conflict (caller, idempotency_key) do nothing`,
    [caller, key, hash, LEASE_MS],
  );
  if (inserted.rowCount === 1) return { kind: 'claimed' };
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
  if (!row) return claimKey(pool, caller, key, hash); // purged in between: claim afresh
  if (row.request_hash !== hash) return { kind: 'mismatch' };
  if (row.state === 'done') return { kind: 'replay', status: row.response_status, body: row.response_body };
  if (!row.expired) return { kind: 'in-flight' };
  // The first request died without completing (its transaction rolled back): take the key over.
  const taken = await pool.query(
    `update idempotency_keys set locked_until = now() + make_interval(secs => $3 / 1000.0)
     where caller = $1 and idempotency_key = $2 and state = 'in_flight' and locked_until < now()`,
    [caller, key, LEASE_MS],
  );
  return taken.rowCount === 1 ? { kind: 'claimed' } : { kind: 'in-flight' };
}

/** Within the work's transaction: the response to replay from now on. */
export async function completeKey(tx: PoolClient, caller: string, key: string, status: number, body: unknown): Promise<void> {
  await tx.query(
    `update idempotency_keys set state = 'done', response_status = $3, response_body = $4
     where caller = $1 and idempotency_key = $2`,
    [caller, key, status, body],
  );
}

/** The work failed: forget the claim so that the client's retry runs it again. */
export async function releaseKey(pool: Pool, caller: string, key: string): Promise<void> {
  await pool.query(`delete from idempotency_keys where caller = $1 and idempotency_key = $2 and state = 'in_flight'`, [
    caller,
    key,
  ]);
}

/** Deletes keys older than the retention (never younger than 24 h, see config). */
export async function purgeKeys(pool: Pool, retentionMs: number): Promise<number> {
  const { rowCount } = await pool.query(
    `delete from idempotency_keys where created_at < now() - make_interval(secs => $1 / 1000.0)`,
    [retentionMs],
  );
  return rowCount ?? 0;
}
