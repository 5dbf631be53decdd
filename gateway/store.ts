/** The simulator's persistent idempotency records (schema `gateway`): same key, same result, never a second charge. */
import { createHash, randomUUID } from 'node:crypto';
import type { GatewayAuthorizationRecord, GatewayAuthorizationRequest } from '../contracts/gateway';
import { withTransaction, type Pool } from '../db/pool';

/** A stored authorization: what the gateway reports (contracts/gateway.ts), and its own bookkeeping. */
export interface AuthorizationRecord extends GatewayAuthorizationRecord {
  idempotencyKey: string;
  declineCode: string | null;
  createdAt: Date;
  voidedAt: Date | null;
}

export type AuthorizeResult =
  { kind: 'new' | 'replay'; record: AuthorizationRecord } | { kind: 'key-reused'; record: AuthorizationRecord };

const COLUMNS = `idempotency_key as "idempotencyKey", payment_id as "paymentId", account_id as "accountId",
  merchant_id as "merchantId", amount, currency, status, authorization_id as "authorizationId",
  decline_code as "declineCode", created_at as "createdAt", voided_at as "voidedAt"`;

const requestHash = (r: GatewayAuthorizationRequest) =>
  createHash('sha256')
    .update(JSON.stringify([r.paymentId, r.accountId, r.merchantId, r.amount, r.currency]))
    .digest('hex');

export function createGatewayStore(pool: Pool) {
  return {
    /**
     * Authorizes (or declines) once per idempotency key. Requests with the same key are serialised by an
     * advisory lock, so a retry that arrives while the first is still being handled waits and replays it.
     */
    async authorize(key: string, request: GatewayAuthorizationRequest, decline: boolean): Promise<AuthorizeResult> {
      const hash = requestHash(request);
      return withTransaction(pool, async (tx) => {
        await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`gateway:${key}`]);
        const existing = await tx.query<AuthorizationRecord & { requestHash: string }>(
          `select ${COLUMNS}, request_hash as "requestHash" from gateway.authorizations where idempotency_key = $1`,
          [key],
        );
        const found = existing.rows[0];
        if (found) {
          const { requestHash: storedHash, ...record } = found;
          return { kind: storedHash === hash ? 'replay' : 'key-reused', record };
        }
        const { rows } = await tx.query<AuthorizationRecord>(
          `insert into gateway.authorizations
             (idempotency_key, request_hash, payment_id, account_id, merchant_id, amount, currency, status, authorization_id, decline_code)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning ${COLUMNS}`,
          [
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
          ],
        );
        return { kind: 'new', record: rows[0]! };
      });
    },

    /** Voids the payment's authorization; idempotent. Undefined when there is nothing to void. */
    async void(paymentId: string): Promise<AuthorizationRecord | undefined> {
      const { rows } = await pool.query<AuthorizationRecord>(
        `update gateway.authorizations set status = 'voided', voided_at = coalesce(voided_at, now())
         where payment_id = $1 and status in ('authorized', 'voided') returning ${COLUMNS}`,
        [paymentId],
      );
      return rows[0];
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
