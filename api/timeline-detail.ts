/**
 * What a caller sees of a timeline row's detail. An override row names the operator and their reason, which
 * are the payments team's internal notes: an operator sees them, the client whose payment it is sees only that
 * an operator approved or declined it (the decision row already says who decided).
 */
import type { Caller } from './auth';

const OPERATOR_NOTES = ['operator', 'reason', 'signalId'];

export function timelineDetailFor(caller: Caller, status: string, detail: Record<string, unknown>): Record<string, unknown> {
  if (caller.roles.includes('operator') || !status.startsWith('OVERRIDE_')) return detail;
  return Object.fromEntries(Object.entries(detail).filter(([key]) => !OPERATOR_NOTES.includes(key)));
}
