/**
 * The one place that reads process.env. Every setting is validated with zod; a bad one stops the process at
 * start with a message that names it. Defaults describe the local stack (`npm run stack -- up`), so the same
 * code points at a Temporal cluster, Temporal Cloud or a multi-broker Kafka cluster by settings alone.
 * Each setting is declared once, in config/settings.ts; this module parses them, checks the ones that only make
 * sense together, adds what derives from them, and masks the secrets for printing.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { GATEWAY_ACTIVITY_MARGIN_MS, gatewayAttemptTimeoutMs } from '../contracts/gateway-timeouts';
import { parseDuration } from './duration';
import { MASK, RENAMED_SETTINGS, SETTING_LIST, settingValues, type SettingName, type SettingValues } from './settings';
import { resolveTemporalProfile, type TemporalProfile } from './temporal-profile';
import { port } from './value-types';

export { parseDuration };

/** Environment variables, by their own names, so an error message names exactly what to fix. */
const envSchema = z.object(Object.fromEntries(SETTING_LIST.map(({ setting }) => [setting.env, setting.schema])));

export type Env = Record<string, string | undefined>;

/** The name of every setting paysaga reads from the environment. */
export const SETTINGS = SETTING_LIST.map(({ setting }) => setting.env as SettingName);

/** The configuration every role is given: the settings, in the shape config/settings.ts declares, and what derives from them. */
export type Config = ReturnType<typeof derive>;

export class ConfigError extends Error {
  constructor(readonly problems: { setting: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p.setting}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Credentials of the embedded PostgreSQL; it listens on loopback only. */
export const EMBEDDED_DB = { user: 'paysaga', password: 'paysaga', database: 'paysaga' } as const;

const projectRoot = path.resolve(__dirname, '..');

/**
 * Settings `npm start -- --demo` uses unless the environment sets them: short deadlines and the review
 * policy, so the demo's timeout-into-review scenario runs in a minute.
 */
export const DEMO_SETTINGS: Partial<Record<SettingName, string>> = {
  ACCOUNT_STATE_DEADLINE: '10s',
  ACCOUNT_STATE_TIMEOUT_POLICY: 'review',
  REVIEW_DEADLINE: '10m',
};

/**
 * The local stack's Kafka nodes: one, or three in the cluster topology, each a broker and a KRaft controller
 * (node ids 1–3; broker ports 9092, 9094, 9096 and controller ports 9093, 9095, 9097 by default).
 */
export function localKafkaNodes(s: Pick<SettingValues, 'stack'>): { id: number; port: number; controllerPort: number }[] {
  const count = s.stack.topology === 'cluster' ? 3 : 1;
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    port: s.stack.kafkaPort + 2 * i,
    controllerPort: s.stack.kafkaControllerPort + 2 * i,
  }));
}

/** KAFKA_REPLICATION_FACTOR, else one replica per local Kafka node. */
const localReplicationFactor = (s: SettingValues) => s.kafka.replicationFactor ?? localKafkaNodes(s).length;

/** The configuration from `env`; `defaults` fill in settings the environment leaves unset. */
export function loadConfig(env: Env = process.env, defaults: Env = {}): Config {
  const merged: Env = { ...defaults, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) };
  const renamed = Object.entries(RENAMED_SETTINGS)
    .filter(([old]) => merged[old] !== undefined)
    .map(([old, name]) => ({ setting: old, message: `is no longer read: set ${name} instead (Temporal's own name for it)` }));
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError([
      ...renamed,
      ...parsed.error.issues.map((i) => ({
        setting: String(i.path[0] ?? '(environment)'),
        message: i.path.length > 1 ? `${i.path.slice(1).join('.')}: ${i.message}` : i.message,
      })),
    ]);
  }
  const settings = settingValues(parsed.data);
  const temporal = resolveTemporalProfile(merged);
  const problems = [...renamed, ...temporal.problems, ...crossSettingProblems(settings)];
  if (problems.length > 0) throw new ConfigError(problems);
  return derive(settings, temporal.profile, env);
}

/**
 * What no one setting's type can check: settings that only make sense together. Temporal's connection settings
 * are checked with the profile they resolve to, in config/temporal-profile.ts.
 */
function crossSettingProblems(s: SettingValues): { setting: SettingName; message: string }[] {
  const problems: { setting: SettingName; message: string }[] = [];
  const { mechanism, username, password } = s.kafka.sasl;
  if (mechanism && (!username || !password)) {
    if (!username)
      problems.push({ setting: 'KAFKA_SASL_USERNAME', message: `is required when KAFKA_SASL_MECHANISM is ${mechanism}` });
    if (!password)
      problems.push({ setting: 'KAFKA_SASL_PASSWORD', message: `is required when KAFKA_SASL_MECHANISM is ${mechanism}` });
  }
  if (!mechanism && (username || password)) {
    problems.push({ setting: 'KAFKA_SASL_MECHANISM', message: 'is required when a SASL username or password is set' });
  }
  const replicationFactor = localReplicationFactor(s);
  if (s.kafka.minInsyncReplicas !== undefined && s.kafka.minInsyncReplicas > replicationFactor) {
    // Kafka would accept the topic and then refuse every acks=all write to it.
    problems.push({
      setting: 'KAFKA_MIN_INSYNC_REPLICAS',
      message: `must not exceed the replication factor (${replicationFactor})`,
    });
  }
  if (s.stack.topology === 'cluster') {
    // The cluster derives ports from these (tools/stack/temporal-server.ts, localKafkaNodes): each must be a port.
    const { temporalPort, kafkaPort, kafkaControllerPort } = s.stack;
    if (temporalPort - 300 < 1 || temporalPort + 2_006 > 65_535)
      problems.push({
        setting: 'STACK_TEMPORAL_PORT',
        message: `must leave room for the cluster's Temporal ports, 300 below it to 2006 above it (301–63529)`,
      });
    // Temporal's SQL schema keeps each service's membership port (T-300 to T-294) in a smallint column: above
    // 32767 the history service exits at start ("value … is out of range for type smallint").
    else if (temporalPort - 294 > 32_767)
      problems.push({
        setting: 'STACK_TEMPORAL_PORT',
        message: `must be at most 33061 in the cluster topology: Temporal stores its services' membership ports (300 below it) as a smallint`,
      });
    for (const [setting, port] of [
      ['STACK_KAFKA_PORT', kafkaPort],
      ['STACK_KAFKA_CONTROLLER_PORT', kafkaControllerPort],
    ] as const)
      if (port + 4 > 65_535)
        problems.push({ setting, message: `must leave room for the cluster's other two nodes (at most 65531)` });
  }
  if (s.temporal.codec.keys && s.temporal.codec.keysFile)
    problems.push({
      setting: 'TEMPORAL_CODEC_KEYS_FILE',
      message: 'must not be set with TEMPORAL_CODEC_KEYS: give the keys one way',
    });
  if (s.payments.retentionMs < s.api.idempotencyKeyRetentionMs) {
    // A replayed Idempotency-Key answers with its payment's id: the payment must still be there to read.
    problems.push({ setting: 'PAYMENT_RETENTION', message: 'must not be shorter than IDEMPOTENCY_KEY_RETENTION' });
  }
  // The budget (the activity's schedule-to-close) must hold one whole attempt: shorter, and it can run out
  // while the only attempt is still at the gateway.
  const { requestTimeoutMs, retryBudgetMs } = s.gateway;
  const oneAttemptMs = gatewayAttemptTimeoutMs(requestTimeoutMs);
  if (retryBudgetMs < oneAttemptMs) {
    problems.push({
      setting: 'GATEWAY_RETRY_BUDGET',
      message:
        `must be at least GATEWAY_REQUEST_TIMEOUT (${requestTimeoutMs} ms) plus ${GATEWAY_ACTIVITY_MARGIN_MS} ms ` +
        `for the activity around the request (${oneAttemptMs} ms), so one gateway call fits in it (got ${retryBudgetMs} ms)`,
    });
  }
  if (s.webhooks.backoffMaxMs < s.webhooks.backoffInitialMs) {
    problems.push({ setting: 'WEBHOOK_BACKOFF_MAX', message: 'must not be shorter than WEBHOOK_BACKOFF_INITIAL' });
  }
  // Every port setting, in declaration order: a clash names the later one.
  const ports = SETTING_LIST.filter(({ setting }) => setting.type === port).map(({ setting, path }) => ({
    name: setting.env as SettingName,
    value: valueAt(s, path),
  }));
  for (const [i, { name, value }] of ports.entries()) {
    const clash = ports.slice(0, i).find((other) => other.value === value);
    if (clash) problems.push({ setting: name, message: `port ${String(value)} is already used by ${clash.name}` });
  }
  return problems;
}

/** The configuration: the settings, with the values that derive from several of them or from the local stack. */
function derive(s: SettingValues, temporal: TemporalProfile, env: Env) {
  const { mechanism, username, password } = s.kafka.sasl;
  const replicationFactor = localReplicationFactor(s);
  const stateDir = path.resolve(s.stateDir ?? path.join(projectRoot, '.stack'));
  return {
    ...s,
    stateDir,
    cacheDir: path.resolve(s.cacheDir ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'paysaga')),
    temporal: {
      configFile: s.temporal.configFile,
      profile: s.temporal.profile,
      taskQueue: s.temporal.taskQueue,
      codec: {
        ...s.temporal.codec,
        enabled: s.temporal.codec.mode === 'on',
        keysFile: path.resolve(s.temporal.codec.keysFile ?? path.join(stateDir, 'codec-keys.json')),
        /** True when the keys file is the stack's own, which the stack writes when it runs Temporal itself. */
        stackKeysFile: s.temporal.codec.keys === undefined && s.temporal.codec.keysFile === undefined,
      },
      uiUrl: s.temporal.uiUrl ?? `http://127.0.0.1:${s.stack.temporalUiPort}`,
      /** True when neither TEMPORAL_ADDRESS nor the profile names a frontend: the local stack's dev server is used. */
      local: temporal.address === undefined,
      address: temporal.address ?? `127.0.0.1:${s.stack.temporalPort}`,
      namespace: temporal.namespace ?? 'default',
      apiKey: temporal.apiKey,
      tls: temporal.tls,
      grpcMeta: temporal.grpcMeta,
    },
    kafka: {
      ...s.kafka,
      /** True when no KAFKA_BROKERS were given and the local stack's broker is used. */
      local: s.kafka.brokers === undefined,
      brokers: s.kafka.brokers ?? localKafkaNodes(s).map((n) => `127.0.0.1:${n.port}`),
      replicationFactor,
      minInsyncReplicas: s.kafka.minInsyncReplicas ?? Math.floor(replicationFactor / 2) + 1,
      sasl: mechanism && username && password ? { mechanism, username, password } : undefined,
    },
    database: {
      ...s.database,
      url:
        s.database.url ??
        `postgres://${EMBEDDED_DB.user}:${EMBEDDED_DB.password}@127.0.0.1:${s.stack.postgresPort}/${EMBEDDED_DB.database}`,
      /** True when no DATABASE_URL was given and the stack's embedded PostgreSQL is used. */
      local: s.database.url === undefined,
    },
    /** Inbox rows (consumer, event id): kept a day longer than the event topics keep records. */
    inbox: { retentionMs: s.kafka.eventRetentionMs + 86_400_000 },
    gateway: { ...s.gateway, url: s.gateway.url ?? `http://127.0.0.1:${s.gateway.port}` },
    worker: {
      ...s.worker,
      deploymentName: s.worker.deploymentName ?? `paysaga-${s.temporal.taskQueue}`,
      promote: s.worker.promote ?? (temporal.address === undefined ? 'always' : 'first'),
    },
  };
}

function valueAt(tree: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], tree);
}

/** `tree` with the value at `path` replaced by `mask(value)`; unchanged where that value is unset. */
function masked(tree: unknown, path: string[], mask: (value: never) => unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return mask(tree as never);
  const node = tree as Record<string, unknown> | undefined;
  if (node?.[key] === undefined) return tree;
  return { ...node, [key]: masked(node[key], rest, mask) };
}

/** The configuration with every secret masked: the only form of it that may be logged or printed. */
export function redactConfig(config: Config): Config {
  const redacted = SETTING_LIST.reduce<unknown>(
    (tree, { setting, path }) => (setting.secret ? masked(tree, path, setting.secret) : tree),
    config,
  ) as Config;
  // gRPC headers (a profile's grpc_meta, TEMPORAL_GRPC_META_*) often carry credentials: only their names are shown.
  const { grpcMeta } = redacted.temporal;
  return grpcMeta
    ? {
        ...redacted,
        temporal: { ...redacted.temporal, grpcMeta: Object.fromEntries(Object.keys(grpcMeta).map((k) => [k, MASK])) },
      }
    : redacted;
}
