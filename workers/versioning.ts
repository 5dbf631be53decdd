/**
 * Worker Versioning: the payment worker is one version (deployment name, build id) of a Temporal worker
 * deployment, and every saga is pinned to the version it started on (workflows/authorize-payment.ts says why).
 * A deploy starts the new build beside the old, makes it current (or ramps it), and stops the old one once its
 * pinned sagas have closed: a saga that waits for a day in review is never replayed on changed workflow code,
 * whether or not its change was guarded with `patched()` (docs/runbook.md, Deploy a new saga version).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import esbuild from 'esbuild';
import type { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';
import { logger } from '../observability/logger';
import { FAILURE_CONVERTER_PATH } from '../temporal/codec';

const PREBUILT_BUNDLE = path.resolve(__dirname, '..', 'workflow-bundle.js');
const REPO_ROOT = path.resolve(__dirname, '..');

/**
 * The project's own files that the workflow bundle is made of: workflows/ and everything it imports (contracts,
 * helpers), and the failure converter that runs in the sandbox too, read from the import graph (esbuild's
 * metafile) so that a change in any of them is a new build. Packages are left out: the SDK's version stands for them.
 */
export function workflowSourceFiles(): string[] {
  const { metafile } = esbuild.buildSync({
    entryPoints: [require.resolve('../workflows'), FAILURE_CONVERTER_PATH],
    bundle: true,
    write: false,
    metafile: true,
    packages: 'external',
    platform: 'node',
    logLevel: 'silent',
    absWorkingDir: REPO_ROOT,
    outdir: 'unused',
  });
  return Object.keys(metafile.inputs).sort();
}

/**
 * The build id of the workflow code this worker runs: a hash of the prebuilt bundle when there is one, else of the
 * sources the bundle is made of (by path and content) and the workflow SDK's version. Activities are not in it:
 * they are not replayed, so an activity-only change is the same build, and its new code reaches the sagas of that
 * build too.
 */
export function workflowBuildId(): string {
  return (builtId ??= hashWorkflowCode()); // the code does not change while the process runs
}
let builtId: string | undefined;

function hashWorkflowCode(): string {
  const hash = createHash('sha256');
  if (fs.existsSync(PREBUILT_BUNDLE)) hash.update(fs.readFileSync(PREBUILT_BUNDLE));
  else {
    for (const file of workflowSourceFiles()) hash.update(file).update(fs.readFileSync(path.join(REPO_ROOT, file)));
    hash.update(fs.readFileSync(require.resolve('@temporalio/workflow/package.json')));
  }
  return `wf-${hash.digest('hex').slice(0, 12)}`;
}

/** This worker's version, or undefined when WORKER_VERSIONING=off. */
export function workerVersion(config: Config): WorkerDeploymentVersion | undefined {
  if (config.worker.versioning === 'off') return undefined;
  return { deploymentName: config.worker.deploymentName, buildId: config.worker.buildId ?? workflowBuildId() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The deployment's current build id ('' for none; the deployment may not exist yet). */
export async function currentBuildId(connection: Pick<NativeConnection, 'workflowService'>, config: Config): Promise<string> {
  try {
    const { workerDeploymentInfo } = await connection.workflowService.describeWorkerDeployment({
      namespace: config.temporal.namespace,
      deploymentName: config.worker.deploymentName,
    });
    return workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId ?? '';
  } catch (err) {
    if ((err as { code?: number }).code === 5 /* NOT_FOUND */) return '';
    throw err;
  }
}

/**
 * Makes `version` the deployment's current one, as WORKER_PROMOTE says (`first`: only when it has none). Run once
 * the worker polls: the server refuses a version whose task queues it has not seen polled yet, so this retries
 * for a while. Returns whether it changed the routing.
 */
export async function promoteAtStart(
  connection: Pick<NativeConnection, 'workflowService'>,
  config: Config,
  version: WorkerDeploymentVersion,
  signal?: AbortSignal,
): Promise<boolean> {
  const { promote } = config.worker;
  if (promote === 'never') return false;
  const current = await currentBuildId(connection, config);
  if (current === version.buildId) return false;
  if (current !== '' && promote === 'first') {
    logger.info(
      { deployment: version.deploymentName, buildId: version.buildId, current },
      'worker: this build is not the current one: it takes the sagas pinned to it, and new ones once promoted or ramped',
    );
    return false;
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await connection.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: config.temporal.namespace,
        deploymentName: version.deploymentName,
        buildId: version.buildId,
        identity: `paysaga-worker@${process.pid}`,
      });
      logger.info(
        { deployment: version.deploymentName, buildId: version.buildId, previous: current || undefined },
        'worker: this build is now the current version: new sagas start on it, each earlier one stays on its own',
      );
      return true;
    } catch (err) {
      // NOT_FOUND or FAILED_PRECONDITION until the server has seen this version poll every task queue.
      const code = (err as { code?: number }).code;
      if ((code !== 5 && code !== 9) || Date.now() > deadline || signal?.aborted) throw err;
      await sleep(500);
    }
  }
}
