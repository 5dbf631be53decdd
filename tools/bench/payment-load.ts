/**
 * The load on paysaga: POST /payments at an offered rate (open loop), each payment's account state fresh before
 * its request, published late through the legacy feed, or never; measured to its decided event on Kafka.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createPrng, type Prng } from '../chaos/prng';
import type { AccountState } from '../../contracts/payment';
import type { DemoApi } from '../demo/api';
import { connectFeed, publishFeed, type FeedPublisher } from '../legacy/feed';
import { sleep } from '../stack/proc';
import type { DecidedCollector } from './decided-collector';
import { offer, sampleBacklog } from './open-loop';
import type { BenchOptions } from './options';
import { backlogGrowing, summarize, type BacklogSample, type LatencySummary } from './stats';

export type StateKind = 'fresh' | 'late' | 'never';
const KINDS: StateKind[] = ['fresh', 'late', 'never'];

interface SentPayment {
  kind: StateKind;
  accountId: string;
  sentAt: number;
  ackAt?: number;
  paymentId?: string;
  error?: string;
}

interface PublishedState {
  asOf: number;
  publishedAt: number;
}

export interface StepResult {
  offeredRate: number;
  durationS: number;
  sent: number;
  accepted: number;
  postErrors: number;
  firstPostError?: string;
  /** POST /payments → 202. */
  post: LatencySummary | null;
  decided: number;
  /** Accepted, state fresh or late, and still undecided when the drain ended. */
  undecided: number;
  reasons: Record<string, number>;
  /** Decided events per second over the second half of the offered window (the steady state). */
  decidedPerS: number;
  /**
   * From the moment the payment could be decided (its POST, or its late state's publication) to its decided
   * event on Kafka; payments whose state never arrives are left out.
   */
  latency: LatencySummary | null;
  /** Declined ACCOUNT_STATE_TIMEOUT although a fresh state was published before the deadline. */
  falseTimeouts: number;
  /** Declined by timeout as expected: their state never arrived. */
  expectedTimeouts: number;
  backlog: { samples: BacklogSample[]; max: number; slopePerS: number; growing: boolean };
  sustainable: boolean;
  /** Why the rate is not sustainable (empty when it is). */
  failed: string[];
}

/** p99 of POST → decided must stay under this for a rate to count as sustainable. */
export const P99_BOUND_MS = 2_000;

export class PaymentLoad {
  private readonly prng: Prng;
  private readonly accounts: Record<StateKind, string[]>;
  private readonly versions = new Map<string, number>();
  private readonly published = new Map<string, PublishedState[]>();
  private readonly lateDue: { at: number; accountId: string }[] = [];
  private feedLoop?: Promise<void>;
  private stopping = false;
  private sentCount = 0;

  constructor(
    private readonly opts: {
      /** Every api instance: payments go to each in turn, as a balancer in front of them would send them. */
      apis: DemoApi[];
      kafka: Kafka;
      collector: DecidedCollector;
      options: BenchOptions;
      runId: string;
    },
  ) {
    this.prng = createPrng(0xbe7c4);
    const { mix, accounts } = opts.options;
    const total = mix.fresh + mix.late + mix.never;
    // Each kind its own accounts, so a late payment's account never already holds a fresh state.
    const share = (k: StateKind) => (mix[k] > 0 ? Math.max(1, Math.round((accounts * mix[k]) / total)) : 0);
    this.accounts = Object.fromEntries(
      KINDS.map((k) => [k, Array.from({ length: share(k) }, (_, i) => `acc-bench-${opts.runId}-${k}-${i}`)]),
    ) as Record<StateKind, string[]>;
  }

  /** Fresh accounts (and the warm-up's) get one state whose asOf lies past the whole run; the late feed starts. */
  async start(): Promise<void> {
    const asOf = new Date(Date.now() + 24 * 3_600_000);
    await publishFeed(
      this.opts.kafka,
      [...this.accounts.fresh, this.warmUpAccount].map((a) => this.state(a, asOf)),
    );
    this.feedLoop = this.runLateFeed();
  }

  private get warmUpAccount(): string {
    return `acc-bench-${this.opts.runId}-warm-up`;
  }

  /**
   * `n` payments with fresh state, one at a time: warms the system up, gives a real payment's history to shape
   * the no-op floor by, and the latency of one payment alone.
   */
  async warmUp(n: number): Promise<{ paymentIds: string[]; latency: LatencySummary }> {
    const paymentIds: string[] = [];
    const latencies: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = Date.now();
      const { paymentId } = await this.opts.apis[0]!.createPayment(
        { accountId: this.warmUpAccount, merchantId: 'm-bench', amount: 100, currency: 'EUR' },
        randomUUID(),
      );
      while (!this.opts.collector.decided.has(paymentId)) {
        if (Date.now() - t0 > 120_000) throw new Error(`warm-up payment ${paymentId} not decided within 120 s`);
        await sleep(10);
      }
      latencies.push(this.opts.collector.decided.get(paymentId)!.at - t0);
      paymentIds.push(paymentId);
    }
    return { paymentIds, latency: summarize(latencies)! };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.feedLoop;
  }

  accountsByKind(): Record<StateKind, number> {
    return { fresh: this.accounts.fresh.length, late: this.accounts.late.length, never: this.accounts.never.length };
  }

  /**
   * Offers `rate` payments per second for `ms` and waits for their decisions, measuring nothing: after it every process
   * runs its code compiled hot (V8 and the JVM optimise what runs often), as a deployment does after its first minute.
   */
  async warmUpAt(rate: number, ms: number): Promise<void> {
    const sent: SentPayment[] = [];
    const { inFlight } = await offer(rate, ms, (i) => this.send(this.pickKind(i), sent));
    await Promise.all(inFlight);
    const until = Date.now() + this.opts.options.drainMs;
    // Late payments too: their states, published over the next seconds, would otherwise be the floors' and the
    // idle measurement's load. Payments whose state never comes wait for their deadline, so they are not awaited.
    const undecided = () => sent.some((p) => p.kind !== 'never' && p.paymentId && !this.opts.collector.decided.has(p.paymentId));
    while (Date.now() < until && undecided()) await sleep(100);
  }

  /** Offers `rate` payments per second for the configured duration, then waits for their decisions. */
  async step(rate: number): Promise<{ result: StepResult; paymentIds: Map<StateKind, string[]> }> {
    const { options, collector } = this.opts;
    const sent: SentPayment[] = [];
    const accepted = () => sent.filter((p) => p.paymentId !== undefined);
    const startedAt = Date.now();
    // Backlog: payments that could be decided and are not. One whose state is late or never arrives waits by
    // design until that state is published (or its deadline passes): it is not backlog meanwhile.
    const decidable = (p: SentPayment) => p.kind === 'fresh' || (p.kind === 'late' && this.freshStateAt(p) !== undefined);
    const sampler = sampleBacklog(
      () => accepted().filter((p) => decidable(p) && !collector.decided.has(p.paymentId!)).length,
      startedAt,
    );
    const { inFlight } = await offer(rate, options.durationMs, (i) => this.send(this.pickKind(i), sent));
    const windowEnd = Date.now();
    await Promise.all(inFlight);
    // Drain: every payment that can be decided is, or the drain time is up; timeouts need their deadline.
    const drainUntil = windowEnd + options.drainMs;
    const neverUntil = sent.some((p) => p.kind === 'never' && p.paymentId)
      ? Math.max(...sent.map((p) => p.sentAt)) + options.deadlineMs + 5_000
      : 0;
    const pending = () => accepted().filter((p) => p.kind !== 'never' && !collector.decided.has(p.paymentId!)).length;
    while (Date.now() < drainUntil && pending() > 0) await sleep(100);
    while (Date.now() < Math.min(neverUntil, drainUntil + options.deadlineMs)) await sleep(100);
    const samples = sampler.stop();
    return { result: this.measure(rate, sent, startedAt, samples), paymentIds: this.idsByKind(sent) };
  }

  private pickKind(_i: number): StateKind {
    const { mix } = this.opts.options;
    const x = this.prng.next() * (mix.fresh + mix.late + mix.never);
    return x < mix.fresh ? 'fresh' : x < mix.fresh + mix.late ? 'late' : 'never';
  }

  private async send(kind: StateKind, sent: SentPayment[]): Promise<void> {
    const accountId = this.prng.pick(this.accounts[kind]);
    const p: SentPayment = { kind, accountId, sentAt: Date.now() };
    sent.push(p);
    try {
      const api = this.opts.apis[this.sentCount++ % this.opts.apis.length]!;
      const { paymentId } = await api.createPayment(
        { accountId, merchantId: 'm-bench', amount: 100, currency: 'EUR' },
        randomUUID(),
      );
      p.paymentId = paymentId;
      p.ackAt = Date.now();
      if (kind === 'late') {
        const { minMs, maxMs } = this.opts.options.late;
        this.lateDue.push({ at: p.ackAt + minMs + this.prng.next() * (maxMs - minMs), accountId });
      }
    } catch (err) {
      p.error = (err as Error).message.split('\n')[0];
    }
  }

  /** Publishes the late states that are due, through the legacy feed, every 100 ms. */
  private async runLateFeed(): Promise<void> {
    // One producer for the whole run, as a real feed keeps: a connection per publication would load the broker
    // with the bench's own handshakes.
    const feed = await connectFeed(this.opts.kafka);
    try {
      await this.publishDueStates(feed);
    } finally {
      await feed.disconnect();
    }
  }

  private async publishDueStates(feed: FeedPublisher): Promise<void> {
    while (!this.stopping) {
      const now = Date.now();
      const due = this.lateDue.filter((d) => d.at <= now);
      if (due.length > 0) {
        this.lateDue.splice(0, this.lateDue.length, ...this.lateDue.filter((d) => d.at > now));
        const asOf = new Date(now);
        const states = [...new Set(due.map((d) => d.accountId))].map((a) => this.state(a, asOf));
        try {
          await feed.publish(states);
          const publishedAt = Date.now();
          for (const s of states)
            this.published.set(s.accountId, [...(this.published.get(s.accountId) ?? []), { asOf: now, publishedAt }]);
        } catch (err) {
          console.error(`bench: legacy feed publish failed: ${(err as Error).message}`);
        }
      }
      await sleep(100);
    }
  }

  private state(accountId: string, asOf: Date): AccountState {
    const version = (this.versions.get(accountId) ?? 0) + 1;
    this.versions.set(accountId, version);
    return { accountId, version, asOf: asOf.toISOString(), status: 'active', balance: 1_000_000_000, currency: 'EUR' };
  }

  /** The first publication of a state on the payment's account that is surely fresh for it (asOf ≥ its 202). */
  private freshStateAt(p: SentPayment): number | undefined {
    return this.published.get(p.accountId)?.find((s) => s.asOf >= p.ackAt!)?.publishedAt;
  }

  private measure(rate: number, sent: SentPayment[], startedAt: number, samples: BacklogSample[]): StepResult {
    const { collector, options } = this.opts;
    const durationS = options.durationMs / 1000;
    const ok = sent.filter((p) => p.paymentId !== undefined);
    const errors = sent.filter((p) => p.error !== undefined);
    const reasons: Record<string, number> = {};
    const latencies: number[] = [];
    let falseTimeouts = 0;
    let expectedTimeouts = 0;
    let undecided = 0;
    for (const p of ok) {
      const d = collector.decided.get(p.paymentId!);
      const stateAt = p.kind === 'fresh' ? p.sentAt : p.kind === 'late' ? this.freshStateAt(p) : undefined;
      if (!d) {
        if (p.kind !== 'never') undecided++;
        continue;
      }
      reasons[d.event.reason] = (reasons[d.event.reason] ?? 0) + 1;
      if (d.event.reason === 'ACCOUNT_STATE_TIMEOUT') {
        // requestedAt is at or after sentAt, so its deadline is at or after sentAt + deadline.
        if (stateAt !== undefined && stateAt < p.sentAt + options.deadlineMs) falseTimeouts++;
        else expectedTimeouts++;
      } else if (stateAt !== undefined) {
        latencies.push(Math.max(0, d.at - stateAt));
      }
    }
    const half = startedAt + options.durationMs / 2;
    const windowEnd = startedAt + options.durationMs;
    const decidedInSecondHalf = ok.filter((p) => {
      const at = collector.decided.get(p.paymentId!)?.at;
      return at !== undefined && at >= half && at < windowEnd;
    }).length;
    const latency = summarize(latencies);
    const trend = backlogGrowing(samples, rate, durationS);
    const failed: string[] = [];
    if (!latency) failed.push('no payment decided');
    else if (latency.p99Ms >= P99_BOUND_MS) failed.push(`p99 ${latency.p99Ms} ms ≥ ${P99_BOUND_MS} ms`);
    if (trend.growing) failed.push(`backlog growing ${trend.slopePerS}/s`);
    if (undecided > 0) failed.push(`${undecided} undecided after the drain`);
    if (falseTimeouts > 0) failed.push(`${falseTimeouts} false timeouts`);
    if (errors.length > 0) failed.push(`${errors.length} POST errors`);
    return {
      offeredRate: rate,
      durationS,
      sent: sent.length,
      accepted: ok.length,
      postErrors: errors.length,
      firstPostError: errors[0]?.error,
      post: summarize(ok.map((p) => p.ackAt! - p.sentAt)),
      decided: ok.length - undecided - ok.filter((p) => p.kind === 'never' && !collector.decided.has(p.paymentId!)).length,
      undecided,
      reasons,
      decidedPerS: Math.round((decidedInSecondHalf / (durationS / 2)) * 10) / 10,
      latency,
      falseTimeouts,
      expectedTimeouts,
      backlog: {
        samples,
        max: Math.max(0, ...samples.map((s) => s.backlog)),
        slopePerS: trend.slopePerS,
        growing: trend.growing,
      },
      sustainable: failed.length === 0,
      failed,
    };
  }

  private idsByKind(sent: SentPayment[]): Map<StateKind, string[]> {
    const out = new Map<StateKind, string[]>(KINDS.map((k) => [k, []]));
    for (const p of sent) if (p.paymentId && this.opts.collector.decided.has(p.paymentId)) out.get(p.kind)!.push(p.paymentId);
    return out;
  }
}
