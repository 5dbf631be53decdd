/**
 * Sends due webhook deliveries (DESIGN.md §4): each attempt is a POST with a fresh `webhook-timestamp` and
 * signature; 2xx marks the delivery delivered; anything else (another status, a redirect, a timeout, no
 * connection) schedules the next attempt with exponential backoff and jitter, and the last allowed attempt
 * moves it to webhook_dead_letters for an operator. Several notifiers may run: a delivery is claimed with
 * `for update skip locked` and leased (its next_attempt_at moves past the attempt's timeout) in one short
 * statement, so no two notifiers attempt it at once, and a notifier that dies mid-attempt only delays it.
 * Idle notifiers sleep until PostgreSQL notifies an insert (LISTEN webhook_deliveries, db/notified-loop.ts) or
 * a retry is due.
 */
import type { Config } from '../config';
import { NotifiedLoop } from '../db/notified-loop';
import type { Pool } from '../db/pool';
import { retryDelayMs } from './backoff';
import type { WebhookEndpoint } from './handler';
import { webhookHeaders } from './signature';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';

export interface WebhookDispatcherOptions {
  pool: Pool;
  /** A connection string for the LISTEN connection (pool connections cannot hold a LISTEN). */
  databaseUrl: string;
  webhooks: Config['webhooks'];
  /** Attempts in flight at once, across endpoints: one slow endpoint does not hold up the others. */
  concurrency?: number;
  /** Longest sleep when no notification arrives and no retry is due sooner. */
  idleMs?: number;
  /** How often deliveries that can no longer be attempted are looked for (and dead-lettered). */
  sweepEveryMs?: number;
  /**
   * How long a due delivery of an endpoint this notifier does not know waits before it is dead-lettered: in a
   * rolling deploy that adds an endpoint, a notifier with the new configuration takes it within that time.
   */
  unknownEndpointGraceMs?: number;
  /** Where a failed attempt or a dead letter is reported (never with a secret or an endpoint's url). */
  log?: (line: string) => void;
}

interface ClaimedDelivery {
  id: number;
  endpoint_id: string;
  event_id: string;
  body: string;
  /** Including the attempt now being made. */
  attempts: number;
}

type AttemptResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

const USER_AGENT = 'paysaga-webhooks/1';

export class WebhookDispatcher {
  private readonly endpoints: Map<string, WebhookEndpoint>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly loop: NotifiedLoop;
  private lastSweep = 0;
  /** Since start, for tests and logs. */
  readonly counts = { attempts: 0, delivered: 0, retried: 0, deadLettered: 0 };

  constructor(private readonly opts: WebhookDispatcherOptions) {
    this.endpoints = new Map(opts.webhooks.endpoints.map((e) => [e.id, e]));
    this.loop = new NotifiedLoop({
      name: 'notifier',
      databaseUrl: opts.databaseUrl,
      pool: opts.pool,
      channel: 'webhook_deliveries',
      step: () => this.turn(),
    });
  }

  async start(): Promise<void> {
    await this.loop.start();
  }

  /** Stops taking deliveries, lets the attempts in flight finish (at most the request timeout), disconnects. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.allSettled(this.inFlight);
  }

  private get knownIds(): string[] {
    return [...this.endpoints.keys()];
  }

  private log(line: string): void {
    if (this.opts.log) this.opts.log(line);
    else logger.warn({ component: 'notifier' }, line);
  }

  /** Sweeps when due, claims what this notifier has room for; resolves to how long it may sleep. */
  private async turn(): Promise<number> {
    const concurrency = this.opts.concurrency ?? 16;
    const sweepEveryMs = this.opts.sweepEveryMs ?? 10_000;
    if (Date.now() - this.lastSweep >= sweepEveryMs) {
      this.lastSweep = Date.now();
      await this.sweep();
    }
    const free = concurrency - this.inFlight.size;
    const claimed = free > 0 ? await this.claim(free) : [];
    for (const delivery of claimed) this.launch(delivery);
    if (free > 0 && claimed.length === free) return 0; // more may be due
    // Full: an attempt that finishes wakes the loop. Otherwise until the next retry or sweep is due.
    const nextSweepMs = Math.max(0, this.lastSweep + sweepEveryMs - Date.now());
    return Math.min(nextSweepMs, free > claimed.length ? await this.msUntilDue() : (this.opts.idleMs ?? 1_000));
  }

  /** Takes up to `limit` due deliveries of known endpoints and leases them for one attempt each. */
  private async claim(limit: number): Promise<ClaimedDelivery[]> {
    const leaseMs = 2 * this.opts.webhooks.timeoutMs + 10_000;
    const { rows } = await this.opts.pool.query<ClaimedDelivery>(
      `with due as (
         select id from webhook_deliveries
         where status = 'pending' and next_attempt_at <= now() and attempts < $2 and endpoint_id = any($3)
         order by next_attempt_at, id limit $1
         for update skip locked)
       update webhook_deliveries d set attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $4 / 1000.0)
       from due where d.id = due.id
       returning d.id, d.endpoint_id, d.event_id::text, d.body, d.attempts`,
      [limit, this.opts.webhooks.maxAttempts, this.knownIds, leaseMs],
    );
    return rows;
  }

  private launch(delivery: ClaimedDelivery): void {
    const attempt: Promise<void> = this.attempt(delivery)
      .catch((err: Error) =>
        // The result could not be recorded: the lease runs out and the delivery is attempted again.
        this.log(`notifier: webhook ${delivery.event_id} to ${delivery.endpoint_id}: result not recorded: ${err.message}`),
      )
      .finally(() => {
        this.inFlight.delete(attempt);
        this.loop.wake();
      });
    this.inFlight.add(attempt);
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const { pool, webhooks } = this.opts;
    const endpoint = this.endpoints.get(delivery.endpoint_id)!; // claim takes only known endpoints
    this.counts.attempts++;
    const result = await this.post(endpoint, delivery);
    const what = `webhook ${delivery.event_id} to ${endpoint.id}`;
    if (result.ok) {
      // A success stands even if the lease ran out and another notifier took the delivery meanwhile.
      await pool.query(
        `update webhook_deliveries set status = 'delivered', delivered_at = now(), last_status = $2, last_error = null
         where id = $1 and status = 'pending'`,
        [delivery.id, result.status],
      );
      this.counts.delivered++;
      metrics.webhookAttempts.inc({ outcome: 'delivered' });
      return;
    }
    if (delivery.attempts >= webhooks.maxAttempts) {
      const { rowCount } = await pool.query(
        `with gone as (
           delete from webhook_deliveries where id = $1 and status = 'pending' and attempts = $2 returning *)
         insert into webhook_dead_letters (endpoint_id, merchant_id, event_id, payment_id, body, attempts, last_error, last_status, created_at)
         select endpoint_id, merchant_id, event_id, payment_id, body, attempts, $3, $4, created_at from gone`,
        [delivery.id, delivery.attempts, result.error, result.status],
      );
      if (rowCount) {
        this.counts.deadLettered++;
        metrics.webhookAttempts.inc({ outcome: 'dead_lettered' });
        this.log(`notifier: ${what} dead-lettered after ${delivery.attempts} attempts: ${result.error}`);
      }
      return;
    }
    const delayMs = retryDelayMs(delivery.attempts, { initialMs: webhooks.backoffInitialMs, maxMs: webhooks.backoffMaxMs });
    // Only while this notifier still holds the attempt (attempts unchanged): never move a delivery backwards.
    await pool.query(
      `update webhook_deliveries set next_attempt_at = now() + make_interval(secs => $3 / 1000.0), last_error = $4, last_status = $5
       where id = $1 and status = 'pending' and attempts = $2`,
      [delivery.id, delivery.attempts, delayMs, result.error, result.status],
    );
    this.counts.retried++;
    metrics.webhookAttempts.inc({ outcome: 'retry' });
    this.log(`notifier: ${what} attempt ${delivery.attempts} failed: ${result.error}; next in ${delayMs} ms`);
  }

  /** One attempt: the stored body byte for byte, signed now. Redirects are not followed: a webhook URL is exact. */
  private async post(endpoint: WebhookEndpoint, delivery: ClaimedDelivery): Promise<AttemptResult> {
    const { timeoutMs } = this.opts.webhooks;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: { ...webhookHeaders(endpoint.secret, delivery.event_id, delivery.body), 'user-agent': USER_AGENT },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
      return { ok: false, status: res.status, error: `HTTP ${res.status}${redirect}` };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const cause = e.cause?.code ?? e.cause?.message;
      const reason = e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : cause ? `${e.message}: ${cause}` : e.message;
      // An error may quote the url, which can carry credentials: name the endpoint instead.
      return { ok: false, status: null, error: reason.split(endpoint.url).join(`<${endpoint.id}>`).slice(0, 500) };
    }
  }

  /**
   * Dead-letters the deliveries no notifier can attempt: those of endpoints that left the configuration (after
   * the grace), and those whose attempts ran out without a recorded result (a notifier died during the last).
   */
  private async sweep(): Promise<void> {
    const { rows } = await this.opts.pool.query<{ endpoint_id: string; event_id: string; last_error: string }>(
      `with gone as (
         delete from webhook_deliveries where id in (
           select id from webhook_deliveries
           where status = 'pending' and next_attempt_at <= now()
             and (attempts >= $1 or (not endpoint_id = any($2) and next_attempt_at <= now() - make_interval(secs => $3 / 1000.0)))
           for update skip locked)
         returning *)
       insert into webhook_dead_letters (endpoint_id, merchant_id, event_id, payment_id, body, attempts, last_error, last_status, created_at)
       select endpoint_id, merchant_id, event_id, payment_id, body, attempts,
              case when endpoint_id = any($2) then 'attempts exhausted; the result of the last one was not recorded (last error: '
                     || coalesce(last_error, 'none') || ')'
                   else 'endpoint ' || endpoint_id || ' is no longer configured' end,
              last_status, created_at
       from gone
       returning endpoint_id, event_id::text, last_error`,
      [this.opts.webhooks.maxAttempts, this.knownIds, this.opts.unknownEndpointGraceMs ?? 60_000],
    );
    for (const row of rows) {
      this.counts.deadLettered++;
      this.log(`notifier: webhook ${row.event_id} to ${row.endpoint_id} dead-lettered: ${row.last_error}`);
    }
  }

  /** How long until the earliest pending delivery this notifier can attempt is due (at most idleMs). */
  private async msUntilDue(): Promise<number> {
    const idleMs = this.opts.idleMs ?? 1_000;
    const { rows } = await this.opts.pool.query<{ ms: number | null }>(
      `select (extract(epoch from min(next_attempt_at) - now()) * 1000)::float8 as ms from webhook_deliveries
       where status = 'pending' and attempts < $1 and endpoint_id = any($2)`,
      [this.opts.webhooks.maxAttempts, this.knownIds],
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? idleMs : Math.max(0, Math.min(idleMs, Math.ceil(ms)));
  }
}
