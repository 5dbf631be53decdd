/**
 * The Server-Sent Events plumbing of the api's streams (api/payment-events.ts): headers, a heartbeat, a poll
 * loop, and the open-streams gauge. Each stream polls the database, so any api process serves any stream.
 *
 * A stream is owned from its first line: it ends when its client leaves (at any moment, including during the
 * awaits of the route before it, through requestScope()), when the api stops (stop() ends every stream and
 * waits for it, before the role closes its pool), when its pool has ended, and after too many failed polls
 * in a row, with an `error` event that says so. Nothing polls for a client that is gone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Request, Response } from 'express';
import type { Pool } from '../db/pool';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { requestSignal } from './request-scope';

/** How often a stream looks for new rows: a state change reaches the client within this. */
const POLL_MS = 500;
/** A comment this often keeps proxies and load balancers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/**
 * Polls that may fail in a row before the stream ends: 20 × 500 ms rides out a database restart (seconds)
 * and ends a stream whose database is really gone; the client's EventSource reconnects with Last-Event-ID.
 */
const MAX_POLL_FAILURES = 20;
/** The reconnection delay an ended stream asks the client for (SSE `retry`). */
const RETRY_AFTER_FAILURES_MS = 5_000;

/** What a poll asks for next: wait pollMs, poll again at once (it read a full page), or end the stream. */
export type PollResult = 'wait' | 'again' | 'end';

/** Writes one event: `id` and `data` lines, then a blank line (the data is one line of JSON). */
export type SendEvent = (id: string, data: unknown) => void;

export interface EventStreamTimings {
  pollMs: number;
  maxPollFailures: number;
}

export class EventStreams {
  private readonly stopping = new AbortController();
  private readonly open = new Set<Promise<void>>();
  private readonly timings: EventStreamTimings;

  /** `pool` is the one the polls read: once it has ended, a stream whose poll fails ends. */
  constructor(
    private readonly pool: Pick<Pool, 'ending'>,
    timings: Partial<EventStreamTimings> = {},
  ) {
    this.timings = { pollMs: POLL_MS, maxPollFailures: MAX_POLL_FAILURES, ...timings };
  }

  /** Streams being served now. */
  get size(): number {
    return this.open.size;
  }

  /**
   * Answers `req` with an event stream: calls `poll` until it says 'end', the client leaves or the api
   * stops, `poll` sending the events it found. A poll that throws (PostgreSQL away for a moment) is logged
   * with `bindings` and tried again, up to maxPollFailures in a row.
   */
  async serve(
    req: Request,
    res: Response,
    poll: (send: SendEvent) => Promise<PollResult>,
    bindings: Record<string, unknown> = {},
  ): Promise<void> {
    const signal = AbortSignal.any([requestSignal(res), this.stopping.signal]);
    if (signal.aborted) return; // the client left, or the api stops, before the stream began
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no', // nginx would otherwise buffer the stream
    });
    res.flushHeaders();
    if (req.method === 'HEAD') return void res.end();
    const stream = this.run(res, poll, signal, bindings);
    this.open.add(stream);
    try {
      await stream;
    } finally {
      this.open.delete(stream);
    }
  }

  /** Ends every stream and waits until each has stopped polling. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.open);
  }

  private async run(
    res: Response,
    poll: (send: SendEvent) => Promise<PollResult>,
    signal: AbortSignal,
    bindings: Record<string, unknown>,
  ): Promise<void> {
    const send: SendEvent = (id, data) => void res.write(`id: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
    metrics.eventStreams.inc();
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    let failures = 0;
    try {
      while (!signal.aborted) {
        let next: PollResult;
        try {
          next = await poll(send);
          failures = 0;
        } catch (err) {
          // An ended pool means the process is stopping: a retry could only fail again.
          if (this.pool.ending) break;
          failures += 1;
          logger.warn({ ...bindings, err: (err as Error).message, failures }, 'event stream: read failed');
          if (failures >= this.timings.maxPollFailures) {
            logger.error({ ...bindings, failures }, 'event stream: ended after failed reads in a row');
            res.write(
              `event: error\nretry: ${RETRY_AFTER_FAILURES_MS}\ndata: ${JSON.stringify({
                title: 'event stream ended',
                detail: `the database did not answer ${failures} reads in a row; reconnect with Last-Event-ID`,
              })}\n\n`,
            );
            break;
          }
          next = 'wait';
        }
        if (next === 'end') break;
        if (next === 'wait') await sleep(this.timings.pollMs, undefined, { signal }).catch(() => undefined); // rejects only when aborted
      }
    } finally {
      clearInterval(heartbeat);
      metrics.eventStreams.dec();
      if (!res.destroyed) res.end();
    }
  }
}
