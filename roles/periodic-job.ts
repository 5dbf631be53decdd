/**
 * A job a role runs every so often beside its main work: today, retention (deleting rows past their
 * retention). A run that fails is logged and counted (paysaga_periodic_job_failures_total{job}), never
 * swallowed, and the next tick runs as usual: the cause (PostgreSQL restarting) is usually gone by then. Runs
 * never overlap: the next tick is scheduled when a run ends. stop() cancels the next tick and waits for the
 * run in hand, so a stopping role closes its pool after its job is done with it.
 */
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';

export interface PeriodicJobOptions {
  /** Names the job in logs and in the failure counter's `job` label. */
  name: string;
  everyMs: number;
  /** One run; what it resolves to (e.g. how many rows it deleted) is logged at debug level. */
  run: () => Promise<unknown>;
}

export interface PeriodicJob {
  stop(): Promise<void>;
}

/** Starts the job: its first run is one period from now. */
export function startPeriodicJob({ name, everyMs, run }: PeriodicJobOptions): PeriodicJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const tick = async () => {
    try {
      const result = await run();
      logger.debug({ job: name, result }, `${name}: done`);
    } catch (err) {
      metrics.periodicJobFailures.inc({ job: name });
      logger.warn({ job: name, err: (err as Error)?.message ?? String(err) }, `${name}: failed; it runs again in ${everyMs} ms`);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    }, everyMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
