/**
 * paysaga as users run it, for the bench: every role via `node main.ts run <roles>` on the local engines, each
 * role in its own process by default (so CPU and memory are measured per role; `--processes one` runs them all
 * in one process, as `npm start` does). A fresh KAFKA_CLIENT_ID and task queue per run, its consumer groups
 * moved to the topics' ends first, so earlier runs' records are not its load; and a database of its own on the same
 * PostgreSQL server, dropped at the end, so what a run leaves (a hundred thousand seeded payments, the payments still
 * undecided when its roles stopped) is not what `npm start`, its console or the next `npm test` find.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../../config';
import { migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { createKafka } from '../../kafka/client';
import { ensureTopics } from '../../kafka/topics';
import { ROLE_NAMES } from '../../roles';
import { clusterInstances, instanceApiPort } from '../supervisor';
import { freePort, freePortPair, sleep } from '../stack/proc';
import { connectTemporal } from '../../temporal/connection';
import { registerSearchAttributes } from '../../temporal/search-attributes';
import { startGroupsAtTopicEnds } from '../../roles/consumer-groups';
import { processUsage, type UsageSnapshot } from './process-usage';

const root = path.resolve(__dirname, '../..');

/** The run's database: its id is eight hex digits, so the name needs no quoting. */
const benchDatabase = (runId: string) => `paysaga_bench_${runId}`;

const withDatabase = (url: string, database: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

/** Runs one statement on a connection of its own (CREATE and DROP DATABASE cannot run in a pool's transaction). */
async function onServer(url: string, statement: (db: pg.Client) => Promise<unknown>): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => undefined); // a failure reaches the caller through the statement's promise
  await db.connect();
  try {
    await statement(db);
  } finally {
    await db.end();
  }
}

interface RoleProcess {
  /** The roles it runs, comma-separated as on its command line. */
  roles: string;
  /** 1, or 2 for a role's second instance (--instances 2). */
  instance: number;
  metricsPort: number;
  child: ChildProcess;
  log: string;
  readyMs?: number;
}

/** How reports name a process: its role, or "all roles" for the one process of `--processes one`. */
const label = (p: RoleProcess) => (p.roles.includes(',') ? 'all roles' : p.instance > 1 ? `${p.roles}#${p.instance}` : p.roles);

export class BenchSystem {
  readonly config: Config;
  private readonly processes: RoleProcess[] = [];

  private constructor(
    readonly runId: string,
    readonly clientToken: string,
    readonly operatorToken: string,
    readonly env: NodeJS.ProcessEnv,
    /** The server's own database (the stack's or DATABASE_URL's), from which the run's is created and dropped. */
    private readonly serverUrl: string,
  ) {
    this.config = loadConfig(env);
  }

  static async create(opts: { deadlineMs: number }): Promise<BenchSystem> {
    const runId = randomUUID().slice(0, 8);
    const serverUrl = loadConfig().database.url;
    const database = benchDatabase(runId);
    await onServer(serverUrl, (db) => db.query(`create database ${database}`));
    const clientToken = `bench-client-${randomUUID()}`;
    const operatorToken = `bench-operator-${randomUUID()}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // Two apis (--instances 2) take this port and the next: a free pair.
      API_PORT: String(await freePortPair()),
      GATEWAY_PORT: String(await freePort()),
      TEMPORAL_TASK_QUEUE: `bench-${runId}`,
      KAFKA_CLIENT_ID: `paysaga-bench-${runId}`,
      DATABASE_URL: withDatabase(serverUrl, database),
      ACCOUNT_STATE_DEADLINE: `${opts.deadlineMs}ms`,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      API_TOKENS: JSON.stringify([
        { token: clientToken, subject: `bench-${runId}`, roles: ['client'] },
        { token: operatorToken, subject: `operator-${runId}`, roles: ['operator'] },
      ]),
    };
    return new BenchSystem(runId, clientToken, operatorToken, env, serverUrl);
  }

  /** Drops the run's database (its roles stopped, every pool of the bench ended). */
  async dropDatabase(): Promise<void> {
    await onServer(this.serverUrl, (db) => db.query(`drop database if exists ${benchDatabase(this.runId)} with (force)`));
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.config.api.port}`;
  }

  /** Once started, the api of each instance: the first on API_PORT, a second (--instances 2) on the port after it. */
  get apiUrls(): string[] {
    return this.processes
      .filter((p) => p.roles.split(',').includes('api'))
      .map((p) => `http://127.0.0.1:${instanceApiPort(this.config.api.port, p.instance)}`);
  }

  /** Schema, topics and search attributes (as `npm run setup`), then the roles; resolves when all are ready. */
  async start(mode: 'per-role' | 'one', instances: number, logDir: string): Promise<void> {
    const pool = createPool(this.config);
    try {
      await migrate(pool);
    } finally {
      await pool.end();
    }
    await ensureTopics(createKafka(this.config, 'bench-setup'), this.config);
    const connection = await connectTemporal(this.config);
    try {
      await registerSearchAttributes(connection, this.config.temporal.namespace);
    } finally {
      await connection.close();
    }
    await startGroupsAtTopicEnds(this.config);
    fs.mkdirSync(logDir, { recursive: true });
    const groups =
      mode === 'one'
        ? [{ roles: ROLE_NAMES.join(','), instance: 1 }]
        : ROLE_NAMES.flatMap((role) =>
            Array.from({ length: instances === 2 ? clusterInstances(role) : 1 }, (_, i) => ({ roles: role, instance: i + 1 })),
          );
    const t0 = Date.now();
    for (const { roles, instance } of groups) {
      const metricsPort = await freePort();
      const name = roles.includes(',') ? 'all-roles' : instance > 1 ? `${roles}-${instance}` : roles;
      const log = path.join(logDir, `${name}.log`);
      const fd = fs.openSync(log, 'w');
      // node itself (not npx), so the pid measured is the role's own process.
      const child = spawn(
        process.execPath,
        [
          ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
          '--import',
          'tsx',
          'main.ts',
          'run',
          roles,
        ],
        {
          cwd: root,
          env: {
            ...this.env,
            METRICS_PORT: String(metricsPort),
            API_PORT: String(instanceApiPort(this.config.api.port, instance)),
          },
          stdio: ['ignore', fd, fd],
        },
      );
      fs.closeSync(fd);
      this.processes.push({ roles, instance, metricsPort, child, log });
    }
    await Promise.all(this.processes.map((p) => this.untilReady(p, t0)));
  }

  /** Time from spawn to /health/ready of each process (all spawned together, so they share the CPU). */
  readyMs(): Record<string, number> {
    return Object.fromEntries(this.processes.map((p) => [label(p), p.readyMs!]));
  }

  /** The metrics port of each process, by the name usage() gives it. */
  metricsPorts(): Record<string, number> {
    return Object.fromEntries(this.processes.map((p) => [label(p), p.metricsPort]));
  }

  usage(): UsageSnapshot {
    const out: UsageSnapshot = {};
    for (const p of this.processes) {
      const u = p.child.pid === undefined ? undefined : processUsage(p.child.pid);
      if (u) out[label(p)] = u;
    }
    return out;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.processes.map(async (p) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return;
        const exited = new Promise((r) => p.child.once('exit', r));
        p.child.kill('SIGTERM');
        const timer = setTimeout(() => p.child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private async untilReady(p: RoleProcess, t0: number, timeoutMs = 180_000): Promise<void> {
    while (Date.now() - t0 < timeoutMs) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(`role process "${p.roles}" exited before it was ready; see ${p.log}`);
      }
      const res = await fetch(`http://127.0.0.1:${p.metricsPort}/health/ready`, { signal: AbortSignal.timeout(2_000) }).catch(
        () => undefined,
      );
      await res?.body?.cancel();
      if (res?.status === 200) {
        p.readyMs = Date.now() - t0;
        return;
      }
      await sleep(200);
    }
    throw new Error(`role process "${p.roles}" not ready within ${timeoutMs / 1000}s; see ${p.log}`);
  }
}
