/**
 * runDeployDrill: a deploy of a saga change that `patched()` does not guard, rehearsed on the local stack with
 * hundreds of sagas waiting, in one process (docs/runbook.md, Deploy a new saga version, says why it is safe):
 *
 *   1. worker v1 (this repo's workflows/) runs and is the deployment's current version;
 *   2. N payments start with no account state, so they wait; R of them time out into PENDING_REVIEW;
 *   3. v2, the saga with a timer inserted before its first step, starts beside v1 and becomes current;
 *   4. 20 payments start after the switch, their account state already recorded: they decide at once, on v2;
 *   5. every waiting payment gets fresh account state as the bridge delivers it, and decides;
 *   6. checks: all decided, the old sagas pinned to v1 and the new to v2, no workflow task failed, nothing
 *      running on v1 any more (its workers may stop), v1's drainage as the server reports it.
 *
 * --unversioned is the control: both builds unversioned on the same task queue, v1 stopped once v2 runs (a
 * rolling deploy); the waiting sagas then replay on v2 and fail with a nondeterminism error, which the drill
 * counts before it terminates every saga of its own left open.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../config';
import { endWaiting } from '../../db/payment-waits';
import { sagaPolicy } from '../../temporal/start-payment';
import type { SagaPolicy } from '../../workflows/shared';
import { stackDown, stackUp } from '../stack';
import { eventually, mapLimit } from './concurrently';
import {
  drainageStatus,
  firstTaskFailure,
  isNondeterminism,
  routingSettled,
  runningOnQuery,
  sagaState,
  sagaVersion,
  type SagaVersion,
  type TaskFailure,
} from './inspect';
import { accountStateDelivery, drillPayment, freshState, recordBeforeStart, start, type DrillPayment } from './payments';
import { bundleIncompatibleSaga } from './saga-v2';
import { DrillSystem, type DrillWorker } from './system';

export interface DeployDrillOptions {
  /** Payments waiting when the deploy starts, the review ones included. */
  payments: number;
  /** How many of them are in PENDING_REVIEW by then. */
  review: number;
  /** The control: unversioned workers, v1 stopped once v2 runs. */
  unversioned: boolean;
  /** Payments started after the switch (default 20). */
  after?: number;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
  /** Ends the drill early (Ctrl-C): it stops what it started and terminates its open sagas. */
  signal?: AbortSignal;
}

export const PHASES = ['setup', 'start', 'deploy', 'after', 'deliver', 'close', 'check', 'teardown'] as const;
export type Phase = (typeof PHASES)[number];

export interface DeployDrillResult {
  runId: string;
  mode: 'versioned' | 'unversioned';
  taskQueue: string;
  deploymentName: string;
  builds: { v1: string; v2: string };
  /** Waiting before the deploy (review included), in review, started after the switch. */
  payments: number;
  review: number;
  after: number;
  phasesMs: Partial<Record<Phase, number>>;
  decided: { authorized: number; declined: number; undecided: number };
  /** The old sagas pinned to v1, the new ones on v2 (versioned); the versions seen otherwise, e.g. "unversioned: 520". */
  versions: { oldPinnedV1: number; newOnV2: number; seen: Record<string, number> };
  /** Sagas whose history has a WorkflowTaskFailed event. */
  taskFailures: number;
  nondeterminism: { count: number; ofWaiting: number; firstMessage?: string };
  /** Visibility's count of running sagas on v1 once v2 is current (versioned): the old ones, all still there. */
  runningOnV1AtSwitch?: number;
  /** The same after every saga closed: 0 means v1's workers may stop. */
  runningOnV1?: number;
  /** v1's drainage as the server reports it then (versioned): DRAINED takes minutes with default settings. */
  drainageV1?: string;
  /** The drill's sagas it terminated at the end, and those still running after that. */
  terminated: number;
  leftRunning: number;
  ok: boolean;
  problems: string[];
}

/** Starts, signals, queries and history reads in flight at once. */
const CONCURRENCY = 20;
/** Results awaited at once: long polls, cheap for the server. */
const RESULT_CONCURRENCY = 50;
const AFTER_SWITCH = 20;
/** A review payment's wait for account state: it is in PENDING_REVIEW seconds after its start. */
const REVIEW_AFTER_MS = 2_000;
const REVIEW_DEADLINE_MS = 3_600_000;
/** The other payments' wait: far longer than the drill, so none times out. */
const WAIT_DEADLINE_MS = 600_000;
/** How long the control waits for the waiting sagas to fail on v2. */
const NONDETERMINISM_WAIT_MS = 60_000;

class DrillTimeout extends Error {
  override name = 'DrillTimeout';
}

/** The handle's result, or undefined when the saga failed or did not close before `deadline` (Date.now() units). */
async function outcomeBy(p: DrillPayment, deadline: number) {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.handle!.result(),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now())))),
    ]);
  } catch {
    return undefined; // terminated (the control) or failed: not decided
  } finally {
    clearTimeout(timer);
  }
}

export async function runDeployDrill(opts: DeployDrillOptions): Promise<DeployDrillResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const { signal } = opts;
  const after = opts.after ?? AFTER_SWITCH;
  if (!Number.isInteger(opts.payments) || opts.payments < 1)
    throw new RangeError('payments must be a whole number of at least 1');
  if (!Number.isInteger(opts.review) || opts.review < 0 || opts.review > opts.payments)
    throw new RangeError('review must be a whole number between 0 and payments');

  const runId = randomBytes(4).toString('hex');
  const mode = opts.unversioned ? 'unversioned' : 'versioned';
  const taskQueue = `deploy-drill-${runId}`;
  const deploymentName = `paysaga-deploy-drill-${runId}`;
  const builds = { v1: `drill-v1-${runId}`, v2: `drill-v2-${runId}` };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WORKER_DEPLOYMENT_NAME: deploymentName,
    WORKER_BUILD_ID: builds.v1,
    WORKER_PROMOTE: 'always',
    ...(opts.unversioned ? { WORKER_VERSIONING: 'off' } : {}),
  };
  const config = loadConfig(env);
  const configV2 = loadConfig({ ...env, WORKER_BUILD_ID: builds.v2 });

  const phasesMs: Partial<Record<Phase, number>> = {};
  const phase = async <T>(name: Phase, fn: () => Promise<T>): Promise<T> => {
    signal?.throwIfAborted();
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      phasesMs[name] = Date.now() - t0;
      log(`deploy-drill: ${name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  };

  const base = sagaPolicy(config);
  const waitingPolicy: SagaPolicy = { ...base, accountStateDeadlineMs: WAIT_DEADLINE_MS };
  const reviewPolicy: SagaPolicy = {
    ...base,
    accountStateDeadlineMs: REVIEW_AFTER_MS,
    timeoutPolicy: 'review',
    reviewDeadlineMs: REVIEW_DEADLINE_MS,
  };
  const old: DrillPayment[] = [];
  const fresh: DrillPayment[] = [];
  const all = () => [...old, ...fresh].filter((p) => p.handle);

  log(
    `deploy-drill ${runId} (${mode}): ${opts.payments} payments waiting (${opts.review} in review), ` +
      `then v2 deployed on task queue ${taskQueue}${opts.unversioned ? '' : `, deployment ${deploymentName}`}`,
  );
  let ours: string[] = [];
  let system: DrillSystem | undefined;
  let v1: DrillWorker | undefined;
  let v2: DrillWorker | undefined;
  let closedOut = false;
  const problems: string[] = [];
  const v1Version = { deploymentName, buildId: builds.v1 };
  let runningOnV1AtSwitch: number | undefined;

  /** Terminates every saga of the drill still open, so nothing of it is left running; returns how many. */
  const closeOut = async (): Promise<number> => {
    closedOut = true;
    const terminated = await mapLimit(all(), CONCURRENCY, async (p) => {
      const { status } = await p.handle!.describe();
      if (status.name !== 'RUNNING') return 0;
      await p.handle!.terminate(`deploy drill ${runId}: left open at its end`);
      await endWaiting(system!.pool!, p.payment.paymentId); // as the bridge does for a saga that is gone
      return 1;
    });
    return terminated.reduce<number>((a, b) => a + b, 0);
  };

  try {
    await phase('setup', async () => {
      ours = (await stackUp(config)).engines.filter((e) => e.state === 'started').map((e) => e.name);
      system = new DrillSystem(config);
      await system.open();
      v1 = await system.startWorker(config);
      await v1.promote(signal);
    });
    const { client, pool } = { client: system!.client!, pool: system!.pool! };

    await phase('start', async () => {
      // Requested now, not at setup: a payment's waits count from its requestedAt. The review ones first: their
      // two seconds run while the rest are being started.
      old.push(
        ...Array.from({ length: opts.review }, (_, i) => drillPayment(runId, 'review', i)),
        ...Array.from({ length: opts.payments - opts.review }, (_, i) => drillPayment(runId, 'waiting', i)),
      );
      await mapLimit(old, CONCURRENCY, (p) => start(client, p, p.cohort === 'review' ? reviewPolicy : waitingPolicy, taskQueue));
      // Waiting means the first workflow task completed on v1: the saga is pinned there and its wait is in history.
      const pending = new Set(old);
      const waited = await eventually(
        async () => {
          const states = await mapLimit([...pending], CONCURRENCY, async (p) => ({ p, state: await sagaState(p.handle!) }));
          for (const { p, state } of states)
            if (state === 'PENDING_REVIEW' || (p.cohort === 'waiting' && state === 'AWAITING_ACCOUNT_STATE')) pending.delete(p);
          return pending.size === 0;
        },
        { timeoutMs: 60_000 + old.length * 100, everyMs: 500, signal },
      );
      signal?.throwIfAborted();
      if (!waited) throw new DrillTimeout(`${pending.size} of ${old.length} sagas were not waiting (or in review) in time`);
      log(`deploy-drill: ${old.length} sagas waiting on v1, ${opts.review} of them in PENDING_REVIEW`);
    });

    await phase('deploy', async () => {
      const code = await bundleIncompatibleSaga(runId);
      v2 = await system!.startWorker(configV2, code);
      if (opts.unversioned) {
        await v1!.stop(); // the rolling deploy: the old build's workers are replaced
        log('deploy-drill: v2 running, v1 stopped (unversioned: a rolling deploy)');
        return;
      }
      await v2.promote(signal);
      // Until the routing has reached every partition of the task queue, a new saga may still start on v1.
      if (
        !(await eventually(() => routingSettled(system!.workflowService, config.temporal.namespace, deploymentName), {
          timeoutMs: 30_000,
          signal,
        }))
      )
        problems.push('the routing change to v2 was still in progress after 30 s');
      // The query that tells when v1 may stop, seen counting first: every old saga is still running there.
      await eventually(
        async () =>
          (runningOnV1AtSwitch = (await client.workflow.count(runningOnQuery(taskQueue, v1Version))).count) === old.length,
        { timeoutMs: 30_000, everyMs: 1_000, signal },
      );
      log(`deploy-drill: v2 is the current version; visibility counts ${runningOnV1AtSwitch} sagas running on v1`);
    });

    await phase('after', async () => {
      // Listed before they start: a drill that fails midway terminates whichever did start.
      fresh.push(...Array.from({ length: after }, (_, i) => drillPayment(runId, 'after', i)));
      await mapLimit(fresh, CONCURRENCY, async (p) => {
        await recordBeforeStart(pool, freshState(p.payment.accountId));
        await start(client, p, waitingPolicy, taskQueue);
      });
    });

    await phase('deliver', async () => {
      const deliver = accountStateDelivery(client, pool, runId);
      await mapLimit(old, CONCURRENCY, (p) => deliver(freshState(p.payment.accountId)));
    });

    const outcomes = new Map<DrillPayment, Awaited<ReturnType<typeof outcomeBy>>>();
    const failures = new Map<DrillPayment, TaskFailure | undefined>();
    await phase('close', async () => {
      const deadline = Date.now() + Math.max(60_000, all().length * 600);
      if (!opts.unversioned) {
        await mapLimit(all(), RESULT_CONCURRENCY, async (p) => outcomes.set(p, await outcomeBy(p, deadline)));
        return;
      }
      await mapLimit(fresh, RESULT_CONCURRENCY, async (p) => outcomes.set(p, await outcomeBy(p, deadline)));
      // The waiting sagas' signals reach v2 once v1's sticky queues are given up; each replays there and fails.
      await eventually(
        async () => {
          const unseen = old.filter((p) => !failures.get(p));
          await mapLimit(unseen, CONCURRENCY, async (p) => failures.set(p, await firstTaskFailure(p.handle!)));
          return old.every((p) => isNondeterminism(failures.get(p)));
        },
        { timeoutMs: NONDETERMINISM_WAIT_MS, everyMs: 2_000, signal },
      );
    });

    const result = await phase('check', async () => {
      const sagas = all();
      const versions = new Map<DrillPayment, SagaVersion>();
      await mapLimit(sagas, CONCURRENCY, async (p) => {
        versions.set(p, await sagaVersion(p.handle!));
        if (!failures.get(p)) failures.set(p, await firstTaskFailure(p.handle!));
      });
      const seen: Record<string, number> = {};
      for (const v of versions.values()) {
        const key = v.buildId ? `${v.behavior ?? 'no behaviour'} on ${v.buildId}` : 'unversioned';
        seen[key] = (seen[key] ?? 0) + 1;
      }
      const on = (p: DrillPayment, buildId: string) =>
        versions.get(p)?.behavior === 'PINNED' && versions.get(p)?.buildId === buildId;
      const nondeterministic = old.filter((p) => isNondeterminism(failures.get(p)));
      const decisions = [...outcomes.values()];
      const authorized = decisions.filter((o) => o?.decision === 'AUTHORIZED').length;
      const declined = decisions.filter((o) => o?.decision === 'DECLINED').length;

      let runningOnV1: number | undefined;
      let drainageV1: string | undefined;
      if (!opts.unversioned) {
        // Visibility follows the close of the last saga within a second or so.
        await eventually(
          async () => (runningOnV1 = (await client.workflow.count(runningOnQuery(taskQueue, v1Version))).count) === 0,
          { timeoutMs: 30_000, everyMs: 1_000, signal },
        );
        drainageV1 = await drainageStatus(system!.workflowService, config.temporal.namespace, v1Version);
      }
      const terminated = await closeOut();
      const leftRunning = (
        await mapLimit(sagas, CONCURRENCY, async (p) => ((await p.handle!.describe()).status.name === 'RUNNING' ? 1 : 0))
      ).reduce<number>((a, b) => a + b, 0);
      return {
        decided: { authorized, declined, undecided: sagas.length - authorized - declined },
        versions: {
          oldPinnedV1: old.filter((p) => on(p, builds.v1)).length,
          newOnV2: fresh.filter((p) => on(p, builds.v2)).length,
          seen,
        },
        taskFailures: sagas.filter((p) => failures.get(p)).length,
        nondeterminism: {
          count: nondeterministic.length,
          ofWaiting: old.length,
          firstMessage: failures.get(nondeterministic[0]!)?.message,
        },
        runningOnV1AtSwitch,
        runningOnV1,
        drainageV1,
        terminated,
        leftRunning,
      };
    });

    const total = old.length + fresh.length;
    if (opts.unversioned) {
      if (result.nondeterminism.count === 0) problems.push('no waiting saga failed on v2: the control did not show the failure');
    } else {
      if (result.decided.authorized !== total)
        problems.push(`${total - result.decided.authorized} of ${total} payments not authorized`);
      if (result.taskFailures > 0) problems.push(`${result.taskFailures} sagas had a workflow task fail`);
      if (result.versions.oldPinnedV1 !== old.length)
        problems.push(`${old.length - result.versions.oldPinnedV1} of ${old.length} old sagas not pinned to v1`);
      if (result.versions.newOnV2 !== fresh.length)
        problems.push(`${fresh.length - result.versions.newOnV2} of ${fresh.length} new sagas not on v2`);
      if (result.runningOnV1AtSwitch !== old.length)
        problems.push(`visibility counted ${result.runningOnV1AtSwitch} of ${old.length} old sagas running on v1 at the switch`);
      if (result.runningOnV1 !== 0) problems.push(`visibility still counts ${result.runningOnV1} sagas running on v1`);
      if (result.terminated > 0) problems.push(`${result.terminated} sagas were still open at the end`);
    }
    if (result.leftRunning > 0) problems.push(`${result.leftRunning} sagas still running after the drill terminated them`);
    return {
      runId,
      mode,
      taskQueue,
      deploymentName,
      builds,
      payments: opts.payments,
      review: opts.review,
      after: fresh.length,
      phasesMs,
      ...result,
      ok: problems.length === 0,
      problems,
    };
  } finally {
    const t0 = Date.now();
    // A drill that failed or was stopped still leaves nothing running: no saga of its own, no worker, no engine.
    if (system?.client && !closedOut)
      await closeOut().catch((err: unknown) => log(`deploy-drill: could not terminate its sagas: ${String(err)}`));
    await v1?.stop().catch((err: unknown) => log(`deploy-drill: worker v1 ended with ${String(err)}`));
    await v2?.stop().catch((err: unknown) => log(`deploy-drill: worker v2 ended with ${String(err)}`));
    await system?.close();
    if (ours.length > 0) await stackDown(config, ours);
    phasesMs.teardown = Date.now() - t0; // the result returned holds this same record
  }
}
