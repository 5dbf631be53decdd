/** /payments routes: accept a payment, read its status, override it (DESIGN.md §3). */
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import type { Config } from '../config';
import { envelope, EVENT_TYPES } from '../contracts/events';
import type { Override, PaymentRequest } from '../contracts/payment';
import { recordOverrideRequest, rejectOverrideRequest } from '../db/operator-audit';
import { withTransaction, type Pool } from '../db/pool';
import { logger, paymentBindings } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { applyPaymentRequested } from '../read-model/projection';
import { isAlreadyStarted, sagaInput, sagaMetadata, sagaPolicy } from '../temporal/start-payment';
import type { authorizePayment } from '../workflows';
import { initialSearchAttributes } from '../workflows/search-attributes';
import { overrideSignal, paymentWorkflowId, statusQuery } from '../workflows/shared';
import { callerOf, mayRead } from './auth';
import { timelineDetailFor } from './timeline-detail';
import { answerOf, claimKey, completeKey, KeyClaimLost, releaseKey, requestHash } from './idempotency';
import { encodeTimeIdCursor } from './cursor';
import { overrideDetail, overrideSignalId } from './override-detail';
import { fieldErrors, problem } from './problem';
import { createPaymentBody, listPaymentsQuery, overrideBody } from './schemas';

/** How long the api waits for the saga's status after an override (the override stands either way). */
const STATUS_QUERY_TIMEOUT_MS = 2_000;

export interface PaymentRoutesHooks {
  /** Test hook: runs after the Idempotency-Key is claimed, before the payment is written. */
  afterKeyClaimed?: () => Promise<void>;
}

interface PaymentRow {
  payment_id: string;
  /** Who asked for it over the api (payment_callers); null for a payment that came over Kafka. */
  caller: string | null;
  account_id: string;
  merchant_id: string;
  amount: number;
  currency: string;
  requested_at: Date;
  status: string;
  decision: string | null;
  reason: string | null;
  decided_by: string | null;
  gateway_authorization_id: string | null;
  decided_at: Date | null;
}

const paymentRequestOf = (row: PaymentRow): PaymentRequest => ({
  paymentId: row.payment_id,
  accountId: row.account_id,
  merchantId: row.merchant_id,
  amount: row.amount,
  currency: row.currency,
  requestedAt: row.requested_at.toISOString(),
});

export const summaryOf = (row: PaymentRow) => ({
  ...paymentRequestOf(row),
  status: row.status,
  decision: row.decision,
  reason: row.reason,
  decidedBy: row.decided_by,
  gatewayAuthorizationId: row.gateway_authorization_id,
  decidedAt: row.decided_at?.toISOString() ?? null,
});

/** A payment of the read model, and who asked for it over the api (undefined: unknown payment). */
export const findPaymentRow = async (pool: Pool, paymentId: string) =>
  (
    await pool.query<PaymentRow>(
      'select p.*, c.caller from payments p left join payment_callers c using (payment_id) where p.payment_id = $1',
      [paymentId],
    )
  ).rows[0];

/**
 * A payment with its timeline, read by one statement so both come from one snapshot: read one after the other, a
 * row could be older than the timeline beside it (a decided-first payment shown with both entries, but not yet the
 * request time its requested event wrote with the second).
 */
const findPaymentWithTimeline = async (pool: Pool, paymentId: string) =>
  (
    await pool.query<PaymentRow & { timeline: { at: string; status: string; detail: Record<string, unknown> }[] }>(
      `select p.*, c.caller,
              coalesce((select json_agg(json_build_object('at', t.at, 'status', t.status, 'detail', t.detail) order by t.at, t.id)
                          from payment_timeline t where t.payment_id = p.payment_id), '[]') as timeline
         from payments p left join payment_callers c using (payment_id) where p.payment_id = $1`,
      [paymentId],
    )
  ).rows[0];

/** The answer of a request that does not hold its Idempotency-Key: the first response again, or 409. */
const answerWithout = (res: Response, answer: { kind: 'replay'; status: number; body: unknown } | { kind: 'in-flight' }) => {
  if (answer.kind === 'in-flight')
    return problem(res, 409, 'a request with this Idempotency-Key is still in flight', { detail: 'retry later' });
  res.setHeader('Idempotent-Replayed', 'true');
  return res.status(answer.status).json(answer.body);
};

const validKey = (key: string | undefined) => key !== undefined && /^[\x21-\x7e]{1,255}$/.test(key);

export function paymentRoutes(opts: {
  pool: Pool;
  client: Client;
  config: Config;
  requireRole: (...roles: ('client' | 'operator')[]) => (req: Request, res: Response, next: () => void) => unknown;
  hooks?: PaymentRoutesHooks;
  /** How long an Idempotency-Key claim lasts before a retry may take it over (tests shorten it). */
  idempotencyLeaseMs?: number;
}): Router {
  const { pool, client, config, requireRole, hooks, idempotencyLeaseMs } = opts;
  const router = Router();

  const findPayment = (paymentId: string) => findPaymentRow(pool, paymentId);

  router.post('/payments', requireRole('client'), async (req, res) => {
    const { subject: caller, merchants } = callerOf(res);
    const key = req.header('idempotency-key');
    if (!validKey(key))
      return problem(res, 400, 'Idempotency-Key header required', { detail: '1 to 255 visible ASCII characters' });
    const parsed = createPaymentBody.safeParse(req.body);
    if (!parsed.success) return problem(res, 400, 'invalid payment request', { errors: fieldErrors(parsed.error) });
    const body = parsed.data;
    if (merchants && !merchants.includes(body.merchantId))
      return problem(res, 403, 'merchant not allowed', {
        detail: `this token may not create payments for merchant ${body.merchantId}`,
      });

    const hash = requestHash([body.accountId, body.merchantId, body.amount, body.currency]);
    const claim = await claimKey(pool, caller, key!, hash, idempotencyLeaseMs);
    if (claim.kind === 'mismatch') return problem(res, 422, 'Idempotency-Key reused with a different request body');
    if (claim.kind !== 'claimed') return answerWithout(res, claim);

    try {
      await hooks?.afterKeyClaimed?.();
      const payment: PaymentRequest = { paymentId: randomUUID(), ...body, requestedAt: new Date().toISOString() };
      const accepted = { paymentId: payment.paymentId, status: 'RECEIVED' as const, statusUrl: `/payments/${payment.paymentId}` };
      await withTransaction(pool, async (tx) => {
        // The key completed with the answer to replay, who asked, and the requested event in the outbox, in one
        // statement whose writes read from the key's completion: a request whose claim was taken over writes nothing
        // (the key's row lock also makes a concurrent take-over wait for this transaction, then find the key done).
        // The record carries this request's trace context, so the saga's spans join its trace.
        const event = envelope(EVENT_TYPES.paymentRequested, randomUUID(), payment.requestedAt, payment);
        await completeKey(tx, caller, key!, claim.token, 202, accepted, {
          paymentId: payment.paymentId,
          requestedAt: payment.requestedAt,
          event,
        });
        // The read model applies the event here as well as from Kafka (where the inbox then skips it), so a
        // client can read its payment the moment it is accepted.
        await applyPaymentRequested(tx, event);
      });
      metrics.paymentsAccepted.inc();
      trace.getActiveSpan()?.setAttribute('paysaga.payment_id', payment.paymentId);
      logger.info({ ...paymentBindings(payment.paymentId), caller, accountId: payment.accountId }, 'payment accepted');
      res.status(202).location(accepted.statusUrl).json(accepted);
    } catch (err) {
      // This request outlived its lease and a retry took the key over: answer as that retry's duplicate would.
      if (err instanceof KeyClaimLost) {
        logger.warn({ caller }, 'Idempotency-Key claim taken over while the request ran; nothing written');
        return answerWithout(res, await answerOf(pool, caller, key!));
      }
      await releaseKey(pool, caller, key!, claim.token).catch(() => undefined);
      throw err;
    }
  });

  router.get('/payments', requireRole('client', 'operator'), async (req, res) => {
    const parsed = listPaymentsQuery.safeParse(req.query);
    if (!parsed.success) return problem(res, 400, 'invalid query', { errors: fieldErrors(parsed.error) });
    const { accountId, merchantId, status, limit, cursor: after } = parsed.data;
    const caller = callerOf(res);
    // Newest first; the cursor is the (requested_at, payment_id) of the last row of the previous page. A client
    // pages through its own records (payment_callers, indexed by caller and age); an operator through all (by
    // account or merchant: payments_by_account, payments_by_merchant).
    const own = !caller.roles.includes('operator');
    const { rows } = await pool.query<PaymentRow>(
      `select p.*, c.caller from ${own ? 'payment_callers c join payments p' : 'payments p left join payment_callers c'}
         using (payment_id)
       where ($1::text is null or p.account_id = $1) and ($2::text is null or p.status = $2)
         and ($3::text is null or c.caller = $3) and ($7::text is null or p.merchant_id = $7)
         and ($4::timestamptz is null or (${own ? 'c' : 'p'}.requested_at, payment_id) < ($4, $5))
       order by ${own ? 'c' : 'p'}.requested_at desc, payment_id desc limit $6`,
      [
        accountId ?? null,
        status ?? null,
        own ? caller.subject : null,
        after?.at ?? null,
        after?.id ?? null,
        limit + 1,
        merchantId ?? null,
      ],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    res.json({
      payments: page.map(summaryOf),
      nextCursor: rows.length > limit && last ? encodeTimeIdCursor({ at: last.requested_at, id: last.payment_id }) : null,
    });
  });

  router.get('/payments/:paymentId', requireRole('client', 'operator'), async (req: Request<{ paymentId: string }>, res) => {
    const caller = callerOf(res);
    const row = await findPaymentWithTimeline(pool, req.params.paymentId);
    if (!row || !mayRead(caller, row.caller)) return problem(res, 404, 'payment not found');
    res.json({
      ...summaryOf(row),
      timeline: row.timeline.map((t) => ({
        at: new Date(t.at).toISOString(),
        status: t.status,
        detail: timelineDetailFor(caller, t.status, t.detail),
      })),
    });
  });

  router.post('/payments/:paymentId/override', requireRole('operator'), async (req: Request<{ paymentId: string }>, res) => {
    const operator = callerOf(res).subject;
    const parsed = overrideBody.safeParse(req.body);
    if (!parsed.success) return problem(res, 400, 'invalid override', { errors: fieldErrors(parsed.error) });
    const row = await findPayment(req.params.paymentId);
    if (!row) return problem(res, 404, 'payment not found');

    // The same key from the same operator on the same payment is the same signal (the saga ignores a repeat).
    const key = req.header('idempotency-key');
    const signalId = overrideSignalId(row.payment_id, operator, validKey(key) ? key! : randomUUID());
    const override: Override = { signalId, operator, ...parsed.data };
    if (row.decision) {
      metrics.overrides.inc({ decision: override.decision, outcome: 'rejected_already_decided' });
      await recordOverrideRequest(pool, row.payment_id, override, 'rejected_already_decided');
      return problem(res, 409, 'payment already decided', { detail: `${row.decision} (${row.reason})` });
    }
    await recordOverrideRequest(pool, row.payment_id, override, 'requested');
    metrics.overrides.inc({ decision: override.decision, outcome: 'requested' });
    logger.info({ ...paymentBindings(row.payment_id), operator, decision: override.decision }, 'override requested');
    const payment = paymentRequestOf(row);
    const policy = sagaPolicy(config);
    try {
      // Starts the saga if the bridge has not yet (the later start from Kafka is then a no-op).
      await client.workflow.signalWithStart<typeof authorizePayment, [Override]>('authorizePayment', {
        workflowId: paymentWorkflowId(payment.paymentId),
        taskQueue: config.temporal.taskQueue,
        args: [sagaInput(payment, policy)],
        typedSearchAttributes: initialSearchAttributes(payment),
        ...sagaMetadata(payment, policy),
        signal: overrideSignal,
        signalArgs: [override],
        // A closed saga is decided: never start a second run for the same payment.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      if (!isAlreadyStarted(err)) throw err;
      await rejectOverrideRequest(pool, row.payment_id, signalId);
      return problem(res, 409, 'payment already decided');
    }
    // The saga's state once it has the signal (a query sees every signal sent before it), to tell the operator
    // what happens; the override stands whether or not the query answers.
    const status = await client
      .withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () =>
        client.workflow.getHandle(paymentWorkflowId(payment.paymentId)).query(statusQuery),
      )
      .catch((err: unknown) => {
        logger.warn({ ...paymentBindings(row.payment_id), err: (err as Error).message }, 'override: status query failed');
        return undefined;
      });
    res.status(202).json({
      paymentId: payment.paymentId,
      signalId,
      status: 'OVERRIDE_REQUESTED',
      state: status?.state ?? null,
      detail: overrideDetail(override.decision, signalId, status),
    });
  });

  return router;
}
