/**
 * The saga's current details for the Temporal Web UI and CLI (Temporal markdown): what it waits for and until
 * when, then its decision. Pure, from the same status the `status` query returns: safe in workflow code.
 */
import type { PaymentStatus, SagaPolicy } from './shared';

export function currentDetails(status: PaymentStatus, timeoutPolicy: SagaPolicy['timeoutPolicy']): string {
  const { state, deadline, waitingFor, accountState, override, outcome } = status;
  if (outcome) {
    const by = outcome.decidedBy === 'operator' && override ? `operator ${override.operator}` : outcome.decidedBy;
    const gateway = outcome.gatewayAuthorizationId ? `, gateway authorization ${outcome.gatewayAuthorizationId}` : '';
    const beyond = outcome.exceededAvailableFunds ? ', beyond the available funds' : '';
    return `**${outcome.decision}** (${outcome.reason}) by ${by} at ${outcome.decidedAt}${gateway}${beyond}`;
  }
  const lines: string[] = [];
  if ((state === 'AWAITING_ACCOUNT_STATE' || state === 'PENDING_REVIEW') && waitingFor) {
    const what = `account state of ${waitingFor.accountId} as of ${waitingFor.asOfAtLeast} or later`;
    const then =
      state === 'PENDING_REVIEW'
        ? 'declines (REVIEW_EXPIRED)'
        : timeoutPolicy === 'decline'
          ? 'declines (ACCOUNT_STATE_TIMEOUT)'
          : 'goes to review';
    lines.push(
      state === 'PENDING_REVIEW'
        ? `**PENDING_REVIEW**: waiting for an operator's approve or decline, or ${what}`
        : `**AWAITING_ACCOUNT_STATE**: waiting for ${what}`,
      deadline ? `until ${deadline}, then ${then}` : `then ${then}`,
    );
    if (accountState) lines.push(`latest account state: version ${accountState.version} as of ${accountState.asOf}, too old`);
  } else if (state === 'AUTHORIZING') {
    const approved = override?.decision === 'approve' ? ` (approved by operator ${override.operator})` : '';
    lines.push(`**AUTHORIZING**: reserving funds and calling the gateway${approved}`);
  } else {
    lines.push(`**${state}**`);
  }
  return lines.join('\n');
}
