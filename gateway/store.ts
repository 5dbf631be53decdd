/** The simulator's persistent idempotency records (schema `gateway`): same key, same result, never a second charge. */
import { createHash, randomUUID } from 'node:crypto';
import type { GatewayAuthorizationRecord, GatewayAuthorizationRequest } from '../contracts/gateway';
import { prepared, withTransaction, type Pool, type PoolClient } from '../db/pool';

/** A stored authorization: what the gateway reports (contracts/gateway.ts), and its own bookkeeping. */
export interface AuthorizationRecord extends GatewayAuthorizationRecord {
  idempotencyKey: string;
  declineCode: string | null;
  createdAt: Date;
  voidedAt: Date | null;
}

/** `voided`: the key was voided (before or after it authorized); nothing is authorized with it any more. */
export type AuthorizeResult = { kind: 'new' | 'replay' | 'key-reused' | 'voided'; record: AuthorizationRecord };

const COLUMNS = `idempotency_key as "idempotencyKey", payment_id as "paymentId", account_id as "accountId",
  merchant_id as "merchantId", amount, currency, status, authorization_id as "authorizationId",
  decline_code as "declineCode", created_at as "createdAt", voided_at as "voidedAt"`;

const requestHash = (r: GatewayAuthorizationRequest) =>
  createHash('sha256')
    .update(JSON.stringify([r.paymentId, r.accountId, r.merchantId, r.amount, r.currency]))
    .digest('hex');

/**
 * A void of a key that has no authorization yet stores a tombstone under that key: voided, without an
 * authorization id. It knows nothing of the payment but its id, so it holds no account, merchant or amount
 * (empty, 0, and XXX, ISO 4217's code for "no currency").
 */
const TOMBSTONE = { requestHash: '', accountId: '', merchantId: '', amount: 0, currency: 'XXX' } as const;

/** Serialises every authorize and void of one key, until the end of the caller's transaction. */
const lockKey = (tx: PoolClient, key: string) =>
  tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`gateway:${key}`]);

const insertNew = prepared(
  'gateway-authorize-new',
  `with locked as (select pg_advisory_xact_lock(hashtextextended('gateway:' || $1, 0)))
   insert into gateway.authorizations
     (idempotency_key, request_hash, payment_id, account_id, merchant_id, amount, currency, status, authorization_id, decline_code)
   select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 from locked
   on conflict (idempotency_key) do nothing returning ${COLUMNS}`,
);

const recordValues = (key: string, hash: string, request: GatewayAuthorizationRequest, decline: boolean) => [
  key,
  hash,
  request.paymentId,
  request.accountId,
  request.merchantId,
  request.amount,
  request.currency,
  decline ? 'declined' : 'authorized',
  decline ? null : `auth_${randomUUID()}`,
  decline ? 'do_not_honor' : null,
];

export function createGatewayStore(pool: Pool) {
  return {
    /**
     * Authorizes (or declines) once per idempotency key. Requests with the same key are serialised by an
     * advisory lock, so a retry that arrives while the first is still being handled waits and replays it. A
     * voided key never authorizes again: a late attempt (its caller gave up and compensated) gets `voided`.
     */
    async authorize(key: string, request: GatewayAuthorizationRequest, decline: boolean): Promise<AuthorizeResult> {
      const hash = requestHash(request);
      // A key seen for the first time (nearly every call): one statement takes the key's lock, then inserts. Its
      // conflict check sees every row committed or being written, so a key that has a record (or a void's tombstone)
      // inserts nothing, and is then read under the lock below.
      const inserted = await pool.query<AuthorizationRecord>(insertNew(recordValues(key, hash, request, decline)));
      if (inserted.rows[0]) return { kind: 'new', record: inserted.rows[0] };
      return withTransaction(pool, async (tx) => {
        await lockKey(tx, key);
        const existing = await tx.query<AuthorizationRecord & { requestHash: string }>(
          `select ${COLUMNS}, request_hash as "requestHash" from gateway.authorizations where idempotency_key = $1`,
          [key],
        );
        const found = existing.rows[0];
        if (found) {
          const { requestHash: storedHash, ...record } = found;
          if (record.status === 'voided') return { kind: 'voided', record };
          return { kind: storedHash === hash ? 'replay' : 'key-reused', record };
        }
        // The record the insert met is gone (a retention that ran in between): the key is new again.
        const { rows } = await tx.query<AuthorizationRecord>(insertNew(recordValues(key, hash, request, decline)));
        return { kind: 'new', record: rows[0]! };
      });
    },

    /**
     * Voids the authorization made with this key, idempotently, under the key's lock: an authorize of the
     * same key either committed before (and is voided here) or runs after (and finds the key voided). A key
     * with no record gets a tombstone, so the void wins over an attempt still on its way. Undefined when the
     * key was declined: there is nothing to void, and a decline never authorizes later.
     */
    async void(key: string): Promise<AuthorizationRecord | undefined> {
      return withTransaction(pool, async (tx) => {
        await lockKey(tx, key);
        const { rows } = await tx.query<AuthorizationRecord>(
          `update gateway.authorizations set status = 'voided', voided_at = coalesce(voided_at, now())
           where idempotency_key = $1 and status in ('authorized', 'voided') returning ${COLUMNS}`,
          [key],
        );
        if (rows[0]) return rows[0];
        const tombstone = await tx.query<AuthorizationRecord>(
          `insert into gateway.authorizations
             (idempotency_key, request_hash, payment_id, account_id, merchant_id, amount, currency, status, voided_at)
           values ($1, $2, $1, $3, $4, $5, $6, 'voided', now())
           on conflict (idempotency_key) do nothing returning ${COLUMNS}`,
          [key, TOMBSTONE.requestHash, TOMBSTONE.accountId, TOMBSTONE.merchantId, TOMBSTONE.amount, TOMBSTONE.currency],
        );
        return tombstone.rows[0]; // none: the key was declined
      });
    },

    /** Records created in [from, before), oldest first, a page at a time (the reconciliation report). */
    async report(window: { from: Date; before: Date }, page: { limit: number; after?: { at: Date; key: string } }) {
      const { rows } = await pool.query<AuthorizationRecord>(
        `select ${COLUMNS} from gateway.authorizations
         where created_at >= $1 and created_at < $2 and ($3::timestamptz is null or (created_at, idempotency_key) > ($3, $4))
         order by created_at, idempotency_key limit $5`,
        [window.from, window.before, page.after?.at ?? null, page.after?.key ?? null, page.limit],
      );
      return rows;
    },

    async list(filter: { paymentId?: string }): Promise<AuthorizationRecord[]> {
      const { rows } = await pool.query<AuthorizationRecord>(
        `select ${COLUMNS} from gateway.authorizations where ($1::text is null or payment_id = $1) order by created_at, payment_id`,
        [filter.paymentId ?? null],
      );
      return rows;
    },
  };
}
