/**
 * The audit log of operator actions (DESIGN.md §7.7), written only here: the api records each override
 * request, the saga what it did with it, and the api each webhook redelivery and each replay of a Kafka
 * dead-letter topic. A row is found by its signal id
 * and its payment together, so no writer can touch another payment's row.
 */
import { randomUUID } from 'node:crypto';
import type { Override } from '../contracts/payment';
import type { Pool, PoolClient } from './pool';

type Db = Pool | PoolClient;

/** What the saga did with an override it received. */
export type OverrideOutcome = 'applied' | 'ignored_already_decided';

/** The api received an override: `requested`, or `rejected_already_decided` when it refuses it (409). Once per signal id. */
export async function recordOverrideRequest(
  db: Db,
  paymentId: string,
  override: Override,
  outcome: 'requested' | 'rejected_already_decided',
): Promise<void> {
  await db.query(
    `insert into operator_audit (signal_id, payment_id, operator, decision, reason, outcome) values ($1, $2, $3, $4, $5, $6)
     on conflict (signal_id) do nothing`,
    [override.signalId, paymentId, override.operator, override.decision, override.reason, outcome],
  );
}

/** The api found the saga closed (decided) when it signalled: the request it recorded is refused. */
export async function rejectOverrideRequest(db: Db, paymentId: string, signalId: string): Promise<void> {
  await db.query(
    `update operator_audit set outcome = 'rejected_already_decided', recorded_at = now()
     where signal_id = $1 and payment_id = $2 and outcome = 'requested'`,
    [signalId, paymentId],
  );
}

/** The saga's outcome of an override, once: true when this call recorded it (a retried activity records nothing). */
export async function recordOverrideOutcome(
  db: Db,
  paymentId: string,
  override: Override,
  outcome: OverrideOutcome,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `insert into operator_audit (signal_id, payment_id, operator, decision, reason, outcome)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (signal_id) do update set outcome = excluded.outcome, recorded_at = now()
     where operator_audit.outcome = 'requested' and operator_audit.payment_id = excluded.payment_id`,
    [override.signalId, paymentId, override.operator, override.decision, override.reason, outcome],
  );
  return rowCount === 1;
}

/** An operator redelivered a dead-lettered webhook of a payment. */
export async function recordWebhookRedelivery(
  db: Db,
  redelivery: { paymentId: string; operator: string; reason: string; detail: Record<string, unknown> },
): Promise<void> {
  await db.query(
    `insert into operator_audit (signal_id, action, payment_id, operator, reason, outcome, detail)
     values ($1, 'redeliver_webhook', $2, $3, $4, 'redelivered', $5)`,
    [`redeliver-webhook:${randomUUID()}`, redelivery.paymentId, redelivery.operator, redelivery.reason, redelivery.detail],
  );
}

/** An operator replayed a Kafka topic's dead letters: a row about the topic, naming no payment. */
export async function recordDeadLetterReplay(
  db: Db,
  replay: { topic: string; operator: string; reason: string; detail: Record<string, unknown> },
): Promise<void> {
  await db.query(
    `insert into operator_audit (signal_id, action, payment_id, operator, reason, outcome, detail)
     values ($1, 'replay_dead_letters', null, $2, $3, 'replayed', $4)`,
    [`replay-dead-letters:${randomUUID()}`, replay.operator, replay.reason, { topic: replay.topic, ...replay.detail }],
  );
}
