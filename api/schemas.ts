/** REST bodies and responses (DESIGN.md §3), as zod schemas: they validate requests and generate the OpenAPI document. */
import { z } from 'zod';
import { amount, currency, DECIDED_BY, DECISION_REASONS, DECISIONS, OVERRIDE_DECISIONS } from '../contracts/payment';
import { PAYMENT_STATES } from '../workflows/shared';
import { timeIdCursor } from './cursor';

const id = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes, colons or underscores');

export const createPaymentBody = z
  .strictObject({ accountId: id, merchantId: id, amount, currency })
  .meta({ id: 'CreatePayment', description: 'amount in minor units (e.g. cents) of an ISO 4217 currency' });

export const paymentAccepted = z
  .object({ paymentId: z.string(), status: z.literal('RECEIVED'), statusUrl: z.string() })
  .meta({ id: 'PaymentAccepted' });

/** What the read model knows: RECEIVED until the decided event, then its decision. */
export const PAYMENT_VIEW_STATUSES = ['RECEIVED', ...DECISIONS] as const;

/** What a payment is: the fields every view of one carries. */
const paymentFields = {
  paymentId: z.string(),
  accountId: z.string(),
  merchantId: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  requestedAt: z.string(),
};

export const paymentSummary = z
  .object({
    ...paymentFields,
    status: z.enum(PAYMENT_VIEW_STATUSES),
    decision: z.enum(DECISIONS).nullable(),
    reason: z.enum(DECISION_REASONS).nullable(),
    decidedBy: z.enum(DECIDED_BY).nullable(),
    gatewayAuthorizationId: z.string().nullable(),
    decidedAt: z.string().nullable(),
  })
  .meta({ id: 'PaymentSummary' });

export const paymentView = paymentSummary
  .extend({
    timeline: z.array(z.object({ at: z.string(), status: z.string(), detail: z.record(z.string(), z.unknown()) })),
  })
  .meta({ id: 'Payment' });

/**
 * What a payment's timeline records: its states, in the order a payment goes through them, and what the saga did
 * with each operator override (applied, or ignored because the payment was decided or already overridden).
 */
export const TIMELINE_STATUSES = [
  'RECEIVED',
  'AWAITING_ACCOUNT_STATE',
  'PENDING_REVIEW',
  'OVERRIDE_APPLIED',
  'OVERRIDE_IGNORED',
  ...DECISIONS,
] as const;

/** One event of GET /payments/:id/events: a row of the payment's timeline (its id is the event's id). */
export const paymentEvent = z
  .object({
    paymentId: z.string(),
    at: z.string(),
    status: z.enum(TIMELINE_STATUSES),
    detail: z.record(z.string(), z.unknown()),
  })
  .meta({
    id: 'PaymentEvent',
    description: "the data of an event of a payment's stream; after the decision's event the stream ends",
  });

/** Last-Event-ID: the id of the last event a client has (EventSource sends it when it reconnects). */
export const lastEventId = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,14})$/, 'is not an event id of this stream: send the id of the last event received')
  .transform(Number);

/**
 * One event of GET /payment-events: a row of any payment's timeline, with the payment it belongs to (null while
 * the read model does not hold the payment yet: the saga's row may commit first).
 */
export const paymentFeedEvent = paymentEvent
  .extend({
    accountId: z.string().nullable(),
    merchantId: z.string().nullable(),
    amount: z.number().int().nullable(),
    currency: z.string().nullable(),
  })
  .meta({ id: 'PaymentFeedEvent', description: "the data of an event of the stream of every payment's timeline" });

/** Last-Event-ID of GET /payment-events: `<transaction id>-<row id>`, positions in the commit order of the rows. */
const NOT_A_FEED_EVENT_ID = 'is not an event id of this stream: send the id of the last event received';
export const feedEventId = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,19})-(0|[1-9][0-9]{0,14})$/, NOT_A_FEED_EVENT_ID)
  // A transaction id is a 64-bit xid8: a larger one would fail in PostgreSQL on every poll.
  .refine((s) => !/^[0-9]+-/.test(s) || BigInt(s.split('-')[0]!) < 2n ** 64n, NOT_A_FEED_EVENT_ID)
  .transform((s) => {
    const [tx, id] = s.split('-');
    return { tx: tx!, id: Number(id) };
  });

/** The states in which a payment waits, and the review queue lists it. */
export const QUEUE_STATUSES = ['AWAITING_ACCOUNT_STATE', 'PENDING_REVIEW'] as const;

export const reviewQueueQuery = z
  .strictObject({
    status: z.enum(QUEUE_STATUSES).optional(),
    accountId: id.optional(),
    merchantId: id.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .meta({ id: 'ReviewQueueQuery' });

export const reviewQueue = z
  .object({
    payments: z.array(
      z.object({
        ...paymentFields,
        status: z.enum(QUEUE_STATUSES),
        waitingSince: z.string().meta({ description: 'when the payment entered this status' }),
        deadline: z.string().nullable().meta({ description: 'when the wait ends; null for a saga that did not record it' }),
      }),
    ),
    total: z.number().int().meta({ description: 'how many payments match, of which the first `limit` are listed' }),
  })
  .meta({
    id: 'ReviewQueue',
    description: 'the undecided payments waiting for account state or for an operator, soonest deadline first',
  });

export const listPaymentsQuery = z
  .strictObject({
    accountId: id.optional(),
    merchantId: id.optional(),
    status: z.enum(PAYMENT_VIEW_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: timeIdCursor.optional(),
  })
  .meta({ id: 'ListPaymentsQuery' });

export const paymentList = z
  .object({ payments: z.array(paymentSummary), nextCursor: z.string().nullable() })
  .meta({ id: 'PaymentList', description: 'newest first; pass nextCursor as cursor for the next page' });

export const overrideBody = z
  .strictObject({ decision: z.enum(OVERRIDE_DECISIONS), reason: z.string().trim().min(3).max(1000) })
  .meta({ id: 'Override' });

export const overrideAccepted = z
  .object({
    paymentId: z.string(),
    signalId: z.string(),
    status: z.literal('OVERRIDE_REQUESTED'),
    state: z
      .enum(PAYMENT_STATES)
      .nullable()
      .meta({ description: "the saga's state once it had the override; null if it did not answer" }),
    detail: z.string().meta({ description: 'what happens to the payment' }),
  })
  .meta({ id: 'OverrideAccepted' });

export const problemDetails = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

/** A ledger account's name, e.g. customer:<accountId> or merchant:<merchantId>:pending (ledger/accounts.ts). */
export const ledgerAccountName = z.string().min(1).max(300);

export const journalQuery = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.coerce.number().int().positive().optional(),
  })
  .meta({ id: 'JournalQuery' });

const balance = z.object({
  currency: z.string(),
  debits: z.number().int(),
  credits: z.number().int(),
  balance: z.number().int(),
});

export const ledgerAccountView = z
  .object({
    ledgerAccount: z.string(),
    balances: z.array(balance),
    journal: z.array(
      z.object({
        entryId: z.number().int(),
        transactionId: z.string(),
        paymentId: z.string(),
        kind: z.string(),
        direction: z.enum(['debit', 'credit']),
        amount: z.number().int(),
        currency: z.string(),
        counterparts: z.array(z.string()),
        at: z.string(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'LedgerAccount', description: 'balance = debits − credits; the journal is newest first' });

export const trialBalanceView = z
  .object({
    accounts: z.array(balance.extend({ ledgerAccount: z.string() })),
    totals: z.array(balance),
    balanced: z.boolean(),
  })
  .meta({ id: 'TrialBalance' });

export const merchantTotalsView = z
  .object({
    merchantId: z.string(),
    totals: z.array(z.object({ currency: z.string(), authorizedAmount: z.number().int(), authorizedCount: z.number().int() })),
  })
  .meta({
    id: 'MerchantTotals',
    description: 'authorized amount (minor units) and count per currency, counted exactly once per decided event',
  });
export const liveView = z.object({ status: z.literal('live') }).meta({ id: 'Live' });
export const readyView = z.object({ status: z.literal('ready') }).meta({ id: 'Ready' });

export type MerchantTotalsView = z.infer<typeof merchantTotalsView>;
