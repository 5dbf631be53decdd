/**
 * `npm run reconcile`: compares, for every payment with a record in a window, the gateway's authorizations
 * (its report API, as with a real processor), the ledger's holds and the decided events (the Kafka topic read
 * to its end with read_committed, plus decided events still waiting in the outbox), and lists every mismatch.
 * The window ends a grace period ago, so sagas in flight are not reported; a payment in scope is compared
 * on all its records, whenever they were written.
 */
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import type { Config } from '../config';
import { EVENT_TYPES } from '../contracts/events';
import { gatewayAuthorizationRecordSchema } from '../contracts/gateway';
import { paymentDecidedSchema } from '../contracts/payment';
import { TOPICS } from '../contracts/topics';
import { unsentEvents } from '../db/outbox';
import type { Pool } from '../db/pool';
import { decodeRecord, PoisonRecordError } from '../kafka/consumer';
import { readToEnd } from '../kafka/read-to-end';
import { authorizationHolds } from '../ledger/views';
import { compare, type DecidedRecord, type GatewayRecord, type Mismatch } from './compare';

export interface ReconcileOptions {
  config: Config;
  pool: Pool;
  kafka: Kafka;
  from: Date;
  to: Date;
}

export interface ReconcileReport {
  from: string;
  to: string;
  payments: number;
  sources: { gatewayRecords: number; ledgerHolds: number; decidedEvents: number };
  mismatches: Mismatch[];
}

const gatewayRecord = gatewayAuthorizationRecordSchema;
const reportPage = z.object({ authorizations: z.array(gatewayRecord), nextCursor: z.string().nullable() });

async function getJson<T>(url: string, schema: z.ZodType<T>): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`gateway ${url}: ${res.status} ${await res.text()}`);
  return schema.parse(await res.json());
}

async function gatewayReport(gatewayUrl: string, from: Date, to: Date): Promise<GatewayRecord[]> {
  const records: GatewayRecord[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ createdFrom: from.toISOString(), createdBefore: to.toISOString(), limit: '1000' });
    if (cursor) query.set('cursor', cursor);
    const page: z.infer<typeof reportPage> = await getJson(
      `${gatewayUrl}/reports/authorizations?${query.toString()}`,
      reportPage,
    );
    records.push(...page.authorizations);
    cursor = page.nextCursor;
  } while (cursor);
  return records;
}

async function decidedEvents(opts: ReconcileOptions): Promise<DecidedRecord[]> {
  const events: DecidedRecord[] = [];
  await readToEnd(opts.kafka, {
    topics: [TOPICS.paymentDecided],
    groupPrefix: `${opts.config.kafka.clientId}-reconcile`,
    eachMessage: async ({ message }) => {
      try {
        const event = decodeRecord(EVENT_TYPES.paymentDecided, message.value);
        events.push({ eventId: event.id, data: event.data });
      } catch (err) {
        if (!(err instanceof PoisonRecordError)) throw err; // dead-lettered by every consumer: no decision
      }
    },
  });
  // Decided, but not published yet: the relay will send them.
  const pending = await unsentEvents(opts.pool, TOPICS.paymentDecided);
  for (const row of pending) events.push({ eventId: row.event_id, data: paymentDecidedSchema.parse(row.payload.data) });
  return events;
}

export async function reconcile(opts: ReconcileOptions): Promise<ReconcileReport> {
  const { from, to, pool, config } = opts;
  const inWindow = (iso: string) => {
    const t = Date.parse(iso);
    return t >= from.getTime() && t < to.getTime();
  };
  const [events, gatewayInWindow, holdsInWindow] = await Promise.all([
    decidedEvents(opts),
    gatewayReport(config.gateway.url, from, to),
    authorizationHolds(pool, { from, to }),
  ]);
  const scope = new Set([
    ...events.filter((e) => inWindow(e.data.decidedAt)).map((e) => e.data.paymentId),
    ...gatewayInWindow.map((g) => g.paymentId),
    ...holdsInWindow.map((h) => h.paymentId),
  ]);
  // Every record of the payments in scope, also those written just outside the window.
  const ids = [...scope];
  const holds = await authorizationHolds(pool, { paymentIds: ids });
  const gateway = [...gatewayInWindow];
  const known = new Set(gateway.map((g) => g.paymentId));
  for (const paymentId of ids.filter((id) => !known.has(id))) {
    gateway.push(
      ...(await getJson(
        `${config.gateway.url}/authorizations?paymentId=${encodeURIComponent(paymentId)}`,
        z.array(gatewayRecord),
      )),
    );
  }
  const scopedEvents = events.filter((e) => scope.has(e.data.paymentId));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    payments: scope.size,
    sources: { gatewayRecords: gateway.length, ledgerHolds: holds.length, decidedEvents: scopedEvents.length },
    mismatches: compare({ gateway, ledger: holds, events: scopedEvents }),
  };
}

/** The report as an operator reads it. */
export function formatReport(report: ReconcileReport): string {
  const lines = [
    `reconcile ${report.from} .. ${report.to}: ${report.payments} payment(s); ` +
      `${report.sources.gatewayRecords} gateway record(s), ${report.sources.ledgerHolds} ledger hold(s), ${report.sources.decidedEvents} decided event(s)`,
  ];
  for (const m of report.mismatches) lines.push(`  MISMATCH ${m.kind} payment ${m.paymentId}: ${m.detail}`);
  lines.push(report.mismatches.length === 0 ? 'reconcile: no mismatch' : `reconcile: ${report.mismatches.length} mismatch(es)`);
  return lines.join('\n');
}
