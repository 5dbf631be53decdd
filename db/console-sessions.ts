/**
 * Operator console sessions (db/migrations/0011_console_sessions.sql), in the database so that any api process
 * answers any signed-in operator. Every reader and writer of the table goes through here.
 */
import type { Pool } from './pool';

export interface ConsoleSession {
  tokenDigest: Buffer;
  csrfToken: string;
  expiresAt: Date;
}

export async function createConsoleSession(
  pool: Pool,
  session: { idDigest: Buffer; tokenDigest: Buffer; csrfToken: string; ttlMs: number },
): Promise<Date> {
  const { rows } = await pool.query<{ expires_at: Date }>(
    `insert into console_sessions (id_digest, token_digest, csrf_token, expires_at)
     values ($1, $2, $3, now() + make_interval(secs => $4 / 1000.0)) returning expires_at`,
    [session.idDigest, session.tokenDigest, session.csrfToken, session.ttlMs],
  );
  return rows[0]!.expires_at;
}

/** The session with this id digest, unless it has expired. */
export async function findConsoleSession(pool: Pool, idDigest: Buffer): Promise<ConsoleSession | undefined> {
  const { rows } = await pool.query<{ token_digest: Buffer; csrf_token: string; expires_at: Date }>(
    'select token_digest, csrf_token, expires_at from console_sessions where id_digest = $1 and expires_at > now()',
    [idDigest],
  );
  const row = rows[0];
  return row && { tokenDigest: row.token_digest, csrfToken: row.csrf_token, expiresAt: row.expires_at };
}

export async function deleteConsoleSession(pool: Pool, idDigest: Buffer): Promise<void> {
  await pool.query('delete from console_sessions where id_digest = $1', [idDigest]);
}

/** Deletes expired sessions (a periodic job of the api role); returns how many. */
export async function applyConsoleSessionExpiry(pool: Pool): Promise<number> {
  return (await pool.query('delete from console_sessions where expires_at <= now()')).rowCount ?? 0;
}
