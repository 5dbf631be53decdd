/**
 * A background loop that PostgreSQL wakes (LISTEN <channel>): the outbox relay and the webhook notifier. Each
 * turn runs `step`, which says how long the loop may sleep before the next turn (0: go on at once); a
 * notification, or wake() from the code, cuts that sleep short, and one that arrives during a turn makes the
 * next turn start without sleeping. A turn that throws (PostgreSQL or Kafka unavailable) is retried with
 * exponential backoff.
 *
 * The LISTEN connection is a dedicated client (pool connections cannot hold a LISTEN). When it is lost (a
 * database restart), the loop keeps turning on its timer, so a lost connection costs latency, never work, and
 * the connection is made again with backoff; once it is back, the loop runs a turn at once for whatever was
 * notified while it was gone.
 */
import pg from 'pg';
import { logger } from '../observability/logger';
import type { Pool } from './pool';

export interface NotifiedLoopOptions {
  /** Names the loop in logs. */
  name: string;
  databaseUrl: string;
  /** The pool its turns use: once that has ended (the process stops), a failed turn stops the loop instead of
   * retrying what can only fail again. */
  pool: Pool;
  channel: string;
  /** One turn; resolves to how long the loop may sleep before the next (at most; a notification wakes it). */
  step: () => Promise<number>;
  /** Longest backoff after failed turns, and longest wait between attempts to listen again. */
  maxBackoffMs?: number;
}

const backoff = (failures: number, maxMs: number) => Math.min(maxMs, 250 * 2 ** Math.min(failures, 16));

export class NotifiedLoop {
  private listener?: pg.Client;
  private loop?: Promise<void>;
  private stopped = false;
  private woken = false;
  private interrupt?: () => void;
  private reconnectTimer?: NodeJS.Timeout;
  private listenFailures = 0;
  /** Turns that failed in a row; 0 once one goes through. */
  failures = 0;

  constructor(private readonly opts: NotifiedLoopOptions) {}

  /** Listens (failing if the database cannot be reached now), then starts turning. */
  async start(): Promise<void> {
    await this.listen();
    this.loop = this.run();
  }

  /** Stops turning after the turn in hand, and closes the LISTEN connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.wake();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  /** Runs the next turn without sleeping. */
  wake(): void {
    this.woken = true;
    this.interrupt?.();
  }

  /** Whether the LISTEN connection is up (the loop turns either way). */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.databaseUrl });
    let lost = false;
    const onLost = (why: string) => {
      if (lost) return;
      lost = true;
      if (this.listener === client) this.listener = undefined;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      logger.warn(
        { loop: this.opts.name, channel: this.opts.channel, err: why },
        `${this.opts.name}: LISTEN connection lost; polling until it is back`,
      );
      this.scheduleListen();
    };
    client.on('error', (err) => onLost(err.message));
    client.on('end', () => onLost('connection ended'));
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(this.opts.channel)}`);
    } catch (err) {
      lost = true;
      await client.end().catch(() => undefined);
      throw err;
    }
    this.listener = client;
    this.listenFailures = 0;
  }

  private scheduleListen(): void {
    const delay = backoff(this.listenFailures++, this.opts.maxBackoffMs ?? 30_000);
    this.reconnectTimer = setTimeout(() => {
      if (this.stopped) return;
      this.listen().then(
        () => {
          logger.info({ loop: this.opts.name }, `${this.opts.name}: listening again`);
          this.wake(); // notifications sent while it was gone are lost: look now
        },
        () => this.scheduleListen(),
      );
    }, delay);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let sleepMs: number;
      try {
        this.woken = false;
        sleepMs = await this.opts.step();
        this.failures = 0;
      } catch (err) {
        if (this.opts.pool.ending) {
          logger.error(
            { loop: this.opts.name, err: (err as Error).message },
            `${this.opts.name}: its database pool has ended; the loop stops`,
          );
          this.stopped = true;
          clearTimeout(this.reconnectTimer);
          await this.listener?.end().catch(() => undefined);
          break;
        }
        this.failures++;
        sleepMs = backoff(this.failures, this.opts.maxBackoffMs ?? 30_000);
        logger.warn(
          { loop: this.opts.name, err: (err as Error).message, failures: this.failures, retryInMs: sleepMs },
          `${this.opts.name}: turn failed; retrying`,
        );
        this.woken = false; // back off even if woken meanwhile: the cause is rarely gone that fast
      }
      if (sleepMs > 0) await this.sleep(sleepMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.interrupt === done) this.interrupt = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interrupt = done;
    });
  }
}
