/** The payment gateway's HTTP contract (the simulator in gateway/ implements it; activities/ calls it). */
import { z } from 'zod';
import { amount, currency } from './payment';

export const gatewayAuthorizationRequestSchema = z.strictObject({
  paymentId: z.string().min(1).max(100),
  accountId: z.string().min(1).max(100),
  merchantId: z.string().min(1).max(100),
  amount,
  currency,
});
export type GatewayAuthorizationRequest = z.infer<typeof gatewayAuthorizationRequestSchema>;

/** 201 (or 200 on an idempotent replay) when authorized, 402 when the issuer declines: both are final. */
export const gatewayAuthorizationResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('authorized'), authorizationId: z.string().min(1) }),
  z.object({ status: z.literal('declined'), code: z.string().min(1) }),
]);
export type GatewayAuthorizationResponse = z.infer<typeof gatewayAuthorizationResponseSchema>;

/**
 * The answer to a void (200), and to an authorization whose key was voided (410 Gone): a void wins over any
 * later attempt with its key. authorizationId is null when the key was voided before anything authorized.
 */
export const gatewayVoidedSchema = z.object({ status: z.literal('voided'), authorizationId: z.string().min(1).nullable() });
export type GatewayVoided = z.infer<typeof gatewayVoidedSchema>;

/**
 * An authorization as the gateway reports it (`GET /authorizations?paymentId=`, `GET /reports/authorizations`):
 * what reconciliation compares with the ledger and the decided events.
 */
export const gatewayAuthorizationRecordSchema = z.object({
  paymentId: z.string(),
  accountId: z.string(),
  merchantId: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.enum(['authorized', 'declined', 'voided']),
  authorizationId: z.string().nullable(),
});
export type GatewayAuthorizationRecord = z.infer<typeof gatewayAuthorizationRecordSchema>;

const rate = z.number().min(0).max(1);

export const GATEWAY_FAULT_KINDS = ['fail', 'timeout', 'drop-response'] as const;
export type GatewayFault = (typeof GATEWAY_FAULT_KINDS)[number];

/**
 * Fault injection of the simulator. `next` scripts the next requests exactly, in order (tests use it); once
 * it is used up, each request meets a fault at random by the rates.
 *   fail           503 without authorizing
 *   timeout        hold the request for hangMs without answering or authorizing: the caller times out
 *   drop-response  authorize (or replay), then drop the connection without a response
 */
export const gatewayFaultsSchema = z.strictObject({
  /** Added to every request before it is handled. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  next: z.array(z.enum(GATEWAY_FAULT_KINDS)).max(10_000).default([]),
  errorRate: rate.default(0),
  timeoutRate: rate.default(0),
  dropResponseRate: rate.default(0),
  hangMs: z.number().int().min(0).max(600_000).default(30_000),
  /** The issuer declines every authorization for these accounts (402, code do_not_honor). */
  declineAccountIds: z.array(z.string()).default([]),
});
export type GatewayFaults = z.infer<typeof gatewayFaultsSchema>;
