/**
 * How a process of roles ends: on a stop signal, or when a role reports that it cannot recover.
 *
 * A terminal's Ctrl-C goes to the whole process group, and npm forwards it once more, so one keypress arrives
 * as several SIGINTs within milliseconds. The handlers therefore stay installed for the life of the process
 * (a `once` handler would leave the second signal to Node's default, which kills the process before it has
 * stopped its roles and engines), and the Temporal runtime is told to listen to no signal of its own
 * (main.ts): the roles' stop() shuts the worker down in order.
 *
 * A role that cannot recover (a consumer that cannot be re-created, a worker whose polling failed for good)
 * calls reportFatal(): /health/live answers 503 from then on, and the process stops its roles and exits
 * non-zero, so that its supervisor (systemd, Kubernetes, a container runtime) starts it again.
 */
import { logger } from '../observability/logger';

export type StopReason = { kind: 'signal'; signal: NodeJS.Signals } | { kind: 'fatal'; role: string; error: string };

let fatalReason: Extract<StopReason, { kind: 'fatal' }> | undefined;
const waiters = new Set<(reason: StopReason) => void>();
let stopReason: StopReason | undefined;
const stopping = new AbortController();

/** Aborted once the process is told to stop: a start waiting for an engine gives up then (roles/startup.ts). */
export const stopSignal: AbortSignal = stopping.signal;

/** A start cut short because the process was told to stop: not a failure, the process stops as asked. */
export class StartInterrupted extends Error {
  override name = 'StartInterrupted';
}

function settle(reason: StopReason): void {
  if (stopReason) return;
  stopReason = reason;
  stopping.abort();
  for (const resolve of waiters) resolve(reason);
  waiters.clear();
}

let installed = false;
function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopReason) {
        logger.info({ signal }, 'paysaga: already stopping');
        return;
      }
      settle({ kind: 'signal', signal });
    });
  }
}

/** Resolves on the first SIGINT or SIGTERM, or on the first fatal report, whichever comes first. */
export function untilStopped(): Promise<StopReason> {
  installSignalHandlers();
  if (stopReason) return Promise.resolve(stopReason);
  return new Promise((resolve) => waiters.add(resolve));
}

/**
 * The reason the process is stopping, once it is: a process still starting its roles (or waiting for them to be
 * ready) asks, so that Ctrl-C does not wait for the start to finish first.
 */
export function stopRequested(): StopReason | undefined {
  return stopReason;
}

/** A role cannot go on: the process stops and exits non-zero. Idempotent; the first report wins. */
export function reportFatal(role: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  logger.fatal({ role, err: message }, `paysaga: ${role} cannot recover; the process stops and exits non-zero`);
  fatalReason ??= { kind: 'fatal', role, error: message };
  settle(fatalReason);
}

/** For /health/live: undefined while every role can still recover by itself. */
export function fatalError(): Extract<StopReason, { kind: 'fatal' }> | undefined {
  return fatalReason;
}

/**
 * Runs stop(), but gives up waiting after timeoutMs (logged, and false: the caller exits non-zero naming it): a
 * hung role must not keep the process alive.
 */
export async function withinDeadline(what: string, timeoutMs: number, stop: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const done = await Promise.race([stop().then(() => true as const), expired]);
    if (!done) logger.error({ what, timeoutMs }, `paysaga: ${what} did not stop within ${timeoutMs / 1000}s; going on`);
    return done;
  } finally {
    clearTimeout(timer);
  }
}
