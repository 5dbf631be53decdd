/**
 * The data contracts of DESIGN.md §3, as zod schemas shared by every role. Money is an integer number of
 * minor units with an ISO 4217 currency, never a float.
 */
import { z } from 'zod';

/** ISO 4217 codes the runtime knows (ICU's list), e.g. EUR, USD, JPY. */
export const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code in capitals')
  .refine((c) => CURRENCIES.has(c), 'is not an ISO 4217 currency');

/** A positive amount in minor units (cents for EUR): a whole number within JavaScript's safe integer range. */
export const amount = z
  .number({ error: 'must be a number of minor units' })
  .int('must be a whole number of minor units')
  .positive('must be greater than zero')
  .max(Number.MAX_SAFE_INTEGER, 'is too large');

const id = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes, colons or underscores');

/**
 * Instants of this system (requests, snapshots, decisions) lie between 2000 and 2100: a date outside passes
 * for ISO 8601 but is a producer's bug, and some (year 0000) PostgreSQL cannot even store.
 */
export const EARLIEST_INSTANT = '2000-01-01T00:00:00Z';
export const LATEST_INSTANT = '2100-01-01T00:00:00Z';
export const instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time' })
  .refine(
    (t) => Date.parse(t) >= Date.parse(EARLIEST_INSTANT) && Date.parse(t) < Date.parse(LATEST_INSTANT),
    `must lie between ${EARLIEST_INSTANT} and ${LATEST_INSTANT}`,
  );

/** Free text stored in PostgreSQL, which cannot store a NUL character in text. */
export const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain a NUL character');

export const paymentRequestSchema = z.strictObject({
  paymentId: id,
  accountId: id,
  merchantId: id,
  amount,
  currency,
  requestedAt: instant,
});
export type PaymentRequest = z.infer<typeof paymentRequestSchema>;

export const ACCOUNT_STATUSES = ['active', 'frozen', 'closed'] as const;

export const accountStateSchema = z.strictObject({
  accountId: id,
  version: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  asOf: instant,
  status: z.enum(ACCOUNT_STATUSES),
  /** May be negative: an overdrawn account. */
  balance: z.number().int('must be a whole number of minor units').min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  currency,
});
export type AccountState = z.infer<typeof accountStateSchema>;

export const DECISIONS = ['AUTHORIZED', 'DECLINED'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Why a payment was decided as it was. */
export const DECISION_REASONS = [
  'APPROVED',
  'OPERATOR_APPROVED',
  'OPERATOR_DECLINED',
  'INSUFFICIENT_FUNDS',
  'ACCOUNT_FROZEN',
  'ACCOUNT_CLOSED',
  'CURRENCY_MISMATCH',
  'ACCOUNT_STATE_TIMEOUT',
  'REVIEW_EXPIRED',
  'GATEWAY_DECLINED',
  'GATEWAY_UNAVAILABLE',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export const DECIDED_BY = ['rules', 'operator', 'timeout'] as const;
export type DecidedBy = (typeof DECIDED_BY)[number];

export const paymentDecidedSchema = z.strictObject({
  paymentId: id,
  accountId: id,
  merchantId: id,
  amount,
  currency,
  decision: z.enum(DECISIONS),
  reason: z.enum(DECISION_REASONS),
  decidedBy: z.enum(DECIDED_BY),
  gatewayAuthorizationId: text(200).optional(),
  /** Set when an operator's approval went beyond the funds the latest snapshot allowed (DESIGN.md §7.3). */
  exceededAvailableFunds: z.boolean().optional(),
  decidedAt: instant,
});
export type PaymentDecided = z.infer<typeof paymentDecidedSchema>;

export const OVERRIDE_DECISIONS = ['approve', 'decline'] as const;

/** An operator's override as the workflow receives it: the api fills in the operator and the signal id. */
export const overrideSchema = z.strictObject({
  signalId: text(200),
  decision: z.enum(OVERRIDE_DECISIONS),
  operator: text(200),
  reason: text(1000),
});
export type Override = z.infer<typeof overrideSchema>;
