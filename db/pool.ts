import pg from 'pg';
import type { Config } from '../config';
import { logger } from '../observability/logger';

// int8 (bigint) columns hold money in minor units: parse them as BigInt-safe numbers only where safe.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
});

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const preparedTexts = new Map<string, string>();

/**
 * A statement of the hot path, prepared once per connection: PostgreSQL parses and plans it the first time a
 * connection runs it rather than every time (measured on this machine: 0.12 → 0.07 ms of the server's CPU for one
 * insert; docs/performance.md). Only for statements whose best plan does not depend on their values (keys, not
 * optional filters): the server may keep one generic plan for every execution. Names are unique, one text each.
 */
export function prepared(name: string, text: string): (values: unknown[]) => pg.QueryConfig {
  const known = preparedTexts.get(name);
  if (known !== undefined && known !== text)
    throw new Error(`prepared statement "${name}" is declared twice with different text`);
  preparedTexts.set(name, text);
  return (values) => ({ name, text, values });
}

const ignoreClientError = () => undefined;

export function createPool(config: Config): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.database.url,
    max: config.database.poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that the server closes (a restart: "terminating connection due to administrator
  // command") is an 'error' event; unhandled, it would end the process. The pool drops that connection and
  // opens a new one on the next query, and the callers' retries carry on.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'database: an idle connection was lost; the pool replaces it'));
  // A connection the server closes while it is checked out but between queries (a restart's "terminating connection
  // due to administrator command") also emits 'error' on its client; the pool listens only while the client is idle.
  // Unheard, that event ended the process (the fault suite's api, under load during a PostgreSQL restart). Every
  // client of the pool therefore has a listener of its own: the failure reaches its user through the next query on
  // it, which fails, and the client is then released as broken and replaced.
  pool.on('connect', (client) => client.on('error', ignoreClientError));
  return pool;
}

/** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out connection that the server closes emits 'error' besides failing its query; without a
  // listener that event would end the process. The failed query rejects fn, and the catch below destroys it.
  const onError = (err: Error) => logger.warn({ err: err.message }, 'database: connection lost mid-transaction');
  client.on('error', onError);
  let result: T;
  try {
    await client.query('begin');
    result = await fn(client);
    await client.query('commit');
  } catch (err) {
    // A connection that cannot roll back is broken (the server went away): destroy it rather than pool it.
    const broken = await client.query('rollback').then(
      () => undefined,
      (rollbackError: Error) => rollbackError,
    );
    client.removeListener('error', onError);
    client.release(broken);
    throw err;
  }
  client.removeListener('error', onError);
  client.release();
  return result;
}
