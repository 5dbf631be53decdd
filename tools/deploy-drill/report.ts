/** The drill's report as printed: one line per figure, the phases' times, and what did not hold. */
import { PHASES, type DeployDrillResult } from './run';

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

export function formatDeployDrill(r: DeployDrillResult): string {
  const total = r.payments + r.after;
  const lines = [
    `deploy drill ${r.runId} (${r.mode}), task queue ${r.taskQueue}` +
      (r.mode === 'versioned' ? `, deployment ${r.deploymentName}` : ''),
    `  payments       ${r.payments} waiting before the deploy (${r.review} in PENDING_REVIEW), ${r.after} started after the switch`,
    `  phases         ${PHASES.map((p) => `${p} ${seconds(r.phasesMs[p])}`).join(', ')}`,
    `  decided        ${r.decided.authorized + r.decided.declined} of ${total} (${r.decided.authorized} AUTHORIZED, ${r.decided.declined} DECLINED)`,
    `  versions       ${r.versions.oldPinnedV1} of ${r.payments} old pinned to ${r.builds.v1}, ${r.versions.newOnV2} of ${r.after} new on ${r.builds.v2}` +
      ` (${Object.entries(r.versions.seen)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ')})`,
    `  task failures  ${r.taskFailures} sagas with a WorkflowTaskFailed event`,
    `  nondeterminism ${r.nondeterminism.count} of ${r.nondeterminism.ofWaiting} waiting sagas` +
      (r.nondeterminism.firstMessage ? `; first: ${r.nondeterminism.firstMessage}` : ''),
  ];
  if (r.mode === 'versioned')
    lines.push(
      `  v1             ${r.runningOnV1AtSwitch ?? '?'} sagas running on it at the switch, ${r.runningOnV1 ?? '?'} after the close ` +
        `(visibility); drainage ${r.drainageV1 ?? '?'}`,
    );
  lines.push(`  left open      ${r.terminated} terminated at the end, ${r.leftRunning} still running`);
  lines.push(r.ok ? '  ok: the expectations of this mode hold' : `  NOT ok:\n${r.problems.map((p) => `    - ${p}`).join('\n')}`);
  return lines.join('\n');
}
