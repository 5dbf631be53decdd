/**
 * What the drill reads back from Temporal: a saga's state (its status query), the version it is on
 * (describe's versioningInfo), whether a workflow task of it failed and why (its history), how many sagas
 * visibility still counts as running on a version, a version's drainage and the deployment's routing.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';
import type { authorizePayment } from '../../workflows';
import { statusQuery, type PaymentState } from '../../workflows/shared';

const { EventType, WorkflowTaskFailedCause, VersioningBehavior, VersionDrainageStatus, RoutingConfigUpdateState } =
  temporal.api.enums.v1;

type Saga = WorkflowHandle<typeof authorizePayment>;
type WorkflowService = NativeConnection['workflowService'];

/** The saga's state, or undefined while it cannot answer (its first workflow task has not completed yet). */
export async function sagaState(handle: Saga): Promise<PaymentState | undefined> {
  try {
    return (await handle.query(statusQuery)).state;
  } catch {
    return undefined;
  }
}

export interface SagaVersion {
  /** 'PINNED', 'AUTO_UPGRADE', or undefined for an unversioned saga. */
  behavior?: string;
  buildId?: string;
}

/** The versioning the server keeps for the saga: its behaviour and the deployment version it runs on. */
export async function sagaVersion(handle: Saga): Promise<SagaVersion> {
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  const behavior = info?.behavior ? VersioningBehavior[info.behavior]?.replace('VERSIONING_BEHAVIOR_', '') : undefined;
  return { behavior, buildId: info?.deploymentVersion?.buildId ?? undefined };
}

export interface TaskFailure {
  /** The server's cause, e.g. WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR. */
  cause: string;
  message: string;
}

/** The first workflow task failure in the saga's history, if any (the server records the first of a series). */
export async function firstTaskFailure(handle: Saga): Promise<TaskFailure | undefined> {
  const { events } = await handle.fetchHistory();
  const failed = events?.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
  if (!failed) return undefined;
  const attrs = failed.workflowTaskFailedEventAttributes;
  return {
    cause: WorkflowTaskFailedCause[attrs?.cause ?? 0] ?? String(attrs?.cause),
    message: attrs?.failure?.message ?? '',
  };
}

export const isNondeterminism = (f: TaskFailure | undefined) =>
  f?.cause === WorkflowTaskFailedCause[WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR];

/** The visibility query of the running sagas on a version (the server's TemporalWorkerDeploymentVersion attribute). */
export const runningOnQuery = (taskQueue: string, version: WorkerDeploymentVersion) =>
  `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running' AND ` +
  `TemporalWorkerDeploymentVersion = '${version.deploymentName}:${version.buildId}'`;

/** The version's drainage as the server reports it: DRAINING while it may still get sagas' tasks, DRAINED once none. */
export async function drainageStatus(
  service: WorkflowService,
  namespace: string,
  version: WorkerDeploymentVersion,
): Promise<string> {
  const { workerDeploymentVersionInfo } = await service.describeWorkerDeploymentVersion({
    namespace,
    deploymentVersion: { deploymentName: version.deploymentName, buildId: version.buildId },
  });
  const status = workerDeploymentVersionInfo?.drainageInfo?.status ?? VersionDrainageStatus.VERSION_DRAINAGE_STATUS_UNSPECIFIED;
  return VersionDrainageStatus[status]?.replace('VERSION_DRAINAGE_STATUS_', '') ?? String(status);
}

/**
 * Whether the deployment's routing change has reached every task queue partition: until it has, a saga started
 * now may still be routed to the previous current version.
 */
export async function routingSettled(service: WorkflowService, namespace: string, deploymentName: string): Promise<boolean> {
  const { workerDeploymentInfo } = await service.describeWorkerDeployment({ namespace, deploymentName });
  return workerDeploymentInfo?.routingConfigUpdateState !== RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_IN_PROGRESS;
}
