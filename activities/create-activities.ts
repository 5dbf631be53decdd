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

export function createActivities(deps: ActivityDeps) {
  return {
    ...createFundsActivities(deps),
    ...createGatewayActivities({ gatewayUrl: deps.gatewayUrl, requestTimeoutMs: deps.gatewayRequestTimeoutMs }),
    ...createOutcomeActivities(deps),
    ...createAuditActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ReserveFundsResult } from './funds';
