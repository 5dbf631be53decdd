/** Every activity of the payment saga, created from its dependencies (no module-level state). */
import type { Pool } from '../db/pool';
import { createAuditActivities } from './audit';
import { createFundsActivities } from './funds';
import { createGatewayActivities } from './gateway';
import { createOutcomeActivities } from './outcome';

export interface ActivityDeps {
  pool: Pool;
  gatewayUrl: string;
  gatewayRequestTimeoutMs: number;
}

/** The short database steps: each one transaction, idempotent by payment id (or signal id), safe to run again. */
export type DatabaseActivities = ReturnType<typeof createFundsActivities> &
  ReturnType<typeof createOutcomeActivities> &
  ReturnType<typeof createAuditActivities>;

/** The calls to the payment gateway over HTTP: slow, fallible, bounded by the gateway's timeouts. */
export type GatewayActivities = ReturnType<typeof createGatewayActivities>;

export function createActivities(deps: ActivityDeps): DatabaseActivities & GatewayActivities {
  return {
    ...createFundsActivities(deps),
    ...createGatewayActivities({ gatewayUrl: deps.gatewayUrl, requestTimeoutMs: deps.gatewayRequestTimeoutMs }),
    ...createOutcomeActivities(deps),
    ...createAuditActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ReserveFundsResult } from './funds';
