/**
 * The audit log of operator overrides (DESIGN.md §7.7): every override the saga received, once. The api
 * records the request first (outcome `requested`); the saga then records what it did with it.
 */
import { activityLog } from './log';
import type { Override } from '../contracts/payment';
import type { Pool } from '../db/pool';
import { metrics } from '../observability/metrics';

export type OverrideOutcome = 'applied' | 'ignored_already_decided';

export function createAuditActivities({ pool }: { pool: Pool }) {
  return {
    async recordOverride({ paymentId, override, outcome }: { paymentId: string; override: Override; outcome: OverrideOutcome }) {
      const { rowCount } = await pool.query(
        `insert into operator_audit (signal_id, payment_id, operator, decision, reason, outcome)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (signal_id) do update set outcome = excluded.outcome, recorded_at = now()
         where operator_audit.outcome = 'requested'`,
        [override.signalId, paymentId, override.operator, override.decision, override.reason, outcome],
      );
      if (rowCount === 1) {
        metrics.overrides.inc({ decision: override.decision, outcome });
        activityLog.info('override audited', { paymentId, operator: override.operator, decision: override.decision, outcome });
      }
    },
  };
}
