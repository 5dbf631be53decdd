/**
 * The load driver: sends the schedule's payments as clients and upstream systems do — POST /payments with an
 * Idempotency-Key (some posted again with the same key), records on the request topic — runs the legacy feed
 * for accounts with recent payments, and sends the operators' overrides. A send that meets a fault is retried
 * as a real caller would (same key, same payment id) until it is accepted or a deadline passes.
 */
import { randomUUID } from 'node:crypto';
import { envelope, EVENT_TYPES } from '../../contracts/events';
import { paymentRequestSchema } from '../../contracts/payment';
import { TOPICS } from '../../contracts/topics';
import type { DemoApi } from '../demo/api';
import type { LegacyFeed } from './feed';
import type { ResilientProducer } from './producer';
import type { ChaosSchedule, PlannedPayment } from './schedule';

export interface TrackedPayment {
  planned: PlannedPayment;
  paymentId?: string;
  /** The api answered 202, or the request record was acknowledged by Kafka. */
  accepted: boolean;
  acceptedAt?: number;
  /** Every payment id the api answered for this key (more than one: one key made two payments). */
  answeredIds: Set<string>;
  error?: string;
  override?: { key: string; status?: number; error?: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Retries `fn` with a short backoff until it resolves or `giveUpAt` passes; the last error is rethrown. */
async function persist<T>(fn: () => Promise<T>, giveUpAt: number): Promise<T> {
  for (let delay = 250; ; delay = Math.min(2_000, delay * 2)) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() + delay > giveUpAt) throw err;
      await sleep(delay);
    }
  }
}

export class LoadDriver {
  readonly tracked = new Map<string, TrackedPayment>();
  private readonly recentAccounts = new Map<string, number>();

  constructor(
    private readonly opts: {
      schedule: ChaosSchedule;
      api: DemoApi;
      producer: ResilientProducer;
      feed: LegacyFeed;
      log: (line: string) => void;
      /** How long a sender keeps retrying a payment or an override before it gives up. */
      persistMs?: number;
    },
  ) {
    for (const planned of opts.schedule.payments)
      this.tracked.set(planned.key, { planned, accepted: false, answeredIds: new Set() });
  }

  /** Sends everything at its moment after `startedAt`; resolves when every send and override has finished. */
  async run(startedAt: number, signal: AbortSignal): Promise<void> {
    const feedDone = this.runFeed(signal);
    const sends: Promise<void>[] = [];
    for (const t of this.tracked.values()) {
      await sleep(startedAt + t.planned.atMs - Date.now());
      if (signal.aborted) break;
      this.recentAccounts.set(t.planned.accountId, Date.now());
      sends.push(this.send(t).catch((err: Error) => void (t.error = err.message.split('\n')[0])));
    }
    await Promise.all(sends);
    this.feedUntil = Date.now() + 15_000; // late payments still wait for state: the feed goes on a little
    await feedDone;
  }

  private feedUntil = Number.POSITIVE_INFINITY;

  private async runFeed(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && Date.now() < this.feedUntil) {
      const tickAt = Date.now();
      const active = new Set([...this.recentAccounts].filter(([, at]) => tickAt - at < 15_000).map(([id]) => id));
      await this.opts.feed.tick(active).catch((err: Error) => this.opts.log(`chaos: legacy feed tick failed: ${err.message}`));
      await sleep(tickAt + 1_000 - Date.now());
    }
  }

  private async send(t: TrackedPayment): Promise<void> {
    const giveUpAt = Date.now() + (this.opts.persistMs ?? 90_000);
    const { planned } = t;
    const body = {
      accountId: planned.accountId,
      merchantId: planned.merchantId,
      amount: planned.amount,
      currency: this.opts.schedule.currency,
    };
    if (planned.via === 'kafka') {
      const payment = paymentRequestSchema.parse({ paymentId: planned.key, ...body, requestedAt: new Date().toISOString() });
      await this.opts.producer.send(
        TOPICS.paymentRequested,
        [
          {
            key: payment.accountId,
            value: JSON.stringify(envelope(EVENT_TYPES.paymentRequested, randomUUID(), payment.requestedAt, payment)),
          },
        ],
        giveUpAt - Date.now(),
      );
      t.paymentId = payment.paymentId;
    } else {
      const first = await persist(() => this.opts.api.createPayment(body, planned.key), giveUpAt);
      t.paymentId = first.paymentId;
      t.answeredIds.add(first.paymentId);
    }
    t.accepted = true;
    t.acceptedAt = Date.now();
    if (planned.retriedWithSameKey) {
      const again = await persist(() => this.opts.api.createPayment(body, planned.key), giveUpAt).catch(() => undefined);
      if (again) t.answeredIds.add(again.paymentId);
    }
    if (planned.override) await this.override(t, giveUpAt);
  }

  private async override(t: TrackedPayment, giveUpAt: number): Promise<void> {
    const o = t.planned.override!;
    await sleep(t.acceptedAt! + o.afterMs - Date.now());
    const key = `${o.reusesKeyOf ?? t.planned.key}-override`;
    t.override = { key };
    try {
      // 202 accepted or 409 already decided are answers; anything else (an engine away) is retried.
      t.override.status = await persist(
        () => this.opts.api.override(t.paymentId!, o.decision, `chaos: ${o.decision}`, key),
        giveUpAt + o.afterMs,
      );
    } catch (err) {
      t.override.error = (err as Error).message.split('\n')[0];
    }
  }
}
