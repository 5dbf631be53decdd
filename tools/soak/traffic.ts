/**
 * The soak's demo traffic: POST /payments at a steady rate for the whole soak, spread over a few accounts whose
 * state is fresh (published once, valid past the run), and one payment in ten on an account of its own whose
 * state the legacy feed publishes a few seconds after the request (so timers and signals keep working too).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { AccountState } from '../../contracts/payment';
import type { DecidedCollector } from '../bench/decided-collector';
import type { DemoApi } from '../demo/api';
import { connectFeed, type FeedPublisher } from '../legacy/feed';

const FRESH_ACCOUNTS = 20;
const LATE_EVERY = 10;
const LATE_BY_MS = 3_000;

export interface TrafficCounts {
  sent: number;
  accepted: number;
  /** POSTs that failed, with the first error. */
  errors: number;
  firstError?: string;
  decided: number;
  /** Accepted payments with no decided event (counted after the drain). */
  undecided: number;
}

const state = (accountId: string, asOf: Date): AccountState => ({
  accountId,
  version: 1,
  asOf: asOf.toISOString(),
  status: 'active',
  balance: 1_000_000_000,
  currency: 'EUR',
});

export class Traffic {
  private feed?: FeedPublisher;
  private readonly accepted = new Set<string>();
  private readonly lateStates: Promise<void>[] = [];
  private counts = { sent: 0, errors: 0, firstError: undefined as string | undefined };

  constructor(private readonly deps: { api: DemoApi; kafka: Kafka; collector: DecidedCollector; runId: string }) {}

  private account(kind: 'fresh' | 'late', i: number) {
    return `acc-soak-${this.deps.runId}-${kind}-${i}`;
  }

  /** Publishes the fresh accounts' state; then `run` offers the load. */
  async start(): Promise<void> {
    this.feed = await connectFeed(this.deps.kafka);
    const validPastTheRun = new Date(Date.now() + 7 * 24 * 3_600_000);
    await this.feed.publish(Array.from({ length: FRESH_ACCOUNTS }, (_, i) => state(this.account('fresh', i), validPastTheRun)));
  }

  /**
   * Offers `rate` payments per second (open loop: the i-th is due at start + i/rate) until `signal` aborts;
   * resolves when every POST and late state in flight has answered.
   */
  async run(rate: number, signal: AbortSignal): Promise<void> {
    const inFlight: Promise<void>[] = [];
    const startedAt = Date.now();
    for (let i = 0; !signal.aborted; i++) {
      const wait = startedAt + (i * 1000) / rate - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
      if (!signal.aborted) inFlight.push(this.send(i, signal));
    }
    await Promise.all([...inFlight, ...this.lateStates]);
  }

  private async send(i: number, signal: AbortSignal): Promise<void> {
    const late = i % LATE_EVERY === LATE_EVERY - 1;
    const accountId = late ? this.account('late', i) : this.account('fresh', i % FRESH_ACCOUNTS);
    this.counts.sent++;
    try {
      const { paymentId } = await this.deps.api.createPayment(
        { accountId, merchantId: 'm-soak', amount: 100 + (i % 900), currency: 'EUR' },
        randomUUID(),
      );
      this.accepted.add(paymentId);
      if (late) this.lateStates.push(this.publishLate(accountId, signal));
    } catch (err) {
      this.failed(err);
    }
  }

  /** The late account's state, LATE_BY_MS after its payment was accepted (at once when the soak stops). */
  private async publishLate(accountId: string, signal: AbortSignal): Promise<void> {
    await sleep(LATE_BY_MS, undefined, { signal }).catch(() => undefined);
    await this.feed!.publish([state(accountId, new Date())]).catch((err: unknown) => this.failed(err));
  }

  private failed(err: unknown): void {
    this.counts.errors++;
    this.counts.firstError ??= err instanceof Error ? err.message : String(err);
  }

  /** Payment ids accepted most recently, newest first (the console visits their pages). */
  recent(n: number): string[] {
    return [...this.accepted].slice(-n).reverse();
  }

  counted(): TrafficCounts {
    const decided = [...this.accepted].filter((id) => this.deps.collector.decided.has(id)).length;
    return {
      sent: this.counts.sent,
      accepted: this.accepted.size,
      errors: this.counts.errors,
      ...(this.counts.firstError ? { firstError: this.counts.firstError } : {}),
      decided,
      undecided: this.accepted.size - decided,
    };
  }

  async stop(): Promise<void> {
    await this.feed?.disconnect();
  }
}
