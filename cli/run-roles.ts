/**
 * Runs a set of roles in this process: waits for the engines, migrates, starts each role in order with the
 * observability endpoint, and stops them in reverse. Shared by `npm start` and `run <role>`.
 */
import type { AddressInfo } from 'node:net';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Config } from '../config';
import { TOPICS } from '../contracts/topics';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createKafka } from '../kafka/client';
import { logger, TemporalLogger } from '../observability/logger';
import { setTemporalMetricsUrl, startObservabilityServer } from '../observability/server';
import { temporalPrometheusExporter } from '../observability/temporal-metrics';
import { setupTracing } from '../observability/tracing';
import type { RoleName, RunningRole } from '../roles';
import { StartInterrupted, stopRequested, withinDeadline, type StopReason } from '../roles/lifecycle';
import { kafkaUnavailable, postgresUnavailable, waitForEngine } from '../roles/startup';
import { freePort, StackError } from '../tools/stack/proc';
import { ROLES } from './roles';

export const describeStop = (reason: StopReason) =>
  reason.kind === 'signal' ? reason.signal : `${reason.role} cannot recover (${reason.error})`;

/** A role's stop() may take this long (the worker lets running activities finish for 20 s) before we go on. */
const ROLE_STOP_TIMEOUT_MS = 30_000;

/**
 * What every process of roles has: logs, traces, the Temporal runtime (its logs through ours, its metrics
 * appended to /metrics) and the observability endpoint on METRICS_PORT.
 */
async function observe(config: Config, names: readonly RoleName[], running: () => RunningRole[]) {
  setupTracing({ serviceName: config.observability.serviceName, otlpEndpoint: config.observability.otlpEndpoint });
  if (names.includes('worker')) {
    const temporalMetricsPort = await freePort();
    Runtime.install({
      logger: new TemporalLogger(),
      // Signals are ours (roles/lifecycle.ts): the worker role shuts the worker down when the process stops.
      shutdownSignals: [],
      telemetryOptions: {
        logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) },
        metrics: temporalPrometheusExporter(`127.0.0.1:${temporalMetricsPort}`),
      },
    });
    setTemporalMetricsUrl(`http://127.0.0.1:${temporalMetricsPort}/metrics`);
  }
  const server = await startObservabilityServer({
    port: config.observability.metricsPort,
    host: config.httpHost,
    // Every role this process runs, started or not: a role still starting is not ready, so the process is not.
    roles: () =>
      names.map((name) => {
        const role = running().find((r) => r.name === name);
        return { name, ready: role ? (role.ready ?? (async () => true)) : async () => false };
      }),
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    throw new StackError(
      `METRICS_PORT ${config.observability.metricsPort} is in use: give each paysaga process on a machine its own METRICS_PORT`,
    );
  });
  return {
    metricsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * Waits until every role says it is ready (the api's merchant totals have caught up, consumers joined), or the
 * process is told to stop: an api whose bridge runs nowhere is never ready, and Ctrl-C must not wait for that.
 */
async function untilReady(running: RunningRole[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!stopRequested()) {
    const states = await Promise.all(
      running.map(async (r) => ({ name: r.name, ready: await Promise.resolve(r.ready?.() ?? true).catch(() => false) })),
    );
    const waiting = states.filter((s) => !s.ready).map((s) => s.name);
    if (waiting.length === 0) return;
    if (Date.now() > deadline) {
      logger.warn({ waiting }, `not ready after ${timeoutMs / 1000}s: ${waiting.join(', ')} (see /health/ready)`);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The brokers answer with every topic's leaders (a broker that has just restarted may not have them yet). */
async function kafkaAnswers(config: Config): Promise<void> {
  const admin = createKafka(config, 'startup').admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: Object.values(TOPICS) });
    const leaderless = topics.flatMap((t) => t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}/${p.partitionId}`));
    if (leaderless.length > 0)
      throw Object.assign(new Error(`no leader yet for ${leaderless.join(', ')}`), { name: 'KafkaJSNoLeader' });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Starts the roles in order; stops those already started if one fails; resolves once they are ready, or as soon
 * as the process is told to stop (stopRequested(): the caller has installed the signal handlers), then without
 * metricsUrl if that came before the observability endpoint. stop() stops what has started, in reverse, and
 * resolves with what did not stop within its deadline (nothing: all stopped).
 */
export async function runRoles(
  config: Config,
  names: readonly RoleName[],
): Promise<{ stop: () => Promise<string[]>; metricsUrl: string | undefined }> {
  const pool = createPool(config);
  const running: RunningRole[] = [];
  let observability: Awaited<ReturnType<typeof observe>> | undefined;
  const stop = async () => {
    const hung: string[] = [];
    for (const role of [...running].reverse()) {
      const stopped = await withinDeadline(role.name, ROLE_STOP_TIMEOUT_MS, () =>
        role.stop().catch((err: Error) => logger.error({ role: role.name, err: err.message }, 'stop failed')),
      );
      if (!stopped) hung.push(role.name);
    }
    if (!(await withinDeadline('database pool', 5_000, () => pool.end()))) hung.push('database pool');
    await observability?.close();
    return hung;
  };
  try {
    await waitForEngine('PostgreSQL', () => pool.query('select 1'), postgresUnavailable);
    if (names.some((n) => n !== 'gateway' && n !== 'worker'))
      await waitForEngine('Kafka', () => kafkaAnswers(config), kafkaUnavailable);
    // An engine can restart while a role starts (the fault suite saw PostgreSQL go down between this process's wait
    // for it and its migration): the migration waits for it too rather than end the start.
    await waitForEngine('PostgreSQL', () => migrate(pool), postgresUnavailable);
    observability = await observe(config, names, () => running);
    for (const name of names) {
      if (stopRequested()) break; // the roles not started yet have nothing to stop
      const role = await ROLES[name]({ config, pool });
      running.push(role);
      logger.info({ role: role.name }, role.describe);
    }
  } catch (err) {
    // Told to stop while waiting for an engine: the caller stops what has started, as after any stop signal.
    if (err instanceof StartInterrupted) return { stop, metricsUrl: observability?.metricsUrl };
    await stop();
    throw err;
  }
  await untilReady(running);
  return { stop, metricsUrl: observability.metricsUrl };
}
