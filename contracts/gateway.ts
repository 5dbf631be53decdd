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

const rate = z.number().min(0).max(1);

/**
 * Fault injection of the simulator: rates apply to each request at random; the `next…` counters apply to the
 * next N requests exactly, so tests are deterministic.
 */
export const gatewayFaultsSchema = z.strictObject({
  /** Added to every request before it is handled. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** 503 without authorizing. */
  errorRate: rate.default(0),
  failNext: z.number().int().min(0).default(0),
  /** Hold the request for hangMs without answering or authorizing: the client times out. */
  timeoutRate: rate.default(0),
  timeoutNext: z.number().int().min(0).default(0),
  hangMs: z.number().int().min(0).max(600_000).default(30_000),
  /** Authorize, then drop the connection without a response. */
  dropResponseRate: rate.default(0),
  dropResponseNext: z.number().int().min(0).default(0),
  /** The issuer declines every authorization for these accounts (402, code do_not_honor). */
  declineAccountIds: z.array(z.string()).default([]),
});
export type GatewayFaults = z.infer<typeof gatewayFaultsSchema>;
