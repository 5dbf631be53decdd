/**
 * One sample of everything the soak watches: the api's open event streams, PostgreSQL's connections and
 * transactions per second (each autocommit query is one, so a stream's poll counts), every role's event-loop
 * delay (from its /metrics), and the resident memory and CPU of every role and engine (from /proc).
 */
import type { Config } from '../../config';
import type { Pool } from '../../db/pool';
import { treeUsage, type UsageSnapshot } from '../bench/process-usage';
import { stackEngines } from '../stack';
import { statePaths } from '../stack/engine';
import { runningPid } from '../stack/proc';

export interface Sample {
  atS: number;
  /** paysaga_api_event_streams of the api process. */
  openStreams: number;
  /** Backends connected to paysaga's database (this sampler's own included: one). */
  dbConnections: number;
  /** Committed and rolled-back transactions per second since the previous sample. */
  dbTransactionsPerS: number;
  /** p99 event-loop delay per role over the last interval, ms (prom-client resets its histogram on each scrape). */
  loopDelayP99Ms: Record<string, number>;
  /** Per role and engine. */
  rssMiB: Record<string, number>;
  /** CPU used since the previous sample, % of one core, per role and engine. */
  cpuPct: Record<string, number>;
}

/** The sum of a metric's samples in Prometheus text (every label set); undefined when it is absent. */
export function metricValue(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue; // another metric whose name starts the same
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

export class Sampler {
  private previous?: { at: number; transactions: number; usage: UsageSnapshot };
  private readonly startedAt = Date.now();

  constructor(
    private readonly deps: {
      config: Config;
      pool: Pool;
      /** The metrics port of each role's process. */
      metricsPorts: Record<string, number>;
      /** CPU and memory of each role's process. */
      roles: () => UsageSnapshot;
    },
  ) {}

  private usage(): UsageSnapshot {
    const usage: UsageSnapshot = { ...this.deps.roles() };
    for (const engine of stackEngines(this.deps.config)) {
      const pid = runningPid(statePaths(this.deps.config, engine.name).pidFile);
      const u = pid === undefined ? undefined : treeUsage(pid);
      if (u) usage[`engine: ${engine.name}`] = u;
    }
    return usage;
  }

  private async scrape(port: number): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return res.text();
  }

  /** The first call only sets the baseline of the rates (and returns undefined). */
  async sample(): Promise<Sample | undefined> {
    const at = Date.now();
    const { rows } = await this.deps.pool.query<{ tx: string; connections: string }>(
      `select (select xact_commit + xact_rollback from pg_stat_database where datname = current_database()) as tx,
              (select count(*) from pg_stat_activity where datname = current_database()) as connections`,
    );
    const transactions = Number(rows[0]!.tx);
    const usage = this.usage();
    const loopDelayP99Ms: Record<string, number> = {};
    let openStreams = 0;
    await Promise.all(
      Object.entries(this.deps.metricsPorts).map(async ([role, port]) => {
        const text = await this.scrape(port);
        const lag = metricValue(text, 'nodejs_eventloop_lag_p99_seconds');
        if (lag !== undefined) loopDelayP99Ms[role] = Math.round(lag * 10_000) / 10;
        if (role === 'api') openStreams = metricValue(text, 'paysaga_api_event_streams') ?? 0;
      }),
    );
    const previous = this.previous;
    this.previous = { at, transactions, usage };
    if (!previous) return undefined;
    const seconds = (at - previous.at) / 1000;
    const rssMiB: Record<string, number> = {};
    const cpuPct: Record<string, number> = {};
    for (const [name, u] of Object.entries(usage)) {
      rssMiB[name] = Math.round(u.rssMiB * 10) / 10;
      const before = previous.usage[name];
      if (before) cpuPct[name] = Math.round(((u.cpuS - before.cpuS) / seconds) * 1000) / 10;
    }
    return {
      atS: Math.round((at - this.startedAt) / 1000),
      openStreams,
      dbConnections: Number(rows[0]!.connections),
      dbTransactionsPerS: Math.round(((transactions - previous.transactions) / seconds) * 10) / 10,
      loopDelayP99Ms,
      rssMiB,
      cpuPct,
    };
  }
}
