/**
 * The audit log of operator overrides (DESIGN.md §7.7): every override the saga received, once. The api
 * records the request first (outcome `requested`); the saga then records what it did with it.
 */
import { activityLog } from './log';
import type { Override } from '../contracts/payment';
import { recordOverrideOutcome, type OverrideOutcome } from '../db/operator-audit';
import { appendTimelineRow } from '../db/payment-timeline';
import { withTransaction, type Pool } from '../db/pool';
import { metrics } from '../observability/metrics';

export type { OverrideOutcome };

export function createAuditActivities({ pool }: { pool: Pool }) {
  return {
    async recordOverride({ paymentId, override, outcome }: { paymentId: string; override: Override; outcome: OverrideOutcome }) {
      const recorded = await withTransaction(pool, async (tx) => {
        if (!(await recordOverrideOutcome(tx, paymentId, override, outcome))) return false;
        // With the audit row, so once per signal id: a retried activity finds the outcome recorded and adds
        // nothing. No event id: the row comes from no topic, and a rebuild of the read model keeps it.
        const { signalId, operator, decision, reason } = override;
        await appendTimelineRow(tx, {
          paymentId,
          status: outcome === 'applied' ? 'OVERRIDE_APPLIED' : 'OVERRIDE_IGNORED',
          detail: { operator, decision, reason, signalId },
        });
        return true;
      });
      if (recorded) {
        metrics.overrides.inc({ decision: override.decision, outcome });
        activityLog.info('override audited', { paymentId, operator: override.operator, decision: override.decision, outcome });
      }
    },
  };
}
