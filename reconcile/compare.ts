/**
 * Reconciliation (DESIGN.md §7): the gateway's authorizations, the ledger's holds and the decided events must
 * tell the same story of every payment. A pure comparison, so each rule is unit-tested; reconcile/index.ts
 * gathers the three sources.
 */
import type { GatewayAuthorizationRecord } from '../contracts/gateway';
import type { PaymentDecided } from '../contracts/payment';
import { ledgerAccounts } from '../ledger/accounts';
import type { LedgerHold } from '../ledger/views';

export type GatewayRecord = GatewayAuthorizationRecord;

export interface DecidedRecord {
  eventId: string;
  data: PaymentDecided;
}

export const MISMATCH_KINDS = [
  /** More than one decision (distinct events) for one payment: DESIGN.md §7.1. */
  'DECIDED_TWICE',
  /** The gateway holds an authorization (not voided) the decided events do not show as AUTHORIZED: money held without a decision. */
  'GATEWAY_WITHOUT_AUTHORIZED_EVENT',
  /** AUTHORIZED, but the gateway has no live authorization for the payment. */
  'AUTHORIZED_WITHOUT_GATEWAY',
  /** AUTHORIZED, but the ledger has no hold for it. */
  'AUTHORIZED_WITHOUT_LEDGER',
  /** A ledger hold for a payment that was not AUTHORIZED. */
  'LEDGER_WITHOUT_AUTHORIZED_EVENT',
  /** The sources disagree on amount, currency, account, merchant or authorization id. */
  'FIELD_MISMATCH',
  /** A ledger transaction whose debits and credits differ: DESIGN.md §7.4. */
  'UNBALANCED_LEDGER_TRANSACTION',
] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

export interface Mismatch {
  paymentId: string;
  kind: MismatchKind;
  detail: string;
}

export interface ReconcileInput {
  gateway: GatewayRecord[];
  ledger: LedgerHold[];
  events: DecidedRecord[];
}

const groupBy = <T>(items: T[], key: (t: T) => string) => {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
};

export function compare({ gateway, ledger, events }: ReconcileInput): Mismatch[] {
  const mismatches: Mismatch[] = [];
  const gatewayOf = groupBy(gateway, (g) => g.paymentId);
  const holdsOf = groupBy(ledger, (l) => l.paymentId);
  // The outbox may publish an event twice (same event id): that is one decision.
  const decisionsOf = groupBy([...new Map(events.map((e) => [e.eventId, e])).values()], (e) => e.data.paymentId);
  const paymentIds = new Set([...gatewayOf.keys(), ...holdsOf.keys(), ...decisionsOf.keys()]);

  for (const paymentId of [...paymentIds].sort()) {
    const report = (kind: MismatchKind, detail: string) => mismatches.push({ paymentId, kind, detail });
    const decisions = decisionsOf.get(paymentId) ?? [];
    const holds = holdsOf.get(paymentId) ?? [];
    const live = (gatewayOf.get(paymentId) ?? []).filter((g) => g.status === 'authorized');

    if (decisions.length > 1) report('DECIDED_TWICE', decisions.map((d) => `${d.data.decision} (event ${d.eventId})`).join(', '));
    const decided = decisions[0]?.data;
    const authorized = decided?.decision === 'AUTHORIZED';
    for (const hold of holds.filter((h) => !h.balanced)) {
      report('UNBALANCED_LEDGER_TRANSACTION', `${hold.transactionId}: debits and credits differ`);
    }

    if (live.length > 0 && !authorized) {
      report(
        'GATEWAY_WITHOUT_AUTHORIZED_EVENT',
        `gateway authorization ${live[0]!.authorizationId} but ${decided ? decided.decision : 'no decision'}`,
      );
    }
    if (authorized && live.length === 0) report('AUTHORIZED_WITHOUT_GATEWAY', 'no live gateway authorization');
    if (authorized && holds.length === 0) report('AUTHORIZED_WITHOUT_LEDGER', 'no authorization hold in the ledger');
    if (holds.length > 0 && !authorized)
      report(
        'LEDGER_WITHOUT_AUTHORIZED_EVENT',
        `ledger hold ${holds[0]!.transactionId} but ${decided ? decided.decision : 'no decision'}`,
      );
    if (!decided || !authorized) continue;

    const differ = (field: string, expected: unknown, actual: unknown, where: string) => {
      if (expected !== actual) report('FIELD_MISMATCH', `${field}: decided ${String(expected)}, ${where} ${String(actual)}`);
    };
    for (const g of live) {
      differ('amount', decided.amount, g.amount, 'gateway');
      differ('currency', decided.currency, g.currency, 'gateway');
      differ('accountId', decided.accountId, g.accountId, 'gateway');
      differ('merchantId', decided.merchantId, g.merchantId, 'gateway');
      differ('gatewayAuthorizationId', decided.gatewayAuthorizationId, g.authorizationId, 'gateway');
    }
    for (const h of holds) {
      differ('amount', decided.amount, h.amount, 'ledger');
      differ('currency', decided.currency, h.currency, 'ledger');
      differ('debited account', ledgerAccounts.customer(decided.accountId), h.debitAccounts.join(','), 'ledger');
      differ('credited account', ledgerAccounts.merchantPending(decided.merchantId), h.creditAccounts.join(','), 'ledger');
    }
  }
  return mismatches;
}
