/**
 * The demo's plan: which accounts and merchants it seeds, which payments it sends and what each must end as.
 * Pure (no I/O, no clock, no Math.random): the same run id and options give the same plan, so a unit test
 * can check it and a failed run can be replayed. demo/run.ts carries it out against a running system.
 */
import { planFeed } from '../legacy/feed';
import type { AccountState, Decision, DecisionReason } from '../../contracts/payment';

export const SCENARIO_IDS = [
  'fresh-state',
  'late-state',
  'legacy-duplicates',
  'insufficient-funds',
  'timeout',
  'poison-record',
  'upstream-kafka',
  'published-twice',
  'background-stream',
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface Expected {
  decision: Decision;
  reason: DecisionReason;
}

export interface PlannedPayment {
  /** Unique in the plan: the Idempotency-Key of a REST payment, the payment id of a Kafka one. */
  key: string;
  scenario: ScenarioId;
  /** POST /payments as a client, or a record on payments.authorization.requested as an upstream system. */
  via: 'rest' | 'kafka';
  accountId: string;
  merchantId: string;
  /** Minor units. */
  amount: number;
  currency: string;
  expected: Expected;
  /** When to send it, in ms after the demo starts sending (the background stream spreads over time). */
  atMs: number;
  /**
   * Its decision latency counts in the reported median and p90: a REST payment whose account state is there
   * when it arrives. Payments that wait by design (late state, the feed, the timeout) would only measure the wait.
   */
  timed: boolean;
}

export interface ScenarioPlan {
  id: ScenarioId;
  title: string;
  /** What a reader should see happen, in one line. */
  expectation: string;
}

export interface DemoOptions {
  /** Makes every account, merchant and Kafka payment id of the run unique, so demos repeat on one stack. */
  runId: string;
  /** Payments of the background stream. */
  payments: number;
  /** Background payments per second. */
  ratePerSecond: number;
  /** The saga settings the demo assumes the system runs with (ACCOUNT_STATE_DEADLINE, ..._TIMEOUT_POLICY). */
  accountStateDeadlineMs: number;
  timeoutPolicy: 'decline' | 'review';
}

export interface DemoPlan extends Omit<DemoOptions, 'payments'> {
  currency: string;
  merchants: string[];
  /** Accounts with a fresh snapshot from the start: the stream, fresh-state and Kafka payments use them. */
  seededAccounts: string[];
  accounts: { late: string; feed: [string, string]; lowFunds: string; noState: string };
  balances: { seeded: number; lowFunds: number; feed: number; staleFeed: number };
  /** How long after its POST the late payment's account state is published. */
  lateStateDelayMs: number;
  /** How long the seed snapshots stay fresh: past the last payment the run sends, with room to spare. */
  seedFreshForMs: number;
  payments: PlannedPayment[];
  scenarios: ScenarioPlan[];
  /** A record on payments.authorization.requested that is no envelope at all: the bridge dead-letters it. */
  poison: { key: string; value: string };
}

const CURRENCY = 'EUR';
const SEEDED_ACCOUNTS = 4;
const MERCHANTS = 3;
/** Stream amounts: 1.00 to 250.00 EUR, far below the seeded balance, so the whole stream is authorized. */
const STREAM_AMOUNT = { min: 100, max: 25_000 };
const BALANCES = { seeded: 5_000_000, lowFunds: 1_000, feed: 1_000_000, staleFeed: 2_500 };
/** The feed scenario's payments: more than a stale snapshot holds, far less than a fresh one. */
const FEED_PAYMENT_AMOUNT = 10_000;
const FEED_UPDATES = 5;

/** A small seeded generator (mulberry32): the plan's only randomness, reproducible from the run id. */
export function seededRandom(seed: string): () => number {
  // FNV-1a folds the seed string into 32 bits.
  let state = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) state = Math.imul(state ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The timeout scenario's outcome depends on the policy the system runs with (DESIGN.md §4). */
export const timeoutExpectation = (policy: DemoOptions['timeoutPolicy']): Expected =>
  policy === 'review'
    ? { decision: 'AUTHORIZED', reason: 'OPERATOR_APPROVED' }
    : { decision: 'DECLINED', reason: 'ACCOUNT_STATE_TIMEOUT' };

export function planDemo(options: DemoOptions): DemoPlan {
  const { runId, payments, ratePerSecond, accountStateDeadlineMs, timeoutPolicy } = options;
  if (!/^[A-Za-z0-9-]{1,20}$/.test(runId)) throw new Error(`run id must be 1-20 letters, digits or dashes (got "${runId}")`);
  if (!Number.isInteger(payments) || payments < 0) throw new Error('payments must be a whole number, 0 or more');
  if (!(ratePerSecond > 0)) throw new Error('rate must be above 0 payments per second');
  const prefix = `demo-${runId}`;
  const random = seededRandom(`${runId}:stream`);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;

  const merchants = Array.from({ length: MERCHANTS }, (_, i) => `${prefix}-shop-${i + 1}`);
  const seededAccounts = Array.from({ length: SEEDED_ACCOUNTS }, (_, i) => `${prefix}-acc-${i + 1}`);
  const accounts: DemoPlan['accounts'] = {
    late: `${prefix}-acc-late`,
    feed: [`${prefix}-acc-feed-1`, `${prefix}-acc-feed-2`],
    lowFunds: `${prefix}-acc-low-funds`,
    noState: `${prefix}-acc-no-state`,
  };
  const approved: Expected = { decision: 'AUTHORIZED', reason: 'APPROVED' };
  const waitsByDesign: ScenarioId[] = ['late-state', 'legacy-duplicates', 'timeout'];
  const payment = (p: Omit<PlannedPayment, 'currency' | 'atMs' | 'timed'> & { atMs?: number }): PlannedPayment => ({
    currency: CURRENCY,
    atMs: 0,
    timed: p.via === 'rest' && !waitsByDesign.includes(p.scenario),
    ...p,
  });

  const scenarioPayments: PlannedPayment[] = [
    payment({
      key: `${prefix}-fresh`,
      scenario: 'fresh-state',
      via: 'rest',
      accountId: seededAccounts[0]!,
      merchantId: merchants[0]!,
      amount: 4_250,
      expected: approved,
    }),
    payment({
      key: `${prefix}-late`,
      scenario: 'late-state',
      via: 'rest',
      accountId: accounts.late,
      merchantId: merchants[1]!,
      amount: 3_000,
      expected: approved,
    }),
    ...accounts.feed.flatMap((accountId, a) =>
      [1, 2].map((n) =>
        payment({
          key: `${prefix}-feed-${a + 1}-${n}`,
          scenario: 'legacy-duplicates',
          via: 'rest',
          accountId,
          merchantId: merchants[n % MERCHANTS]!,
          amount: FEED_PAYMENT_AMOUNT,
          expected: approved,
        }),
      ),
    ),
    payment({
      key: `${prefix}-low-funds`,
      scenario: 'insufficient-funds',
      via: 'rest',
      accountId: accounts.lowFunds,
      merchantId: merchants[2]!,
      amount: 5_000,
      expected: { decision: 'DECLINED', reason: 'INSUFFICIENT_FUNDS' },
    }),
    payment({
      key: `${prefix}-no-state`,
      scenario: 'timeout',
      via: 'rest',
      accountId: accounts.noState,
      merchantId: merchants[0]!,
      amount: 7_500,
      expected: timeoutExpectation(timeoutPolicy),
    }),
    payment({
      key: `${prefix}-pay-upstream`,
      scenario: 'upstream-kafka',
      via: 'kafka',
      accountId: seededAccounts[1 % SEEDED_ACCOUNTS]!,
      merchantId: merchants[1]!,
      amount: 2_000,
      expected: approved,
    }),
    payment({
      key: `${prefix}-pay-twice`,
      scenario: 'published-twice',
      via: 'kafka',
      accountId: seededAccounts[2 % SEEDED_ACCOUNTS]!,
      merchantId: merchants[2]!,
      amount: 1_500,
      expected: approved,
    }),
  ];
  const stream = Array.from({ length: payments }, (_, i) =>
    payment({
      key: `${prefix}-stream-${i + 1}`,
      scenario: 'background-stream',
      via: 'rest',
      accountId: pick(seededAccounts),
      merchantId: pick(merchants),
      amount: STREAM_AMOUNT.min + Math.floor(random() * (STREAM_AMOUNT.max - STREAM_AMOUNT.min + 1)),
      expected: approved,
      atMs: Math.round((i * 1_000) / ratePerSecond),
    }),
  );
  const streamMs = payments === 0 ? 0 : stream.at(-1)!.atMs;

  const deadline = formatMs(accountStateDeadlineMs);
  const scenarios: ScenarioPlan[] = [
    {
      id: 'fresh-state',
      title: 'fresh state',
      expectation:
        'state is already there: decided at once, AUTHORIZED; a retried POST (same Idempotency-Key) returns the same payment',
    },
    {
      id: 'late-state',
      title: 'state arrives late',
      expectation: 'the saga waits in AWAITING_ACCOUNT_STATE until the snapshot comes, then AUTHORIZED',
    },
    {
      id: 'legacy-duplicates',
      title: 'duplicate and out-of-order legacy updates',
      expectation:
        'stale, duplicated and swapped snapshots are ignored; each payment decided once on a fresh snapshot, AUTHORIZED',
    },
    { id: 'insufficient-funds', title: 'insufficient funds', expectation: 'DECLINED INSUFFICIENT_FUNDS' },
    timeoutPolicy === 'review'
      ? {
          id: 'timeout',
          title: 'no state: review, operator approves',
          expectation: `no snapshot within ${deadline}: PENDING_REVIEW, an operator approves, AUTHORIZED OPERATOR_APPROVED`,
        }
      : {
          id: 'timeout',
          title: 'no state: timeout',
          expectation: `no snapshot within ${deadline}: DECLINED ACCOUNT_STATE_TIMEOUT (policy decline; with ACCOUNT_STATE_TIMEOUT_POLICY=review an operator approves it instead)`,
        },
    {
      id: 'poison-record',
      title: 'poison record',
      expectation: 'a record that is no envelope goes to payments.authorization.requested.dlt with its reason',
    },
    {
      id: 'upstream-kafka',
      title: 'request from an upstream system',
      expectation: 'a payment request published straight to Kafka is decided like a REST one, AUTHORIZED',
    },
    {
      id: 'published-twice',
      title: 'request published twice',
      expectation: 'two records of one payment start one saga and produce one decision',
    },
    {
      id: 'background-stream',
      title: 'background stream',
      expectation: `${payments} payments at ${ratePerSecond}/s across ${SEEDED_ACCOUNTS} accounts, all AUTHORIZED`,
    },
  ];

  return {
    runId,
    ratePerSecond,
    accountStateDeadlineMs,
    timeoutPolicy,
    currency: CURRENCY,
    merchants,
    seededAccounts,
    accounts,
    balances: BALANCES,
    lateStateDelayMs: Math.max(1, Math.min(3_000, Math.floor(accountStateDeadlineMs / 3))),
    seedFreshForMs: Math.max(3_600_000, streamMs + 2 * accountStateDeadlineMs + 600_000),
    payments: [...scenarioPayments, ...stream],
    scenarios,
    poison: { key: accounts.lowFunds, value: `{"demo":"${runId}","this is":"not an envelope"}` },
  };
}

/** Version 1 of each seeded account, and of the low-funds one, fresh for every payment of the run. */
export function seedSnapshots(plan: DemoPlan, now: Date): AccountState[] {
  const asOf = new Date(now.getTime() + plan.seedFreshForMs).toISOString();
  const snapshot = (accountId: string, balance: number): AccountState => ({
    accountId,
    version: 1,
    asOf,
    status: 'active',
    balance,
    currency: plan.currency,
  });
  return [
    ...plan.seededAccounts.map((a) => snapshot(a, plan.balances.seeded)),
    snapshot(plan.accounts.lowFunds, plan.balances.lowFunds),
  ];
}

/** The snapshot that reaches the late payment's account after it started waiting: fresh as of now. */
export function lateSnapshot(plan: DemoPlan, now: Date): AccountState {
  return {
    accountId: plan.accounts.late,
    version: 1,
    asOf: now.toISOString(),
    status: 'active',
    balance: plan.balances.seeded,
    currency: plan.currency,
  };
}

export interface LegacyFeed {
  /** In publishing order. */
  records: AccountState[];
  /** Records that repeat an (account, version) already published. */
  duplicates: number;
  /** Records published after a newer version of their account. */
  outOfOrder: number;
  /** Versions older than every feed payment (asOf before the earliest requestedAt). */
  stale: number;
}

/**
 * The legacy core's feed for the feed scenario's accounts, once their payments are accepted: versions whose
 * asOf lies before the payments (stale: a balance before a deposit, too low for them) and after (fresh),
 * duplicated and swapped by planFeed. The newest version is fresh for every payment. A payment decided on a
 * stale snapshot would be DECLINED; one that waits for a fresh one is AUTHORIZED. The generator is re-seeded
 * until the feed holds at least one duplicate and one out-of-order record, so every run shows both.
 */
export function legacyFeed(plan: DemoPlan, requested: { earliest: Date; latest: Date }): LegacyFeed {
  const startAsOf = new Date(requested.latest.getTime() + 1_000 - (FEED_UPDATES - 1) * 1_000);
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const records = planFeed({
      accountIds: plan.accounts.feed,
      updates: FEED_UPDATES,
      balance: plan.balances.feed,
      currency: plan.currency,
      startAsOf,
      duplicateRate: 0.3,
      reorderRate: 0.4,
      random: seededRandom(`${plan.runId}:feed:${attempt}`),
    }).map((s) => (Date.parse(s.asOf) < requested.earliest.getTime() ? { ...s, balance: plan.balances.staleFeed } : s));
    const stats = feedStats(records, requested.earliest);
    if (stats.duplicates > 0 && stats.outOfOrder > 0) return { records, ...stats };
  }
  throw new Error('no feed with both a duplicate and an out-of-order record in 1000 attempts');
}

export function feedStats(records: AccountState[], earliest: Date): Omit<LegacyFeed, 'records'> {
  const seen = new Set<string>();
  const newest = new Map<string, number>();
  const staleVersions = new Set<string>();
  let duplicates = 0;
  let outOfOrder = 0;
  for (const r of records) {
    const id = `${r.accountId}/${r.version}`;
    if (seen.has(id)) duplicates++;
    seen.add(id);
    if (r.version < (newest.get(r.accountId) ?? 0)) outOfOrder++;
    newest.set(r.accountId, Math.max(r.version, newest.get(r.accountId) ?? 0));
    if (Date.parse(r.asOf) < earliest.getTime()) staleVersions.add(id);
  }
  return { duplicates, outOfOrder, stale: staleVersions.size };
}

/** 250 ms, 10s, 1m30s: durations as the configuration writes them. */
export function formatMs(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1_000).toFixed(1))}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1_000);
  return s === 0 ? `${m}m` : `${m}m${s}s`;
}
