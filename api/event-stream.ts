/**
 * The Server-Sent Events plumbing of the api's streams (api/payment-events.ts): headers, a heartbeat, a poll
 * loop that ends when the client leaves, and the open-streams gauge. Each stream polls the database, so any api
 * process serves any stream.
 */
import type { Request, Response } from 'express';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';

/** How often a stream looks for new rows: a state change reaches the client within this. */
const POLL_MS = 500;
/** A comment this often keeps proxies and load balancers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/** What a poll asks for next: wait POLL_MS, poll again at once (it read a full page), or end the stream. */
export type PollResult = 'wait' | 'again' | 'end';

/** Writes one event: `id` and `data` lines, then a blank line (the data is one line of JSON). */
export type SendEvent = (id: string, data: unknown) => void;

/**
 * Answers `req` with an event stream: calls `poll` until it says 'end' or the client disconnects, `poll`
 * sending the events it found. A poll that throws (PostgreSQL away for a moment) is logged with `bindings`
 * and tried again: the stream stays open.
 */
export async function serveEventStream(
  req: Request,
  res: Response,
  poll: (send: SendEvent) => Promise<PollResult>,
  bindings: Record<string, unknown> = {},
): Promise<void> {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no', // nginx would otherwise buffer the stream
  });
  res.flushHeaders();
  if (req.method === 'HEAD') return void res.end();

  let open = true;
  let wake: (() => void) | undefined;
  res.on('close', () => {
    open = false;
    wake?.();
  });
  const send: SendEvent = (id, data) => void res.write(`id: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
  metrics.eventStreams.inc();
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
  try {
    while (open) {
      const next = await poll(send).catch((err: unknown): PollResult => {
        logger.warn({ ...bindings, err: (err as Error).message }, 'event stream: read failed');
        return 'wait';
      });
      if (next === 'end') break;
      if (next === 'again') continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    clearInterval(heartbeat);
    metrics.eventStreams.dec();
    if (open) res.end();
  }
}
