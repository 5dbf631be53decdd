/**
 * The audit log of operator overrides (DESIGN.md §7.7): every override the saga received, once. The api
 * records the request first (outcome `requested`); the saga then records what it did with it.
 */
import { activityLog } from './log';
import type { Override } from '../contracts/payment';
import { recordOverrideOutcome, type OverrideOutcome } from '../db/operator-audit';
import type { Pool } from '../db/pool';
import { metrics } from '../observability/metrics';

export type { OverrideOutcome };

export function createAuditActivities({ pool }: { pool: Pool }) {
  return {
    async recordOverride({ paymentId, override, outcome }: { paymentId: string; override: Override; outcome: OverrideOutcome }) {
      if (await recordOverrideOutcome(pool, paymentId, override, outcome)) {
        metrics.overrides.inc({ decision: override.decision, outcome });
        activityLog.info('override audited', { paymentId, operator: override.operator, decision: override.decision, outcome });
      }
    },
  };
}
