/**
 * The payment worker of this process, when it runs here (`npm start` runs every role in one process). A starter in
 * the same process builds its client on the worker's connection and asks for eager workflow start: Temporal then
 * hands the saga's first workflow task back in the start's answer, to this worker, instead of through matching and
 * a poll. The saga is recorded as started either way; if the worker has no free slot, the task goes through
 * matching as usual (docs/performance.md).
 */
import type { NativeConnection } from '@temporalio/worker';

interface LocalWorker {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
}

let local: LocalWorker | undefined;

/** The worker role registers its connection once it polls, and withdraws it before it closes it. */
export function registerLocalWorker(worker: LocalWorker): () => void {
  local = worker;
  return () => {
    if (local === worker) local = undefined;
  };
}

/** The connection of this process's worker of `taskQueue` in `namespace`, if there is one. */
export function localWorkerConnection(namespace: string, taskQueue: string): NativeConnection | undefined {
  return local && local.namespace === namespace && local.taskQueue === taskQueue ? local.connection : undefined;
}
