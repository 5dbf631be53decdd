/**
 * The local stack: Temporal dev server, Kafka and PostgreSQL on loopback, plus the Java time-skipping test
 * server for tests; or, with STACK_TOPOLOGY=cluster, three Kafka nodes and a Temporal server of four services
 * with its Web UI. `up` is idempotent (a healthy engine is left running), `down` stops what `up` started.
 */
import fs from 'node:fs';
import type { Config } from '../../config';
import { ensureStackCodecKeys } from '../../temporal/codec';
import { statePaths, type Engine } from './engine';
import { kafkaClusterEngines, kafkaEngine } from './kafka';
import { postgresEngine } from './postgres';
import { portOpen, runningPid, StackError, startDaemon, stopDaemon, tail, waitUntil } from './proc';
import { temporalEngine } from './temporal';
import { temporalClusterEngines } from './temporal-server';
import { provisionTestServer } from './test-server';

const SINGLE: readonly Engine[] = [postgresEngine, kafkaEngine, temporalEngine];
const CLUSTER: readonly Engine[] = [postgresEngine, ...kafkaClusterEngines, ...temporalClusterEngines];

/** The engines of the configured topology (STACK_TOPOLOGY). */
export const stackEngines = (config: Config): readonly Engine[] => (config.stack.topology === 'cluster' ? CLUSTER : SINGLE);

/** How deep an engine sits in the `after` graph: 0 for one that waits for none. */
function depth(engines: readonly Engine[], engine: Engine): number {
  const deps = engines.filter((e) => engine.after?.includes(e.name));
  return deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => depth(engines, d)));
}

export interface EngineReport {
  name: string;
  state: 'started' | 'already running' | 'external';
  startMs?: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** A port this engine needs that another process holds, as an error naming the setting that moves it. */
async function portConflicts(config: Config, engine: Engine): Promise<string[]> {
  if (!engine.managed(config) || runningPid(statePaths(config, engine.name).pidFile) !== undefined) return [];
  const conflicts: string[] = [];
  for (const { port, setting } of engine.ports(config)) {
    if (await portOpen(port)) {
      conflicts.push(
        `${engine.name}: port ${port} on 127.0.0.1 is already taken by a process this stack did not start. ` +
          `Stop that process, or choose another port with ${setting}.`,
      );
    }
  }
  return conflicts;
}

async function startEngine(config: Config, engine: Engine): Promise<EngineReport> {
  if (!engine.managed(config)) return { name: engine.name, state: 'external' };
  const { logFile, pidFile } = statePaths(config, engine.name);
  const existing = runningPid(pidFile);
  if (existing !== undefined) {
    // Ours and alive: it may still be starting from an earlier `up`, so wait for it rather than start another.
    await waitUntil(engine.name, () => engine.healthy(config), { timeoutMs: engine.startTimeoutMs, logFile, pid: existing });
    return { name: engine.name, state: 'already running' };
  }
  const started = Date.now();
  await engine.prepare(config);
  const pid = startDaemon({ ...engine.command(config), logFile, pidFile });
  try {
    await waitUntil(engine.name, () => engine.healthy(config), { timeoutMs: engine.startTimeoutMs, logFile, pid });
    await engine.afterStart?.(config);
  } catch (err) {
    await stopDaemon(pidFile, engine.stopSignal);
    throw err;
  }
  return { name: engine.name, state: 'started', startMs: Date.now() - started };
}

/**
 * Fetches and builds what is missing from the cache (each engine and the test server, side by side), starting
 * nothing; resolves to the test server's path. A cached part costs a file check.
 */
export async function stackProvision(config: Config): Promise<{ testServer: string }> {
  fs.mkdirSync(config.cacheDir, { recursive: true });
  console.log(`stack: provisioning (cache: ${config.cacheDir})`);
  const managed = stackEngines(config).filter((e) => e.managed(config));
  const [testServer] = await Promise.all([provisionTestServer(config), ...managed.map((e) => e.provision(config))]);
  return { testServer };
}

/**
 * Provisions what is missing, then starts every engine that is not running and waits until all are healthy.
 * Ports are checked before anything is downloaded or started; if one engine fails to start, the engines this
 * call started are stopped again, so a failed `up` leaves nothing behind.
 */
export async function stackUp(config: Config): Promise<{ engines: EngineReport[]; testServer: string; provisionMs: number }> {
  const t0 = Date.now();
  const engines = stackEngines(config);
  const conflicts = (await Promise.all(engines.map((e) => portConflicts(config, e)))).flat();
  if (conflicts.length > 0) throw new StackError(conflicts.join('\n'));
  fs.mkdirSync(config.stateDir, { recursive: true });
  // The stack's Temporal holds this stack's sagas: their payload key is made with it, once, and kept.
  if (config.temporal.local) {
    const written = ensureStackCodecKeys(config);
    if (written) console.log(`stack: wrote a new payload key to ${written} (TEMPORAL_CODEC_KEYS_FILE)`);
  }
  const { testServer } = await stackProvision(config);
  const provisionMs = Date.now() - t0;
  console.log(`stack: provisioned in ${seconds(provisionMs)}; starting engines (state: ${config.stateDir})`);
  // Side by side, each after the engines it names in `after` (a failed one fails those waiting for it).
  const started = new Map<string, Promise<EngineReport>>();
  const start = (engine: Engine): Promise<EngineReport> => {
    let report = started.get(engine.name);
    if (!report) {
      const deps = engines.filter((e) => engine.after?.includes(e.name));
      report = Promise.all(deps.map(start)).then(() => startEngine(config, engine));
      started.set(engine.name, report);
    }
    return report;
  };
  const results = await Promise.allSettled(
    engines.map(async (engine) => {
      const report = await start(engine);
      const detail = report.startMs !== undefined ? ` in ${seconds(report.startMs)}` : '';
      console.log(`  ${engine.name}: ${report.state}${detail}`);
      return report;
    }),
  );
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const reports = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  if (failures.length > 0) {
    await stackDown(
      config,
      reports.filter((e) => e.state === 'started').map((e) => e.name),
    );
    throw new StackError(failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('\n'));
  }
  for (const [label, url] of Object.entries(stackUrls(config))) console.log(`  ${label.padEnd(18)} ${url}`);
  return { engines: reports, testServer, provisionMs };
}

/**
 * Stops the engines this stack started (all, of either topology, or those named); returns the names of those
 * that were running.
 */
export async function stackDown(config: Config, names?: string[]): Promise<string[]> {
  const engines = [...new Set([...CLUSTER, ...SINGLE])];
  const chosen = engines.filter((e) => !names || names.includes(e.name));
  const stopped: string[] = [];
  // Those that depend on others first (the Web UI, then Temporal's services, then the database), each depth side by side.
  for (let level = Math.max(0, ...chosen.map((e) => depth(engines, e))); level >= 0; level--) {
    const wave = await Promise.all(
      chosen
        .filter((e) => depth(engines, e) === level)
        .map(async (engine) => {
          const was = await stopDaemon(statePaths(config, engine.name).pidFile, engine.stopSignal);
          console.log(`  ${engine.name}: ${was ? 'stopped' : 'not running'}`);
          return was ? engine.name : undefined;
        }),
    );
    stopped.push(...wave.filter((n): n is string => n !== undefined));
  }
  return stopped;
}

export interface EngineStatus {
  name: string;
  state: 'running' | 'starting or unhealthy' | 'stopped' | 'external';
  pid?: number;
  rssMiB?: number;
}

/** Resident memory of a process group, read from /proc (a daemon's workers share its group). */
function groupRssMiB(pgid: number): number | undefined {
  if (!fs.existsSync('/proc')) return undefined;
  let kib = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue; // field 5 of stat: process group id
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'));
      kib += Number(rss?.[1] ?? 0);
    } catch {
      /* the process ended while we looked */
    }
  }
  return Math.round(kib / 1024);
}

export async function stackStatus(config: Config): Promise<EngineStatus[]> {
  return Promise.all(
    stackEngines(config).map(async (engine): Promise<EngineStatus> => {
      if (!engine.managed(config)) return { name: engine.name, state: 'external' };
      const pid = runningPid(statePaths(config, engine.name).pidFile);
      if (pid === undefined) return { name: engine.name, state: 'stopped' };
      const healthy = await engine.healthy(config).catch(() => false);
      return { name: engine.name, state: healthy ? 'running' : 'starting or unhealthy', pid, rssMiB: groupRssMiB(pid) };
    }),
  );
}

export function stackUrls(config: Config): Record<string, string> {
  return Object.assign(
    {},
    ...stackEngines(config)
      .filter((e) => e.managed(config))
      .map((e) => e.urls?.(config) ?? {}),
  );
}

export function stackLogs(config: Config, engineName?: string, lines = 40): string {
  return stackEngines(config)
    .filter((e) => !engineName || e.name === engineName)
    .map((e) => {
      const { logFile } = statePaths(config, e.name);
      return `==> ${logFile} <==\n${tail(logFile, lines)}`;
    })
    .join('\n\n');
}
