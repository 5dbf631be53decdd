/**
 * paysaga's one entry point.
 *   npm start [-- --services api,worker] [-- --demo]
 *                                          the whole system on this machine: brings up the local engines
 *                                          (every one the configuration does not point elsewhere), sets up
 *                                          schema, topics and search attributes, runs the roles (default:
 *                                          all), prints the URLs; Ctrl-C stops everything it started. --demo
 *                                          then sends demo traffic (demo/) with short saga deadlines.
 *   node main.js run <role[,role…]>        roles only, against configured engines (a cluster, compose):
 *                                          npm run api | worker | bridge | outbox-relay | gateway
 *   npm run setup                          schema, topics and search attributes, then exit.
 *   npm run reconcile [-- --since 1d --grace 1m --json]
 *                                          gateway vs ledger vs decided events; exits 1 on a mismatch.
 *   npm run dlt -- list|replay <topic>      a topic's dead letters with their reasons; replay republishes them.
 *   npm run rebuild-read-model [-- --force]
 *                                          folds the read model again from offset zero (read-model role stopped).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { ConfigError, DEMO_SETTINGS, loadConfig, parseDuration, redactConfig, type Config } from './config';
import { formatSummary, runDemo } from './demo';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { createKafka } from './kafka/client';
import { ensureTopics } from './kafka/topics';
import { RebuildRefused, rebuildReadModel } from './read-model/rebuild';
import { formatReport, reconcile } from './reconcile';
import { isTopic, listDeadLetters, replayDeadLetters } from './kafka/dead-letters';
import { TOPICS } from './contracts/topics';
import { parseRoles, ROLE_NAMES, ROLES, type RoleName, type RunningRole } from './roles';
import { untilStopped, withinDeadline, type StopReason } from './roles/lifecycle';
import { kafkaUnavailable, postgresUnavailable, waitForEngine } from './roles/startup';
import { configureLogging, logger, TemporalLogger } from './observability/logger';
import { setTemporalMetricsUrl, startObservabilityServer } from './observability/server';
import { temporalPrometheusExporter } from './observability/temporal-metrics';
import { setupTracing } from './observability/tracing';
import { freePort } from './stack/proc';
import { stackDown, StackError, stackUp } from './stack';
import { connectTemporal } from './temporal/connection';
import { registerSearchAttributes } from './temporal/search-attributes';

async function setup(config: Config): Promise<void> {
  const pool = createPool(config);
  try {
    const applied = await migrate(pool);
    console.log(`database: ${applied.length ? `applied migrations ${applied.join(', ')}` : 'schema up to date'}`);
  } finally {
    await pool.end();
  }
  const created = await ensureTopics(createKafka(config, 'setup'), config);
  console.log(`kafka: ${created.length ? `created topics ${created.join(', ')}` : 'topics present'}`);
  const connection = await connectTemporal(config);
  try {
    const added = await registerSearchAttributes(connection, config.temporal.namespace);
    console.log(`temporal: ${added.length ? `registered search attributes ${added.join(', ')}` : 'search attributes present'}`);
  } finally {
    await connection.close();
  }
}

/**
 * For `npm start` on a laptop without API_TOKENS: a client and an operator token, made once and kept in the
 * state folder (mode 600). Printed as a path, never as the tokens themselves.
 */
function localApiTokens(config: Config): { config: Config; file: string } {
  const file = path.join(config.stateDir, 'api-tokens.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.stateDir, { recursive: true });
    const token = () => randomBytes(24).toString('base64url');
    const tokens = [
      { token: token(), subject: 'local-client', roles: ['client'] },
      { token: token(), subject: 'local-operator', roles: ['operator'] },
    ];
    fs.writeFileSync(file, JSON.stringify(tokens, null, 2) + '\n', { mode: 0o600 });
  }
  const tokens = JSON.parse(fs.readFileSync(file, 'utf8')) as NonNullable<Config['api']['tokens']>;
  return { config: { ...config, api: { ...config.api, tokens } }, file };
}

const describeStop = (reason: StopReason) =>
  reason.kind === 'signal' ? reason.signal : `${reason.role} cannot recover (${reason.error})`;

/** A role's stop() may take this long (the worker lets running activities finish for 20 s) before we go on. */
const ROLE_STOP_TIMEOUT_MS = 30_000;

/**
 * What every process of roles has: logs, traces, the Temporal runtime (its logs through ours, its metrics
 * appended to /metrics) and the observability endpoint on METRICS_PORT.
 */
async function observe(config: Config, names: RoleName[], running: () => RunningRole[]) {
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

/** Waits until every role says it is ready (the api's merchant totals have caught up, consumers joined). */
async function untilReady(running: RunningRole[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
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

/** Starts the roles in order; stops those already started if one fails; resolves once they are ready. */
async function runRoles(config: Config, names: RoleName[]): Promise<{ stop: () => Promise<void>; metricsUrl: string }> {
  const pool = createPool(config);
  await waitForEngine('PostgreSQL', () => pool.query('select 1'), postgresUnavailable);
  if (names.some((n) => n !== 'gateway' && n !== 'worker'))
    await waitForEngine('Kafka', () => kafkaAnswers(config), kafkaUnavailable);
  await migrate(pool);
  const running: RunningRole[] = [];
  const observability = await observe(config, names, () => running);
  const stop = async () => {
    for (const role of [...running].reverse()) {
      await withinDeadline(role.name, ROLE_STOP_TIMEOUT_MS, () =>
        role.stop().catch((err: Error) => logger.error({ role: role.name, err: err.message }, 'stop failed')),
      );
    }
    await withinDeadline('database pool', 5_000, () => pool.end());
    await observability.close();
  };
  try {
    for (const name of names) {
      const role = await ROLES[name]({ config, pool });
      running.push(role);
      logger.info({ role: role.name }, role.describe);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  await untilReady(running);
  return { stop, metricsUrl: observability.metricsUrl };
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      services: { type: 'string' },
      since: { type: 'string', default: '1d' },
      grace: { type: 'string', default: '1m' },
      json: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
    },
  });
  const [command = 'start', ...rest] = positionals;
  let config = loadConfig(process.env, command === 'start' && values.demo ? DEMO_SETTINGS : {});
  configureLogging({ level: config.logLevel, format: config.logFormat });
  logger.debug({ config: redactConfig(config) }, 'configuration');

  if (command === 'setup') return setup(config);

  if (command === 'reconcile') {
    const since = parseDuration(values.since);
    const grace = parseDuration(values.grace);
    if (since === undefined || grace === undefined)
      throw new StackError('--since and --grace take durations such as 30s, 5m, 1d');
    const to = new Date(Date.now() - grace);
    const pool = createPool(config);
    try {
      const report = await reconcile({
        config,
        pool,
        kafka: createKafka(config, 'reconcile'),
        from: new Date(to.getTime() - since),
        to,
      });
      console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
      process.exitCode = report.mismatches.length > 0 ? 1 : 0;
    } finally {
      await pool.end();
    }
    return;
  }

  if (command === 'dlt') {
    const [action, topic = ''] = rest;
    if ((action !== 'list' && action !== 'replay') || !isTopic(topic)) {
      throw new StackError(`usage: npm run dlt -- list|replay <topic>, a topic of ${Object.values(TOPICS).join(', ')}`);
    }
    const kafka = createKafka(config, 'dlt');
    const letters =
      action === 'list'
        ? await listDeadLetters(kafka, topic, config.kafka.clientId)
        : await replayDeadLetters(kafka, topic, config.kafka.clientId);
    for (const l of letters) {
      console.log(
        `${l.partition}/${l.offset} ${l.at} group=${l.group} original=${l.original.partition}/${l.original.offset} key=${l.key ?? ''} reason: ${l.reason}`,
      );
    }
    console.log(`${letters.length} dead letter(s) ${action === 'list' ? `on ${topic}.dlt` : `replayed to ${topic}`}`);
    return;
  }

  if (command === 'rebuild-read-model') {
    const pool = createPool(config);
    try {
      await migrate(pool);
      const t0 = Date.now();
      const result = await rebuildReadModel({
        config,
        pool,
        kafka: createKafka(config, 'read-model-rebuild'),
        force: values.force,
      });
      console.log(
        `read model rebuilt in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${result.records} record(s) folded, ` +
          `${result.skipped} unreadable skipped, ${result.payments} payment(s)`,
      );
    } catch (err) {
      if (err instanceof RebuildRefused) throw new StackError(`rebuild refused: ${err.message}`);
      throw err;
    } finally {
      await pool.end();
    }
    return;
  }

  if (command === 'run') {
    const roles = parseRoles(rest.join(',') || values.services || '');
    logger.info({ roles }, `paysaga: starting ${roles.join(', ')}`);
    const stopped = untilStopped();
    const { stop, metricsUrl } = await runRoles(config, roles);
    logger.info({ metricsUrl }, 'paysaga: ready');
    const reason = await stopped;
    logger.info(`paysaga: ${describeStop(reason)}, stopping`);
    await stop();
    logger.info('paysaga: stopped');
    if (reason.kind === 'fatal') process.exitCode = 1;
    return;
  }

  if (command === 'start') {
    const t0 = Date.now();
    const roles = values.services ? parseRoles(values.services) : ROLE_NAMES;
    const { engines } = await stackUp(config);
    const ours = engines.filter((e) => e.state === 'started').map((e) => e.name);
    try {
      await setup(config);
      let tokensFile: string | undefined;
      if (roles.includes('api') && !config.api.tokens) ({ config, file: tokensFile } = localApiTokens(config));
      logger.info({ roles }, `paysaga: starting ${roles.join(', ')}`);
      const stopped = untilStopped();
      const { stop, metricsUrl } = await runRoles(config, roles);
      // The banner is for the person at the terminal; everything else is a log line.
      console.log(`paysaga: ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      console.log(`  Temporal Web UI    ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows`);
      if (roles.includes('api')) console.log(`  API                http://127.0.0.1:${config.api.port} (OpenAPI /openapi.json)`);
      if (tokensFile) console.log(`  API tokens         ${tokensFile} (a client and an operator bearer token)`);
      console.log(`  Metrics            ${metricsUrl} (health: /health/ready)`);
      if (values.demo) {
        // Ctrl-C during the demo ends it early; the system then stops as usual.
        const abort = new AbortController();
        void stopped.then(() => abort.abort());
        const summary = await runDemo({ config, signal: abort.signal }).catch((err: Error) => {
          console.error(`paysaga: demo failed: ${err.message}`);
          return undefined;
        });
        if (summary) console.log(formatSummary(summary));
        console.log(`paysaga: demo ${summary?.ok ? 'completed: every scenario met' : 'completed with unmet scenarios'}`);
      }
      console.log('paysaga: press Ctrl-C to stop');
      const reason = await stopped;
      console.log(`paysaga: ${describeStop(reason)}, stopping`);
      await stop();
      if (reason.kind === 'fatal') process.exitCode = 1;
    } finally {
      await stackDown(config, ours);
    }
    console.log('paysaga: stopped');
    return;
  }
  throw new StackError(`unknown command "${command}" (expected start, run <roles>, setup, reconcile, dlt or rebuild-read-model)`);
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err instanceof ConfigError || err instanceof StackError ? err.message : err);
    process.exit(1);
  },
);
