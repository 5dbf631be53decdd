/** Calls the payment gateway over HTTP with idempotency key = payment id (DESIGN.md §4, §6). */
import { ApplicationFailure } from '@temporalio/activity';
import { activityLog } from './log';
import {
  gatewayAuthorizationResponseSchema,
  gatewayVoidedSchema,
  type GatewayAuthorizationRequest,
  type GatewayAuthorizationResponse,
} from '../contracts/gateway';
import { traceHeaders } from '../observability/tracing';
import { GATEWAY_REJECTED, GATEWAY_VOIDED } from '../workflows/shared';

export interface GatewayDeps {
  gatewayUrl: string;
  requestTimeoutMs: number;
}

async function call(
  deps: GatewayDeps,
  path: string,
  idempotencyKey: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  let response: Response;
  try {
    response = await fetch(new URL(path, deps.gatewayUrl), {
      method: 'POST',
      // traceparent: the gateway's span joins the payment's trace.
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, ...traceHeaders() },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(deps.requestTimeoutMs),
    });
  } catch (err) {
    // Timeouts, refused and dropped connections: the outcome is unknown, so retry with the same key.
    throw new Error(`gateway unreachable: ${(err as Error).message}`);
  }
  const json: unknown = await response.json().catch(() => undefined);
  return { status: response.status, json };
}

export function createGatewayActivities(deps: GatewayDeps) {
  return {
    /** Authorized or declined is final; anything else throws so the activity retries with backoff. */
    async authorizeAtGateway(request: GatewayAuthorizationRequest): Promise<GatewayAuthorizationResponse> {
      const { status, json } = await call(deps, '/authorizations', request.paymentId, request);
      if (status === 200 || status === 201 || status === 402) {
        const response = gatewayAuthorizationResponseSchema.parse(json);
        activityLog.info('gateway answered', { paymentId: request.paymentId, status: response.status, httpStatus: status });
        return response;
      }
      if (status === 410) {
        // The key was voided: only the saga's compensation voids, so this is a late attempt whose saga has
        // moved on. A failure, not a decline: the issuer declined nothing, and the gateway holds nothing.
        // Should a saga still wait for it, it compensates again (idempotently) and declines GATEWAY_UNAVAILABLE.
        const voided = gatewayVoidedSchema.parse(json);
        activityLog.warn('gateway: the payment was voided before this attempt', { paymentId: request.paymentId });
        throw ApplicationFailure.nonRetryable(
          `gateway voided this payment (authorization ${voided.authorizationId ?? 'none'}); it authorizes nothing more`,
          GATEWAY_VOIDED,
        );
      }
      activityLog.warn('gateway call failed; the activity retries', { paymentId: request.paymentId, httpStatus: status });
      // A 4xx other than a decline: our request is wrong, and sending it again will not fix it.
      if (status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429) {
        throw ApplicationFailure.nonRetryable(
          `gateway rejected the request (${status}): ${JSON.stringify(json)}`,
          GATEWAY_REJECTED,
        );
      }
      throw new Error(`gateway answered ${status}`);
    },

    /**
     * Compensation: voids any authorization the gateway holds for the payment, and closes its key so that an
     * attempt still on its way authorizes nothing. Idempotent.
     */
    async voidAtGateway({ paymentId }: { paymentId: string }): Promise<'voided' | 'nothing to void'> {
      const { status, json } = await call(deps, `/authorizations/${encodeURIComponent(paymentId)}/void`, paymentId, {});
      if (status === 200) return gatewayVoidedSchema.parse(json).authorizationId ? 'voided' : 'nothing to void';
      if (status === 404) return 'nothing to void'; // declined: nothing was authorized, and nothing will be
      throw new Error(`gateway answered ${status} to a void`);
    },
  };
}
