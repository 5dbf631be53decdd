/**
 * The soak's demo traffic: POST /payments at a steady rate for the whole soak, spread over a few accounts whose
 * state is fresh (published once, valid past the run), and one payment in ten on an account of its own whose
 * state the legacy feed publishes a few seconds after the request (so timers and signals keep working too).
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { AccountState } from '../../contracts/payment';
import type { DecidedCollector } from '../bench/decided-collector';
import { offer } from '../bench/open-loop';
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

  constructor(
    private readonly deps: { api: DemoApi; kafka: Kafka; collector: DecidedCollector; runId: string },
  ) {}

  private account(kind: 'fresh' | 'late', i: number) {
    return `acc-soak-${this.deps.runId}-${kind}-${i}`;
  }

  /** Publishes the fresh accounts' state; then `run` offers the load. */
  async start(): Promise<void> {
    this.feed = await connectFeed(this.deps.kafka);
    const validPastTheRun = new Date(Date.now() + 7 * 24 * 3_600_000);
    await this.feed.publish(Array.from({ length: FRESH_ACCOUNTS }, (_, i) => state(this.account('fresh', i), validPastTheRun)));
  }

  /** Offers `rate` payments per second for `durationMs`; resolves when the last POST has answered. */
  async run(rate: number, durationMs: number): Promise<void> {
    const { inFlight } = await offer(rate, durationMs, (i) => this.send(i));
    await Promise.all([...inFlight, ...this.lateStates]);
  }

  private async send(i: number): Promise<void> {
    const late = i % LATE_EVERY === LATE_EVERY - 1;
    const accountId = late ? this.account('late', i) : this.account('fresh', i % FRESH_ACCOUNTS);
    this.counts.sent++;
    try {
      const { paymentId } = await this.deps.api.createPayment(
        { accountId, merchantId: 'm-soak', amount: 100 + (i % 900), currency: 'EUR' },
        randomUUID(),
      );
      this.accepted.add(paymentId);
      if (late)
        this.lateStates.push(
          new Promise<void>((r) => setTimeout(r, LATE_BY_MS)).then(() => this.feed!.publish([state(accountId, new Date())])),
        );
    } catch (err) {
      this.counts.errors++;
      this.counts.firstError ??= (err as Error).message;
    }
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
