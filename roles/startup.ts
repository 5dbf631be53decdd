/**
 * A role starting while an engine restarts (a supervisor restarts a killed role at any moment) waits for the
 * engine, saying so, instead of exiting at once and being restarted in a loop; after two minutes it gives up
 * and the process exits non-zero. Only unavailability is waited for: any other error (bad credentials, a
 * missing namespace) fails the start at once. A stop signal (Ctrl-C) ends the wait at once: the process stops.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../observability/logger';
import { StartInterrupted, stopSignal } from './lifecycle';

export async function waitForEngine<T>(
  engine: string,
  connect: () => Promise<T>,
  unavailable: (err: unknown) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await unlessStopped(engine, connect());
    } catch (err) {
      if (err instanceof StartInterrupted || !unavailable(err) || Date.now() > deadline) throw err;
      if (attempt === 0) logger.warn({ engine, err: (err as Error).message }, `paysaga: waiting for ${engine}`);
      await unlessStopped(engine, sleep(Math.min(5_000, 250 * 2 ** attempt)));
    }
  }
}

/**
 * `waiting`, or StartInterrupted as soon as the process is told to stop: Ctrl-C must not wait for an engine that
 * does not answer (a connection attempt alone can take several seconds of the client's own retries).
 */
function unlessStopped<T>(engine: string, waiting: Promise<T>): Promise<T> {
  const interrupted = () => new StartInterrupted(`stopped while waiting for ${engine}`);
  if (stopSignal.aborted) return Promise.reject(interrupted());
  return new Promise<T>((resolve, reject) => {
    const onStop = () => reject(interrupted());
    stopSignal.addEventListener('abort', onStop, { once: true });
    waiting.then(resolve, reject).finally(() => stopSignal.removeEventListener('abort', onStop));
  });
}

const text = (err: unknown) => `${(err as Error)?.name ?? ''} ${(err as Error)?.message ?? String(err)}`;

/** PostgreSQL refuses or drops connections, or says it is starting or shutting down. */
export function postgresUnavailable(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P03', '57P01'].includes(code) ||
    code.startsWith('08') ||
    /timeout|terminat|shutting down|starting up/i.test(text(err))
  );
}

/** The Temporal frontend cannot be reached (refused, reset, not serving yet). */
export function temporalUnavailable(err: unknown): boolean {
  return /TransportError|connect error|Connection refused|ECONNREFUSED|ECONNRESET|UNAVAILABLE|Failed to connect|deadline/i.test(
    text(err),
  );
}

/** The brokers do not answer, or answer that they are still electing leaders (right after a restart). */
export function kafkaUnavailable(err: unknown): boolean {
  const type = (err as { type?: string }).type;
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') return false; // setup was not run: waiting will not create topics
  return /^KafkaJS/.test((err as Error)?.name ?? '');
}
