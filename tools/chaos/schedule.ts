/**
 * The fault suite's plan: accounts, payments and faults, all drawn from one seed. Pure (no I/O, no clock): the
 * same seed and options give the same schedule, so a run that found a violation can be replayed. Names carry
 * a run id so runs repeat on one stack without meeting each other's records.
 */
import { clusterInstances } from '../supervisor';
import { ROLE_NAMES } from '../../roles';

/** Every role instance of the cluster topology, as the supervisor names them (`api-1`, `api-2`, `gateway` …). */
export const clusterInstanceNames = (): string[] =>
  ROLE_NAMES.flatMap((role) => {
    const n = clusterInstances(role);
    return n === 1 ? [role] : Array.from({ length: n }, (_, i) => `${role}-${i + 1}`);
  });
import { createPrng } from './prng';

export const ENGINE_NAMES = ['kafka', 'temporal', 'postgres'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/**
 * The simulator's faults, each for a short window: 503s, requests held past the worker's timeout without
 * authorizing, authorizations whose response is lost, and every request slowed past the saga's retry budget.
 */
export const GATEWAY_FAULTS = ['fail', 'timeout', 'drop-response', 'hang'] as const;
export type GatewayFaultKind = (typeof GATEWAY_FAULTS)[number];

/**
 * The cluster topology's own faults: kill -9 of the broker leading most partitions of the decided topic, and of
 * the active KRaft controller (each started again after a while); a clean restart of one broker; a rolling
 * restart of all three, each back in sync before the next; SIGKILL of one instance of every doubled role at once;
 * and a restart of Temporal's history service.
 */
export const CLUSTER_FAULTS = [
  'kill-decided-leader',
  'kill-controller',
  'restart-broker',
  'rolling-restart',
  'kill-one-of-each-role',
  'restart-temporal-history',
] as const;
export type ClusterFaultKind = (typeof CLUSTER_FAULTS)[number];

export type FaultEvent =
  /** A role's instance: the role's name when it runs alone, `<role>-<n>` in the cluster topology. */
  | { atMs: number; kind: 'kill-role'; target: string }
  | { atMs: number; kind: 'cluster-fault'; target: ClusterFaultKind; downMs: number; pick: number }
  | { atMs: number; kind: 'restart-engine'; target: EngineName; downMs: number }
  | { atMs: number; kind: 'gateway-fault'; target: GatewayFaultKind; forMs: number };

export type AccountKind = 'funded' | 'low-funds' | 'silent';

export interface PlannedAccount {
  accountId: string;
  /**
   * funded: plenty, though its payments together may exceed it; low-funds: most payments decline
   * INSUFFICIENT_FUNDS; silent: the legacy feed never publishes it, so its payments time out into review.
   */
  kind: AccountKind;
  balance: number;
}

export interface PlannedOverride {
  decision: 'approve' | 'decline';
  /** After the payment was accepted. */
  afterMs: number;
  /** Reuses the operator Idempotency-Key of the override of this earlier payment key, as a careless operator does. */
  reusesKeyOf?: string;
}

export interface PlannedPayment {
  /** The Idempotency-Key of a REST payment; the payment id of a Kafka one. */
  key: string;
  via: 'rest' | 'kafka';
  accountId: string;
  merchantId: string;
  amount: number;
  atMs: number;
  /** A client that lost the answer posts again with the same key. */
  retriedWithSameKey: boolean;
  override?: PlannedOverride;
}

export interface ChaosOptions {
  seed: number;
  payments: number;
  ratePerSecond: number;
  faults: number;
  /** The cluster topology: every role twice, three brokers, a Temporal server; its faults join the draw. */
  cluster?: boolean;
}

export interface ChaosSchedule extends Omit<ChaosOptions, 'payments' | 'faults'> {
  runId: string;
  currency: string;
  loadMs: number;
  merchants: string[];
  accounts: PlannedAccount[];
  payments: PlannedPayment[];
  faults: FaultEvent[];
}

/** The saga and gateway settings the suite runs the roles with: short, so review and budgets play out in the run. */
export const CHAOS_SETTINGS = {
  ACCOUNT_STATE_DEADLINE: '10s',
  ACCOUNT_STATE_TIMEOUT_POLICY: 'review',
  REVIEW_DEADLINE: '25s',
  GATEWAY_REQUEST_TIMEOUT: '2s',
  GATEWAY_RETRY_BUDGET: '8s',
  WEBHOOK_BACKOFF_INITIAL: '500ms',
  WEBHOOK_BACKOFF_MAX: '5s',
  WEBHOOK_MAX_ATTEMPTS: '50',
} as const;

type FaultChoice =
  | { kind: 'kill-role'; target: string }
  | { kind: 'cluster-fault'; target: ClusterFaultKind }
  | { kind: 'restart-engine'; target: EngineName }
  | {
      kind: 'gateway-fault';
      target: GatewayFaultKind;
    };

/**
 * Which faults: round robin over role kills, engine restarts and gateway faults, each category in a seeded
 * order, so a few faults already cover all three and 15 cover every role, engine and gateway fault once.
 * Beyond that, seeded picks of any.
 */
function chooseFaults(count: number, random: ReturnType<typeof createPrng>, cluster: boolean): FaultChoice[] {
  const categories: FaultChoice[][] = cluster
    ? [
        random.shuffle(CLUSTER_FAULTS).map((target) => ({ kind: 'cluster-fault' as const, target })),
        random.shuffle(clusterInstanceNames()).map((target) => ({ kind: 'kill-role' as const, target })),
        random.shuffle(GATEWAY_FAULTS).map((target) => ({ kind: 'gateway-fault' as const, target })),
      ]
    : [
        random.shuffle(ROLE_NAMES).map((target) => ({ kind: 'kill-role' as const, target })),
        random.shuffle(ENGINE_NAMES).map((target) => ({ kind: 'restart-engine' as const, target })),
        random.shuffle(GATEWAY_FAULTS).map((target) => ({ kind: 'gateway-fault' as const, target })),
      ];
  const all = categories.flat();
  const chosen: FaultChoice[] = [];
  for (let round = 0; chosen.length < count && categories.some((c) => c.length > round); round++) {
    for (const category of categories) if (chosen.length < count && category[round]) chosen.push(category[round]!);
  }
  while (chosen.length < count) chosen.push(random.pick(all));
  return chosen;
}

export function planChaos(options: ChaosOptions & { runId: string }): ChaosSchedule {
  const random = createPrng(options.seed);
  const { runId, payments: count, ratePerSecond } = options;
  const prefix = `chaos-${runId}`;
  const loadMs = Math.ceil((count / ratePerSecond) * 1_000);

  const merchants = Array.from({ length: 4 }, (_, i) => `${prefix}-m${i + 1}`);
  const accountCount = Math.max(6, Math.ceil(count / 8));
  // About 12% silent and 15% low-funds accounts, at least one of each.
  const silent = Math.ceil(accountCount * 0.12);
  const lowFunds = silent + Math.ceil(accountCount * 0.15);
  const accounts: PlannedAccount[] = Array.from({ length: accountCount }, (_, i) => {
    const kind: AccountKind = i < silent ? 'silent' : i < lowFunds ? 'low-funds' : 'funded';
    return { accountId: `${prefix}-acc-${i + 1}`, kind, balance: kind === 'low-funds' ? 1_500 : random.int(15, 40) * 1_000 };
  });

  const payments: PlannedPayment[] = [];
  let lastOverrideKey: string | undefined;
  for (let i = 0; i < count; i++) {
    const account = random.pick(accounts);
    const via = random.chance(0.2) ? 'kafka' : 'rest';
    // Payments on silent accounts wait into review: most get an operator's decision there, the rest expire.
    // Elsewhere a few overrides race the rules (and may arrive after the decision: 409).
    const overrideRoll = account.kind === 'silent' ? 0.6 : 0.04;
    let override: PlannedOverride | undefined;
    if (random.chance(overrideRoll)) {
      const afterMs = account.kind === 'silent' ? random.int(12_000, 20_000) : random.int(0, 3_000);
      const reuse = lastOverrideKey !== undefined && random.chance(0.15);
      override = {
        decision: random.chance(0.6) ? 'approve' : 'decline',
        afterMs,
        ...(reuse ? { reusesKeyOf: lastOverrideKey } : {}),
      };
    }
    const key = `${prefix}-p${i + 1}`;
    if (override) lastOverrideKey = key;
    payments.push({
      key,
      via,
      accountId: account.accountId,
      merchantId: random.pick(merchants),
      amount: random.int(1, 60) * 100,
      atMs: Math.round((i / count) * loadMs),
      retriedWithSameKey: via === 'rest' && random.chance(0.1),
      ...(override ? { override } : {}),
    });
  }

  // Faults spread over the load, one per slot at a seeded moment within it, none in its first or last tenth.
  const choices = chooseFaults(options.faults, random, options.cluster ?? false);
  const span = loadMs * 0.8;
  const slot = span / Math.max(1, choices.length);
  const faults: FaultEvent[] = choices.map((choice, i) => {
    const atMs = Math.round(loadMs * 0.1 + i * slot + random.next() * slot * 0.5);
    if (choice.kind === 'restart-engine') return { ...choice, atMs, downMs: 1_000 };
    // pick: which broker (restart-broker) or which instance of each role (kill-one-of-each-role), seeded.
    if (choice.kind === 'cluster-fault') return { ...choice, atMs, downMs: random.int(3_000, 8_000), pick: random.int(1, 3) };
    if (choice.kind === 'gateway-fault') return { ...choice, atMs, forMs: random.int(3_000, 6_000) };
    return { ...choice, atMs };
  });

  return { ...options, runId, currency: 'EUR', loadMs, merchants, accounts, payments, faults };
}

/** The schedule as a few lines: what the seed decided. */
export function describeSchedule(s: ChaosSchedule): string {
  const byKind = (kind: AccountKind) => s.accounts.filter((a) => a.kind === kind).length;
  const lines = [
    `chaos ${s.runId}: seed ${s.seed}, ${s.payments.length} payments at ${s.ratePerSecond}/s over ${(s.loadMs / 1000).toFixed(0)}s ` +
      `(${s.payments.filter((p) => p.via === 'kafka').length} over Kafka, ${s.payments.filter((p) => p.retriedWithSameKey).length} retried with the same key, ` +
      `${s.payments.filter((p) => p.override).length} overridden); accounts: ${byKind('funded')} funded, ${byKind('low-funds')} low funds, ${byKind('silent')} silent`,
    `chaos ${s.runId}: ${s.faults.length} faults:`,
    ...s.faults.map((f) => {
      const extra =
        f.kind === 'restart-engine' || f.kind === 'cluster-fault'
          ? ` (down ${f.downMs}ms)`
          : f.kind === 'gateway-fault'
            ? ` (for ${f.forMs}ms)`
            : '';
      return `  t+${(f.atMs / 1000).toFixed(1).padStart(6)}s  ${f.kind.padEnd(15)} ${f.target}${extra}`;
    }),
  ];
  return lines.join('\n');
}
