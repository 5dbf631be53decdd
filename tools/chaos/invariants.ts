/**
 * The invariants the fault suite checks once the load has drained (DESIGN.md §7), each violation named by its
 * invariant and payment. Sources: the decided topic (read to its end), payment_decisions, the read model, the
 * gateway's records, the ledger and the audit table, the webhooks received, the api's merchant totals,
 * Temporal's visibility, reconciliation, and the supervisor's record of exits.
 */
import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import type { Config } from '../../config';
import { EVENT_TYPES } from '../../contracts/events';
import type { PaymentDecided } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import type { Pool } from '../../db/pool';
import { decodeRecord } from '../../kafka/consumer';
import { readToEnd } from '../../kafka/read-to-end';
import { trialBalance } from '../../ledger/views';
import { reconcile } from '../../reconcile';
import { paymentWorkflowId } from '../../workflows/shared';
import type { TrackedPayment } from './load';
import type { ChaosSchedule } from './schedule';
import type { RoleExit } from '../supervisor';
import type { ReceivedWebhook } from './webhooks';

export const INVARIANTS = [
  'decided-exactly-once',
  'one-key-one-payment',
  'gateway-ledger-decisions',
  'no-overspend',
  'ledger-balanced',
  'overrides-audited',
  'read-model-agrees',
  'webhooks-agree',
  'merchant-totals-agree',
  'no-saga-stuck',
  'roles-ride-out-restarts',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  invariant: Invariant;
  paymentId?: string;
  detail: string;
}

export interface CheckInput {
  config: Config;
  pool: Pool;
  kafka: Kafka;
  temporal: Client;
  schedule: ChaosSchedule;
  tracked: TrackedPayment[];
  webhooks: Map<string, ReceivedWebhook>;
  exits: RoleExit[];
  apiUrl: string;
  operatorToken: string;
  startedAt: Date;
}

export interface Decided {
  eventId: string;
  data: PaymentDecided;
}

/** Every decided event of these payments on the topic, by payment, one entry per distinct event id. */
export async function decidedEvents(
  kafka: Kafka,
  config: Config,
  ids: Set<string>,
): Promise<Map<string, Map<string, PaymentDecided>>> {
  const out = new Map<string, Map<string, PaymentDecided>>();
  await readToEnd(kafka, {
    topics: [TOPICS.paymentDecided],
    groupPrefix: `${config.kafka.clientId}-chaos-check`,
    timeoutMs: 120_000,
    eachMessage: async ({ message }) => {
      let event;
      try {
        event = decodeRecord(EVENT_TYPES.paymentDecided, message.value);
      } catch {
        return; // a poison record from another suite: not a decision
      }
      if (!ids.has(event.data.paymentId)) return;
      const byId = out.get(event.data.paymentId) ?? new Map<string, PaymentDecided>();
      byId.set(event.id, event.data);
      out.set(event.data.paymentId, byId);
    },
  });
  return out;
}

const totalsView = z.object({
  totals: z.array(z.object({ currency: z.string(), authorizedAmount: z.number(), authorizedCount: z.number() })),
});

export async function checkInvariants(input: CheckInput): Promise<{ violations: Violation[]; decisions: Map<string, Decided> }> {
  const { pool, schedule } = input;
  const violations: Violation[] = [];
  const violate = (invariant: Invariant, detail: string, paymentId?: string) =>
    violations.push({ invariant, detail, ...(paymentId ? { paymentId } : {}) });

  const accepted = input.tracked.filter((t) => t.accepted && t.paymentId);
  const ids = new Set(accepted.map((t) => t.paymentId!));
  const idList = [...ids];

  // Each payment decided exactly once, with one decision event id on the topic and in payment_decisions.
  const events = await decidedEvents(input.kafka, input.config, ids);
  const stored = new Map(
    (
      await pool.query<{ payment_id: string; event_id: string }>(
        'select payment_id, event_id from payment_decisions where payment_id = any($1::text[])',
        [idList],
      )
    ).rows.map((r) => [r.payment_id, r.event_id]),
  );
  const decisions = new Map<string, Decided>();
  for (const id of ids) {
    const byId = events.get(id);
    if (!byId || byId.size === 0) {
      violate(
        'decided-exactly-once',
        `accepted but never decided${stored.has(id) ? ' on the topic (payment_decisions has it)' : ''}`,
        id,
      );
      continue;
    }
    if (byId.size > 1)
      violate(
        'decided-exactly-once',
        `${byId.size} decisions: ${[...byId].map(([e, d]) => `${d.decision} ${d.reason} (${e})`).join(', ')}`,
        id,
      );
    const [eventId, data] = [...byId][0]!;
    decisions.set(id, { eventId, data });
    const row = stored.get(id);
    if (!row) violate('decided-exactly-once', 'decided on the topic, no payment_decisions row', id);
    else if (![...byId.keys()].includes(row))
      violate('decided-exactly-once', `payment_decisions has event ${row}, the topic ${eventId}`, id);
  }

  // One Idempotency-Key, one payment.
  for (const t of input.tracked) {
    if (t.answeredIds.size > 1)
      violate('one-key-one-payment', `key ${t.planned.key} answered ${[...t.answeredIds].join(', ')}`, t.paymentId);
  }

  // Gateway = ledger = AUTHORIZED decisions, no live authorization on a declined payment: reconciliation.
  const report = await reconcile({
    config: input.config,
    pool,
    kafka: input.kafka,
    from: new Date(input.startedAt.getTime() - 60_000),
    to: new Date(Date.now() + 1_000),
  });
  for (const m of report.mismatches.filter((m) => ids.has(m.paymentId))) {
    violate('gateway-ledger-decisions', `${m.kind}: ${m.detail}`, m.paymentId);
  }

  // No overspend: the legacy feed is honest (feed.ts), so an account's rule-authorized payments stay within its
  // opening balance; only audited operator approvals may go beyond it, and only they may say they did.
  const authorized = [...decisions.values()].filter((d) => d.data.decision === 'AUTHORIZED');
  for (const account of schedule.accounts) {
    const mine = authorized.filter((d) => d.data.accountId === account.accountId);
    const byRules = mine.filter((d) => d.data.decidedBy !== 'operator').reduce((s, d) => s + d.data.amount, 0);
    if (byRules > account.balance)
      violate('no-overspend', `${account.accountId}: ${byRules} authorized by the rules, opening balance ${account.balance}`);
  }
  for (const d of authorized) {
    if (d.data.exceededAvailableFunds && d.data.decidedBy !== 'operator')
      violate('no-overspend', `exceeded the available funds without an operator (${d.data.decidedBy})`, d.data.paymentId);
  }

  // The ledger balances in total (per transaction: reconciliation above).
  const trial = await trialBalance(pool);
  if (!trial.balanced) violate('ledger-balanced', `debits ≠ credits: ${JSON.stringify(trial.totals)}`);

  // Every override applied has its own audit row; every override the api accepted was audited.
  const audits = await pool.query<{ payment_id: string; outcome: string }>(
    'select payment_id, outcome from operator_audit where payment_id = any($1::text[])',
    [idList],
  );
  const auditOf = (id: string) => audits.rows.filter((r) => r.payment_id === id);
  for (const d of decisions.values()) {
    if (d.data.decidedBy === 'operator' && !auditOf(d.data.paymentId).some((r) => r.outcome === 'applied'))
      violate('overrides-audited', `decided by an operator (${d.data.reason}) without an applied audit row`, d.data.paymentId);
  }
  for (const t of accepted) {
    if (t.override?.status === 202 && auditOf(t.paymentId!).length === 0)
      violate('overrides-audited', `override accepted (202, key ${t.override.key}) with no audit row`, t.paymentId);
  }

  // The read model shows each decision.
  const views = new Map(
    (
      await pool.query<{ payment_id: string; status: string; decision: string | null; reason: string | null }>(
        'select payment_id, status, decision, reason from payments where payment_id = any($1::text[])',
        [idList],
      )
    ).rows.map((r) => [r.payment_id, r]),
  );
  for (const d of decisions.values()) {
    const v = views.get(d.data.paymentId);
    if (!v || v.decision !== d.data.decision || v.reason !== d.data.reason)
      violate(
        'read-model-agrees',
        `decided ${d.data.decision} ${d.data.reason}, read model ${v ? `${v.status} ${v.decision} ${v.reason}` : 'has no row'}`,
        d.data.paymentId,
      );
  }

  // Webhooks: one webhook id per decided payment, carrying its decision.
  for (const d of decisions.values()) {
    const w = input.webhooks.get(d.data.paymentId);
    if (!w) violate('webhooks-agree', `decided ${d.data.decision}, no webhook received`, d.data.paymentId);
    else if (w.webhookIds.size !== 1 || w.decisions.size !== 1 || !w.decisions.has(d.data.decision))
      violate(
        'webhooks-agree',
        `webhook ids ${[...w.webhookIds].join(',')} with ${[...w.decisions].join(',')}; decided ${d.data.decision}`,
        d.data.paymentId,
      );
  }

  // Merchant totals (through the api, as an operator reads them) = the AUTHORIZED decisions.
  for (const merchantId of schedule.merchants) {
    const mine = authorized.filter((d) => d.data.merchantId === merchantId);
    const expected = { amount: mine.reduce((s, d) => s + d.data.amount, 0), count: mine.length };
    const res = await fetch(`${input.apiUrl}/merchants/${encodeURIComponent(merchantId)}/totals`, {
      headers: { authorization: `Bearer ${input.operatorToken}` },
      signal: AbortSignal.timeout(10_000),
    }).catch((err: Error) => err);
    if (res instanceof Error || !res.ok) {
      violate(
        'merchant-totals-agree',
        `${merchantId}: totals unavailable (${res instanceof Error ? res.message : `${res.status} ${await res.text()}`})`,
      );
      continue;
    }
    const view = totalsView.parse(await res.json()).totals.find((t) => t.currency === schedule.currency);
    const got = { amount: view?.authorizedAmount ?? 0, count: view?.authorizedCount ?? 0 };
    if (got.amount !== expected.amount || got.count !== expected.count)
      violate(
        'merchant-totals-agree',
        `${merchantId}: totals ${got.count} / ${got.amount}, decisions ${expected.count} / ${expected.amount}`,
      );
  }

  // No saga stuck: every workflow of the run closed. Its sagas are the running ones started since the run began
  // whose ids are the run's (search attributes name no account: docs/security.md).
  const since = new Date(input.startedAt.getTime() - 60_000).toISOString();
  const query = `WorkflowType = "authorizePayment" AND ExecutionStatus = "Running" AND StartTime >= "${since}"`;
  const workflowIds = new Set(idList.map(paymentWorkflowId));
  const running: string[] = [];
  for await (const wf of input.temporal.workflow.list({ query })) {
    if (workflowIds.has(wf.workflowId)) running.push(wf.workflowId);
    if (running.length >= 50) break;
  }
  for (const id of running) violate('no-saga-stuck', `workflow ${id} still running after the drain`);

  // No role exits by itself (an engine restart must not take it down).
  for (const e of input.exits.filter((e) => !e.planned)) {
    violate(
      'roles-ride-out-restarts',
      `${e.instance} exited by itself at ${e.at} (code ${e.code}, signal ${e.signal}); the supervisor restarted it`,
    );
  }
  return { violations, decisions };
}
