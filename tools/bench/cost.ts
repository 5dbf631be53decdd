/**
 * The cost of one payment: counters read before and after a measured step (PostgreSQL transactions and tuples
 * from pg_stat_database, Kafka records from the topics' end offsets, CPU and memory per role and engine from
 * /proc), and the workflow histories of a sample of the step's payments.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Kafka } from 'kafkajs';
import type { Config } from '../../config';
import { deadLetterTopic, MERCHANT_TOTALS_TOPICS, TOPICS } from '../../contracts/topics';
import type { Pool } from '../../db/pool';
import { stackEngines } from '../stack';
import { statePaths } from '../stack/engine';
import { runningPid } from '../stack/proc';
import { treeUsage, processUsage, usageBetween, type UsageSnapshot } from './process-usage';

/** The Kafka topics paysaga writes, with the dead-letter twins. */
const PAYSAGA_TOPICS = [
  ...Object.values(TOPICS),
  ...Object.values(TOPICS).map(deadLetterTopic),
  ...Object.values(MERCHANT_TOTALS_TOPICS),
];

export interface Counters {
  at: number;
  /** pg_stat_database of paysaga's database. */
  postgres: { transactions: number; tuplesRead: number; tuplesWritten: number };
  /** End offset summed over partitions, per topic (control records of transactions included). */
  kafka: Record<string, number>;
  /**
   * Bytes in the log segments of paysaga's topics, summed over the local stack's brokers: every replica's copy,
   * so replication shows here and nowhere else. Undefined for brokers not on this machine (KAFKA_BROKERS).
   */
  kafkaBytes?: number;
  usage: UsageSnapshot;
}

/** The log segments (not the preallocated indexes) of paysaga's topics in every local broker's log dir. */
function localKafkaLogBytes(config: Config): number | undefined {
  if (!config.kafka.local) return undefined;
  const topics = new Set<string>(PAYSAGA_TOPICS);
  let bytes = 0;
  for (const engine of stackEngines(config).filter((e) => e.name.startsWith('kafka'))) {
    const logDir = path.join(statePaths(config, engine.name).dataDir, 'data');
    for (const dir of fs.existsSync(logDir) ? fs.readdirSync(logDir) : []) {
      if (!topics.has(dir.replace(/-\d+$/, ''))) continue; // <topic>-<partition>
      for (const file of fs.readdirSync(path.join(logDir, dir))) {
        if (file.endsWith('.log')) bytes += fs.statSync(path.join(logDir, dir, file)).size;
      }
    }
  }
  return bytes;
}

export class CostMeter {
  constructor(
    private readonly deps: {
      config: Config;
      pool: Pool;
      kafka: Kafka;
      /** Usage of paysaga's role processes, by role. */
      roles: () => UsageSnapshot;
    },
  ) {}

  /** CPU seconds so far of the engines named (their whole process trees) and of this process: the floors' cost. */
  cpuS(engines: string[]): number {
    let total = processUsage(process.pid)!.cpuS;
    for (const engine of stackEngines(this.deps.config).filter((e) => engines.includes(e.name))) {
      const pid = runningPid(statePaths(this.deps.config, engine.name).pidFile);
      total += (pid === undefined ? undefined : treeUsage(pid))?.cpuS ?? 0;
    }
    return total;
  }

  async read(): Promise<Counters> {
    const { rows } = await this.deps.pool.query<{ tx: string; read: string; written: string }>(
      `select xact_commit + xact_rollback as tx, tup_returned + tup_fetched as read,
              tup_inserted + tup_updated + tup_deleted as written
         from pg_stat_database where datname = current_database()`,
    );
    const admin = this.deps.kafka.admin();
    await admin.connect();
    const kafka: Record<string, number> = {};
    try {
      const existing = new Set(await admin.listTopics());
      for (const topic of PAYSAGA_TOPICS.filter((t) => existing.has(t))) {
        kafka[topic] = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
      }
    } finally {
      await admin.disconnect();
    }
    const usage: UsageSnapshot = { ...this.deps.roles() };
    for (const engine of stackEngines(this.deps.config)) {
      const pid = runningPid(statePaths(this.deps.config, engine.name).pidFile);
      const u = pid === undefined ? undefined : treeUsage(pid);
      if (u) usage[`engine: ${engine.name}`] = u;
    }
    usage['bench (load generator)'] = processUsage(process.pid)!;
    return {
      at: Date.now(),
      postgres: { transactions: Number(rows[0]!.tx), tuplesRead: Number(rows[0]!.read), tuplesWritten: Number(rows[0]!.written) },
      kafka,
      kafkaBytes: localKafkaLogBytes(this.deps.config),
      usage,
    };
  }
}

/** CPU ms per second of each process while nothing is offered: what polls, heartbeats and timers cost alone. */
export function idleCost(
  before: Counters,
  after: Counters,
): { seconds: number; msPerS: Record<string, number>; totalMsPerS: number } {
  const seconds = (after.at - before.at) / 1000;
  const msPerS: Record<string, number> = {};
  for (const [name, u] of Object.entries(usageBetween(before.usage, after.usage)))
    if (!name.startsWith('bench')) msPerS[name] = Math.round((u.cpuS * 1000 * 10) / seconds) / 10;
  const totalMsPerS = Math.round(Object.values(msPerS).reduce((a, b) => a + b, 0) * 10) / 10;
  return { seconds: Math.round(seconds * 10) / 10, msPerS, totalMsPerS };
}

export interface StepCost {
  /** Payments decided in the step: the divisor of every "per payment" figure. */
  payments: number;
  perPayment: {
    sqlTransactions: number;
    tuplesRead: number;
    tuplesWritten: number;
    kafkaRecords: number;
    /** Bytes the brokers stored for it, every replica's copy (local brokers only). */
    kafkaBytesStored?: number;
    /** CPU seconds per payment, all roles and engines together (the load generator not included). */
    cpuS: number;
  };
  kafkaRecordsByTopic: Record<string, number>;
  /** Per role, engine and the bench itself: CPU seconds over the step, resident memory at its end. */
  processes: Record<string, { cpuS: number; rssMiB: number }>;
}

const per = (n: number, payments: number, digits = 2) =>
  payments === 0 ? 0 : Math.round((n / payments) * 10 ** digits) / 10 ** digits;

export function stepCost(before: Counters, after: Counters, payments: number): StepCost {
  const kafkaRecordsByTopic: Record<string, number> = {};
  for (const [topic, end] of Object.entries(after.kafka)) kafkaRecordsByTopic[topic] = end - (before.kafka[topic] ?? 0);
  const processes = usageBetween(before.usage, after.usage);
  const systemCpu = Object.entries(processes)
    .filter(([name]) => !name.startsWith('bench'))
    .reduce((s, [, u]) => s + u.cpuS, 0);
  return {
    payments,
    perPayment: {
      sqlTransactions: per(after.postgres.transactions - before.postgres.transactions, payments, 1),
      tuplesRead: per(after.postgres.tuplesRead - before.postgres.tuplesRead, payments, 1),
      tuplesWritten: per(after.postgres.tuplesWritten - before.postgres.tuplesWritten, payments, 1),
      kafkaRecords: per(
        Object.values(kafkaRecordsByTopic).reduce((s, n) => s + n, 0),
        payments,
        1,
      ),
      ...(before.kafkaBytes === undefined || after.kafkaBytes === undefined
        ? {}
        : { kafkaBytesStored: per(after.kafkaBytes - before.kafkaBytes, payments, 0) }),
      cpuS: per(systemCpu, payments, 4),
    },
    kafkaRecordsByTopic,
    processes,
  };
}

/** What one workflow's history holds, by the figures the issue names. */
export interface HistoryShape {
  events: number;
  workflowTasks: number;
  activities: number;
  localActivities: number;
  signals: number;
  timers: number;
  upserts: number;
}

const E = temporal.api.enums.v1.EventType;

export async function historyShape(client: Client, workflowId: string): Promise<HistoryShape> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const count = (type: number) => (history.events ?? []).filter((e) => e.eventType === type).length;
  return {
    events: history.events?.length ?? 0,
    workflowTasks: count(E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    activities: count(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    localActivities: count(E.EVENT_TYPE_MARKER_RECORDED),
    signals: count(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    timers: count(E.EVENT_TYPE_TIMER_STARTED),
    upserts: count(E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
  };
}

/** The mean shape of the sample, each figure to one decimal, and the median payment's own shape. */
export async function sampleHistories(
  client: Client,
  workflowIds: string[],
): Promise<{ sampled: number; mean: HistoryShape; median: HistoryShape } | null> {
  if (workflowIds.length === 0) return null;
  const shapes = await Promise.all(workflowIds.map((id) => historyShape(client, id)));
  const keys = Object.keys(shapes[0]!) as (keyof HistoryShape)[];
  const mean = Object.fromEntries(
    keys.map((k) => [k, Math.round((shapes.reduce((s, h) => s + h[k], 0) / shapes.length) * 10) / 10]),
  ) as unknown as HistoryShape;
  const median = [...shapes].sort((a, b) => a.events - b.events)[Math.floor(shapes.length / 2)]!;
  return { sampled: shapes.length, mean, median };
}

/** `count` ids spread evenly over the list (the step's start, middle and end alike). */
export function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}
