/**
 * runChaos: the seeded fault suite end to end. Brings the local engines up, sets up schema, topics and search
 * attributes, runs every role as its own supervised process with a fresh client id, task queue and tokens,
 * drives the schedule's load while the injector carries out its faults, waits (bounded) for the load to
 * drain, checks every invariant and stops everything it started.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config';
import { createPool, type Pool } from '../../db/pool';
import { DemoApi } from '../demo/api';
import { createKafka } from '../../kafka/client';
import { ROLE_NAMES } from '../../roles';
import { startGroupsAtTopicEnds } from '../../roles/consumer-groups';
import { stackDown, stackUp } from '../stack';
import { freePort } from '../stack/proc';
import { createTemporalClient } from '../../temporal/connection';
import { LegacyFeed } from './feed';
import { FaultInjector } from './injector';
import { checkInvariants } from './invariants';
import { LoadDriver } from './load';
import { createPrng } from './prng';
import { ResilientProducer } from './producer';
import { buildReport, type ChaosReport } from './report';
import { CHAOS_SETTINGS, describeSchedule, planChaos, type ChaosOptions } from './schedule';
import { clusterInstances, Supervisor } from '../supervisor';
import { WebhookReceiver } from './webhooks';

const root = path.resolve(__dirname, '../..');
export const RESULTS_DIR = path.join(root, 'tools', 'chaos', 'results');

export interface RunChaosOptions extends ChaosOptions {
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** Stop the engines this run brought up when it ends (default: leave them as they were before). */
  resultsDir?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: () => Promise<boolean>, timeoutMs: number, everyMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await what().catch(() => false)) return true;
    await sleep(everyMs);
  }
  return false;
}

/** `npm run setup`, as its own process with the run's settings. */
function runSetup(env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', 'setup'], {
      cwd: root,
      env,
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`setup exited with ${code}; see ${logFile}`))));
  });
}

const countOf = async (pool: Pool, sql: string, ids: string[]) => (await pool.query<{ n: number }>(sql, [ids])).rows[0]!.n;

export async function runChaos(opts: RunChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? console.log;
  const runId = `${opts.seed}-${randomBytes(3).toString('hex')}`;
  const schedule = planChaos({ ...opts, runId });
  log(describeSchedule(schedule));
  const resultsDir = path.join(opts.resultsDir ?? RESULTS_DIR, runId);
  fs.mkdirSync(resultsDir, { recursive: true });

  const webhooks = new WebhookReceiver();
  const webhookUrl = await webhooks.start();
  const tokens = { client: randomBytes(24).toString('base64url'), operator: randomBytes(24).toString('base64url') };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...CHAOS_SETTINGS,
    ...(opts.cluster ? { STACK_TOPOLOGY: 'cluster' } : {}),
    KAFKA_CLIENT_ID: `chaos-${runId}`,
    TEMPORAL_TASK_QUEUE: `chaos-${runId}`,
    API_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    LOG_FORMAT: 'json',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    API_TOKENS: JSON.stringify([
      { token: tokens.client, subject: `chaos-${runId}-client`, roles: ['client'] },
      { token: tokens.operator, subject: `chaos-${runId}-operator`, roles: ['operator'] },
    ]),
    WEBHOOK_ENDPOINTS: JSON.stringify(
      schedule.merchants.map((merchantId, i) => ({
        id: `chaos-${runId}-ep${i + 1}`,
        merchantId,
        url: webhookUrl,
        secret: `whsec_${randomBytes(24).toString('base64')}`,
      })),
    ),
  };
  delete env.GATEWAY_URL;
  delete env.GATEWAY_FAULTS;
  const config = loadConfig(env);

  const { engines } = await stackUp(config);
  const ours = engines.filter((e) => e.state === 'started').map((e) => e.name);
  const pool = createPool(config);
  pool.on('error', () => undefined); // an idle client's connection dies with a PostgreSQL restart: expected here
  const kafka = createKafka(config, 'chaos');
  const producer = new ResilientProducer(kafka);
  const supervisor = new Supervisor({ env, logDir: path.join(resultsDir, 'logs') });
  const stop = new AbortController();
  opts.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  const injector = new FaultInjector({ config, supervisor, log });
  const feed = new LegacyFeed({
    pool,
    producer,
    accounts: schedule.accounts,
    currency: schedule.currency,
    random: createPrng(opts.seed ^ 0x5eed),
    lagMs: 2_000,
  });
  const api = new DemoApi(`http://127.0.0.1:${config.api.port}`, tokens);
  const driver = new LoadDriver({ schedule, api, producer, feed, log });
  const startedAt = Date.now();
  try {
    await runSetup(env, path.join(resultsDir, 'setup.log'));
    await startGroupsAtTopicEnds(config); // earlier runs' records are not this run's history
    // In the cluster topology every role twice, as `npm start -- --cluster` runs them; the second api on a port of its own.
    const secondApiPort = await freePort();
    await supervisor.start(ROLE_NAMES, {
      instances: opts.cluster ? clusterInstances : () => 1,
      envFor: (role, instance) => (role === 'api' && instance === 2 ? { API_PORT: String(secondApiPort) } : {}),
    });
    if (!(await until(() => supervisor.allReady(), 180_000)))
      throw new Error(`roles not ready after 180s: ${(await supervisor.notReady()).join(', ')} (logs: ${resultsDir}/logs)`);
    log(`chaos ${runId}: ${supervisor.instances().length} role processes ready; sending load (logs: ${resultsDir}/logs)`);

    const loadStart = Date.now();
    await Promise.all([driver.run(loadStart, stop.signal), injector.run(schedule.faults, loadStart, stop.signal)]);
    const tracked = [...driver.tracked.values()];
    const ids = tracked.filter((t) => t.accepted && t.paymentId).map((t) => t.paymentId!);
    log(`chaos ${runId}: load sent in ${((Date.now() - loadStart) / 1000).toFixed(0)}s (${ids.length} accepted); draining`);

    // Bounded drain: every saga's deadlines plus room for the roles to catch up after the last fault.
    const drainMs = config.saga.accountStateDeadlineMs + config.saga.reviewDeadlineMs + 90_000;
    await until(
      async () =>
        (await countOf(pool, 'select count(*)::int as n from payment_decisions where payment_id = any($1::text[])', ids)) ===
        ids.length,
      drainMs,
      1_000,
    );
    // Downstream of the decisions: the read model and the webhooks follow within seconds when all is well.
    await until(async () => {
      const readModel = await countOf(
        pool,
        'select count(*)::int as n from payments where decision is not null and payment_id = any($1::text[])',
        ids,
      );
      const decided = await countOf(
        pool,
        'select count(*)::int as n from payment_decisions where payment_id = any($1::text[])',
        ids,
      );
      return (
        readModel === decided && ids.filter((id) => webhooks.received.has(id)).length >= decided && (await supervisor.allReady())
      );
    }, 60_000);

    log(`chaos ${runId}: checking invariants`);
    const temporal = await createTemporalClient(config);
    let checked;
    try {
      checked = await checkInvariants({
        config,
        pool,
        kafka,
        temporal,
        schedule,
        tracked,
        webhooks: webhooks.received,
        exits: supervisor.exits,
        apiUrl: `http://127.0.0.1:${config.api.port}`,
        operatorToken: tokens.operator,
        startedAt: new Date(startedAt),
      });
    } finally {
      await temporal.connection.close();
    }
    const report = buildReport({
      schedule,
      startedAt,
      injected: injector.injected,
      tracked,
      decisions: checked.decisions,
      feed: feed.stats,
      exits: supervisor.exits,
      violations: checked.violations,
    });
    fs.writeFileSync(
      path.join(resultsDir, 'report.json'),
      JSON.stringify({ schedule: { ...schedule, payments: undefined }, report }, null, 2) + '\n',
    );
    return report;
  } finally {
    stop.abort();
    await supervisor.stop();
    await producer.disconnect();
    await webhooks.stop();
    await pool.end().catch(() => undefined);
    if (ours.length > 0) await stackDown(config, ours);
  }
}
