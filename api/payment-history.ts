/**
 * GET /payments/:id/history (operators): everything that happened to a payment, oldest first, for the operator
 * console. The saga's side comes from its Temporal history (temporal/saga-history.ts); the rest from the
 * database: its timeline, the operator audit, its reservation, ledger transactions and webhook deliveries. When
 * the saga's history is gone or Temporal does not answer, the database's side still comes, saying so.
 * Webhook endpoints appear by id only: never their url or secret.
 */
import type { Client } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import type { Config } from '../config';
import { formatMinorUnits } from '../contracts/money';
import type { Pool } from '../db/pool';
import { readSagaHistory } from '../temporal/saga-history';
import { paymentWorkflowId } from '../workflows/shared';
import type { PaymentHistoryEntry } from './history-schemas';
import { findPaymentRow, summaryOf } from './payments';
import { problem } from './problem';

type Entry = PaymentHistoryEntry;
const entry = (at: Date, kind: Entry['kind'], title: string, detail: Record<string, unknown>): Entry => ({
  at: at.toISOString(),
  kind,
  source: 'database',
  title,
  detail,
});

/** The saga in the Temporal Web UI (the path its dev server and releases serve a workflow at). */
export const temporalUiUrl = (config: Config, workflowId: string) =>
  `${config.temporal.uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(config.temporal.namespace)}` +
  `/workflows/${encodeURIComponent(workflowId)}`;

/** The payment's timeline rows: its request, the saga's wait, its decision. */
async function timelineEntries(pool: Pool, paymentId: string): Promise<Entry[]> {
  const { rows } = await pool.query<{ at: Date; status: string; detail: Record<string, unknown> }>(
    'select at, status, detail from payment_timeline where payment_id = $1 order by id',
    [paymentId],
  );
  return rows.map((r) => {
    if (r.status === 'RECEIVED') return entry(r.at, 'request', 'payment requested', { status: r.status, ...r.detail });
    if (r.status === 'AUTHORIZED' || r.status === 'DECLINED')
      return entry(r.at, 'decision', `${r.status} (${String(r.detail.reason)}) by ${String(r.detail.decidedBy)}`, {
        status: r.status,
        ...r.detail,
      });
    return entry(r.at, 'status', r.status, { status: r.status, ...r.detail });
  });
}

/** Operator actions on the payment: overrides with their outcome, and webhook redeliveries. */
async function operatorAuditEntries(pool: Pool, paymentId: string): Promise<Entry[]> {
  const { rows } = await pool.query<{
    signal_id: string;
    action: 'override' | 'redeliver_webhook';
    operator: string;
    decision: string | null;
    reason: string;
    outcome: string;
    detail: Record<string, unknown>;
    recorded_at: Date;
  }>(
    `select signal_id, action, operator, decision, reason, outcome, detail, recorded_at
     from operator_audit where payment_id = $1 order by id`,
    [paymentId],
  );
  return rows.map((r) =>
    entry(
      r.recorded_at,
      'override',
      r.action === 'override' ? `${r.decision} by ${r.operator}: ${r.outcome}` : `webhook redelivered by ${r.operator}`,
      {
        action: r.action,
        operator: r.operator,
        reason: r.reason,
        outcome: r.outcome,
        ...(r.action === 'override' ? { decision: r.decision, signalId: r.signal_id } : r.detail),
      },
    ),
  );
}

/** The payment's hold on its account's funds: held, then authorized or released (and why). */
async function reservationEntries(pool: Pool, paymentId: string): Promise<Entry[]> {
  const { rows } = await pool.query<{
    account_id: string;
    amount: number;
    currency: string;
    forced: boolean;
    reserved_at: Date;
    authorized_at: Date | null;
    released_at: Date | null;
    release_reason: string | null;
  }>(
    `select account_id, amount, currency, forced, reserved_at, authorized_at, released_at, release_reason
     from reservations where payment_id = $1`,
    [paymentId],
  );
  return rows.flatMap((r) => {
    const held = { accountId: r.account_id, amount: r.amount, currency: r.currency.trim(), forced: r.forced };
    const money = formatMinorUnits(r.amount, held.currency);
    return [
      entry(r.reserved_at, 'reservation', `${money} held${r.forced ? ' (forced by an operator)' : ''}`, {
        state: 'held',
        ...held,
      }),
      ...(r.authorized_at
        ? [entry(r.authorized_at, 'reservation', `${money} authorized`, { state: 'authorized', ...held })]
        : []),
      ...(r.released_at
        ? [
            entry(r.released_at, 'reservation', `${money} released (${r.release_reason})`, {
              state: 'released',
              reason: r.release_reason,
              ...held,
            }),
          ]
        : []),
    ];
  });
}

/** The payment's ledger transactions, each with its entries (they balance per transaction). */
async function ledgerEntries(pool: Pool, paymentId: string): Promise<Entry[]> {
  const { rows } = await pool.query<{
    transaction_id: string;
    kind: string;
    created_at: Date;
    entries: { ledgerAccount: string; direction: 'debit' | 'credit'; amount: number; currency: string }[];
  }>(
    `select t.transaction_id, t.kind, t.created_at,
            json_agg(json_build_object('ledgerAccount', e.ledger_account, 'direction', e.direction,
                                       'amount', e.amount, 'currency', e.currency) order by e.id) as entries
     from ledger_transactions t join ledger_entries e using (transaction_id)
     where t.payment_id = $1 group by t.transaction_id, t.kind, t.created_at order by t.created_at, t.transaction_id`,
    [paymentId],
  );
  return rows.map((r) => {
    const entries = r.entries.map((e) => ({ ...e, amount: Number(e.amount), currency: e.currency.trim() }));
    const side = (d: 'debit' | 'credit') =>
      entries
        .filter((e) => e.direction === d)
        .map((e) => `${e.ledgerAccount} ${formatMinorUnits(e.amount, e.currency)}`)
        .join(', ');
    return entry(r.created_at, 'ledger-entry', `${r.kind}: debit ${side('debit')}; credit ${side('credit')}`, {
      transactionId: r.transaction_id,
      kind: r.kind,
      entries,
    });
  });
}

/** Webhook deliveries of the payment's decision, and those the notifier gave up on (endpoint ids only). */
async function webhookEntries(pool: Pool, paymentId: string): Promise<Entry[]> {
  const deliveries = await pool.query<{
    endpoint_id: string;
    event_id: string;
    status: 'pending' | 'delivered';
    attempts: number;
    last_error: string | null;
    last_status: number | null;
    created_at: Date;
    delivered_at: Date | null;
  }>(
    `select endpoint_id, event_id::text, status, attempts, last_error, last_status, created_at, delivered_at
     from webhook_deliveries where payment_id = $1 order by id`,
    [paymentId],
  );
  const deadLetters = await pool.query<{
    endpoint_id: string;
    event_id: string;
    attempts: number;
    last_error: string;
    last_status: number | null;
    dead_lettered_at: Date;
  }>(
    `select endpoint_id, event_id::text, attempts, last_error, last_status, dead_lettered_at
     from webhook_dead_letters where payment_id = $1 order by id`,
    [paymentId],
  );
  return [
    ...deliveries.rows.map((r) =>
      entry(
        r.delivered_at ?? r.created_at,
        'webhook-delivery',
        r.status === 'delivered'
          ? `webhook delivered to ${r.endpoint_id} (attempt ${r.attempts})`
          : `webhook to ${r.endpoint_id} pending after ${r.attempts} attempt(s)${r.last_error ? `: ${r.last_error}` : ''}`,
        {
          endpointId: r.endpoint_id,
          eventId: r.event_id,
          status: r.status,
          attempts: r.attempts,
          lastError: r.last_error,
          lastStatus: r.last_status,
        },
      ),
    ),
    ...deadLetters.rows.map((r) =>
      entry(
        r.dead_lettered_at,
        'webhook-delivery',
        `webhook to ${r.endpoint_id} dead-lettered after ${r.attempts} attempts: ${r.last_error}`,
        {
          endpointId: r.endpoint_id,
          eventId: r.event_id,
          status: 'dead-lettered',
          attempts: r.attempts,
          lastError: r.last_error,
          lastStatus: r.last_status,
        },
      ),
    ),
  ];
}

/** The whole history of a payment, or undefined for an unknown payment. */
export async function paymentHistory(opts: { pool: Pool; client: Client; config: Config }, paymentId: string) {
  const { pool, client, config } = opts;
  const row = await findPaymentRow(pool, paymentId);
  if (!row) return undefined;
  const workflowId = paymentWorkflowId(row.payment_id);
  const payment = summaryOf(row);
  const [saga, ...database] = await Promise.all([
    readSagaHistory(client, workflowId, payment),
    timelineEntries(pool, row.payment_id),
    operatorAuditEntries(pool, row.payment_id),
    reservationEntries(pool, row.payment_id),
    ledgerEntries(pool, row.payment_id),
    webhookEntries(pool, row.payment_id),
  ]);
  const entries: Entry[] = [...(saga.status === 'available' ? saga.entries : []), ...database.flat()];
  // Stable: entries at the same instant keep the order their reader gave them.
  entries.sort((a, b) => a.at.localeCompare(b.at));
  return {
    paymentId: row.payment_id,
    workflowId,
    temporalUiUrl: temporalUiUrl(config, workflowId),
    sagaHistory: saga.status,
    sagaHistoryReason: saga.status === 'unavailable' ? saga.reason : null,
    payment,
    entries,
  };
}

export function paymentHistoryRoutes(opts: {
  pool: Pool;
  client: Client;
  config: Config;
  requireRole: (...roles: ('client' | 'operator')[]) => (req: Request, res: Response, next: () => void) => unknown;
}): Router {
  const router = Router();
  router.get('/payments/:paymentId/history', opts.requireRole('operator'), async (req: Request<{ paymentId: string }>, res) => {
    const history = await paymentHistory(opts, req.params.paymentId);
    if (!history) return problem(res, 404, 'payment not found');
    res.json(history);
  });
  return router;
}
