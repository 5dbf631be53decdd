/**
 * A role starting while an engine restarts (a supervisor restarts a killed role at any moment) waits for the
 * engine, saying so, instead of exiting at once and being restarted in a loop; after two minutes it gives up
 * and the process exits non-zero. Only unavailability is waited for: any other error (bad credentials, a
 * missing namespace) fails the start at once.
 */
import { logger } from '../observability/logger';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitForEngine<T>(
  engine: string,
  connect: () => Promise<T>,
  unavailable: (err: unknown) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await connect();
    } catch (err) {
      if (!unavailable(err) || Date.now() > deadline) throw err;
      if (attempt === 0) logger.warn({ engine, err: (err as Error).message }, `paysaga: waiting for ${engine}`);
      await sleep(Math.min(5_000, 250 * 2 ** attempt));
    }
  }
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
