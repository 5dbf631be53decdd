/**
 * The one place that reads process.env. Every setting is validated with zod; a bad one stops the process at
 * start with a message that names it. Defaults describe the local stack (`npm run stack -- up`), so the same
 * code points at a Temporal cluster, Temporal Cloud or a multi-broker Kafka cluster by settings alone.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { gatewayFaultsSchema, type GatewayFaults } from '../contracts/gateway';
import { GATEWAY_ACTIVITY_MARGIN_MS, gatewayAttemptTimeoutMs } from '../contracts/gateway-timeouts';
import { parseDuration } from './duration';

export { parseDuration };

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const positiveInt = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1');

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const hostPort = z.string().superRefine((v, ctx) => {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  if (!match) ctx.addIssue({ code: 'custom', message: `must be host:port (got "${v}")` });
  else if (Number(match[2]) < 1 || Number(match[2]) > 65535)
    ctx.addIssue({ code: 'custom', message: 'port must be between 1 and 65535' });
});

const brokerList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(z.array(hostPort).min(1, 'must name at least one broker (host:port, comma-separated)'));

const duration = z.string().transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a duration like 500ms, 30s, 5m, 2h or 1d (got "${v}")` });
    return z.NEVER;
  }
  return ms;
});

/** Node's timers hold at most 2^31 - 1 ms (about 24.8 days); a longer one fires at once, with only a warning. */
const NODE_TIMER_MAX_MS = 2_147_483_647;
/** A duration that this process waits for with a Node timer (a request timeout), not in SQL or a Temporal timer. */
const timerDuration = duration.refine((ms) => ms <= NODE_TIMER_MAX_MS, 'must be at most 24d (the longest timer Node.js keeps)');

const postgresUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
  } catch {
    return false;
  }
}, 'must be a postgres:// URL with a host');

const httpUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

const jsonObject = z.string().transform((v, ctx) => {
  try {
    const parsed: unknown = JSON.parse(v);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    /* reported below */
  }
  ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
  return z.NEVER;
});

const jsonValue = z.string().transform((v, ctx) => {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
    return z.NEVER;
  }
});

export const API_ROLES = ['client', 'operator'] as const;
export type ApiRole = (typeof API_ROLES)[number];
/** Who holds a bearer token, what it may do, and (for a client) which merchants it may create payments for. */
export interface ApiToken {
  token: string;
  subject: string;
  roles: ApiRole[];
  merchants?: string[];
}

/** Bearer tokens of the api: who holds each one and what it may do. Tokens are secrets: never logged. */
const apiTokens = z
  .array(
    z.strictObject({
      token: z.string().min(24, 'each token must have at least 24 characters'),
      subject: z.string().min(1).max(200),
      roles: z.array(z.enum(API_ROLES)).min(1),
      // The merchants a client token may create payments for. Without a list, any: a platform (a payment
      // facilitator) submits for the many merchants it onboards, and binding each one here would not scale.
      merchants: z
        .array(
          z
            .string()
            .regex(
              /^[A-Za-z0-9._:-]{1,100}$/,
              'each merchant id must be 1-100 letters, digits, dots, dashes, colons or underscores',
            ),
        )
        .min(1, 'must list at least one merchant id (leave it out to allow any)')
        .optional(),
    }),
  )
  .min(1, 'must list at least one token')
  .refine((list) => new Set(list.map((t) => t.token)).size === list.length, 'tokens must be distinct');

/**
 * Merchant webhook endpoints (DESIGN.md §4): where each merchant's decided payments are delivered, signed per
 * Standard Webhooks with the endpoint's own secret (`whsec_` and base64 of at least 24 random bytes).
 */
const webhookEndpoints = z
  .array(
    z.strictObject({
      id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes or underscores'),
      merchantId: z.string().min(1).max(100),
      url: httpUrl,
      secret: z
        .string()
        .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_ followed by base64')
        .refine((v) => Buffer.from(v.slice(6), 'base64').length >= 24, 'must hold at least 24 bytes of key'),
    }),
  )
  .refine((list) => new Set(list.map((e) => e.id)).size === list.length, 'endpoint ids must be distinct');

const identifier = z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be 1-200 letters, digits, dots, dashes or underscores');

const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/** Environment variables, by their own names, so an error message names exactly what to fix. */
const envSchema = z.object({
  // Where local engines keep data, logs and pids, and where downloads and builds are cached.
  PAYSAGA_STATE_DIR: z.string().min(1).optional(),
  PAYSAGA_CACHE_DIR: z.string().min(1).optional(),

  // Local stack ports (loopback). The client addresses below default to them.
  STACK_TEMPORAL_PORT: port.default(7233),
  STACK_TEMPORAL_UI_PORT: port.default(8233),
  STACK_KAFKA_PORT: port.default(9092),
  STACK_KAFKA_CONTROLLER_PORT: port.default(9093),
  STACK_POSTGRES_PORT: port.default(5432),

  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: identifier.default('default'),
  TEMPORAL_TASK_QUEUE: identifier.default('payments'),
  TEMPORAL_UI_URL: httpUrl.optional(),
  TEMPORAL_TLS: flag.optional(),
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1, 'must not be empty when set').optional(),

  KAFKA_BROKERS: brokerList.optional(),
  KAFKA_CLIENT_ID: identifier.default('paysaga'),
  KAFKA_SSL: flag.default(false),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_TOPIC_PARTITIONS: positiveInt.default(3),
  KAFKA_REPLICATION_FACTOR: positiveInt.default(1),

  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: positiveInt.default(10),

  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  GATEWAY_PORT: port.default(3100),
  GATEWAY_URL: httpUrl.optional(),
  GATEWAY_REQUEST_TIMEOUT: timerDuration.default(4_000),
  GATEWAY_RETRY_BUDGET: duration.default(60_000),
  GATEWAY_FAULTS: jsonObject.pipe(gatewayFaultsSchema).default(gatewayFaultsSchema.parse({})),

  API_TOKENS: jsonValue.pipe(apiTokens).optional(),
  IDEMPOTENCY_KEY_RETENTION: duration
    .refine((ms) => ms >= 86_400_000, 'must be at least 24h: clients may retry a request for a day')
    .default(86_400_000),
  PAYMENT_RETENTION: duration.default(90 * 86_400_000),
  OUTBOX_RETENTION: duration.default(7 * 86_400_000),
  KAFKA_EVENT_RETENTION: duration.refine((ms) => ms >= 3_600_000, 'must be at least 1h').default(7 * 86_400_000),

  WEBHOOK_ENDPOINTS: jsonValue.pipe(webhookEndpoints).default([]),
  WEBHOOK_MAX_ATTEMPTS: positiveInt.default(8),
  WEBHOOK_BACKOFF_INITIAL: duration.default(5_000),
  WEBHOOK_BACKOFF_MAX: duration.default(3_600_000),
  WEBHOOK_TIMEOUT: timerDuration.default(10_000),
  WEBHOOK_RETENTION: duration.default(30 * 86_400_000),

  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(50),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt.default(20),

  // Saga policy defaults; each workflow receives them in its input.
  ACCOUNT_STATE_DEADLINE: duration.default(30_000),
  ACCOUNT_STATE_TIMEOUT_POLICY: z.enum(['decline', 'review']).default('decline'),
  REVIEW_DEADLINE: duration.default(24 * 3_600_000),

  LOG_LEVEL: logLevel.default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  METRICS_PORT: port.default(9464),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_SERVICE_NAME: identifier.default('paysaga'),
});

export type Env = Record<string, string | undefined>;

/** The name of every setting paysaga reads from the environment. */
export const SETTINGS = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];

export interface Config {
  stateDir: string;
  cacheDir: string;
  stack: {
    temporalPort: number;
    temporalUiPort: number;
    kafkaPort: number;
    kafkaControllerPort: number;
    postgresPort: number;
  };
  temporal: {
    /** True when no TEMPORAL_ADDRESS was given and the local stack's dev server is used. */
    local: boolean;
    address: string;
    namespace: string;
    taskQueue: string;
    uiUrl: string;
    tls?: { caFile?: string; certFile?: string; keyFile?: string; serverName?: string };
    apiKey?: string;
  };
  kafka: {
    /** True when no KAFKA_BROKERS were given and the local stack's broker is used. */
    local: boolean;
    brokers: string[];
    clientId: string;
    ssl: boolean;
    sslCaFile?: string;
    sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
    topicPartitions: number;
    replicationFactor: number;
    /**
     * How long the event topics keep records. Every deduplication record (inbox rows, the merchant totals'
     * seen event ids) is kept a day longer, so replaying anything a topic still holds changes nothing.
     */
    eventRetentionMs: number;
  };
  database: {
    url: string;
    /** True when no DATABASE_URL was given and the stack's embedded PostgreSQL is used. */
    local: boolean;
    poolSize: number;
  };
  /** The address the api, the gateway simulator and the metrics endpoint listen on. */
  httpHost: string;
  api: {
    port: number;
    /** Undefined when API_TOKENS is not set: the api refuses to start without tokens. */
    tokens?: ApiToken[];
    idempotencyKeyRetentionMs: number;
  };
  /** Retention of decided payments (read model, timeline, caller): deleted this long after their decision. */
  payments: { retentionMs: number };
  outbox: { retentionMs: number };
  /** Inbox rows (consumer, event id): kept a day longer than the event topics keep records. */
  inbox: { retentionMs: number };
  webhooks: {
    endpoints: { id: string; merchantId: string; url: string; secret: string }[];
    /** Attempts per delivery before it goes to the dead-letter table. */
    maxAttempts: number;
    backoffInitialMs: number;
    backoffMaxMs: number;
    /** One HTTP request to a merchant endpoint. */
    timeoutMs: number;
    /** Retention of delivered and dead-lettered webhooks: deleted this long after their last attempt. */
    retentionMs: number;
  };
  gateway: {
    port: number;
    url: string;
    /** One HTTP request to the gateway; the activity's start-to-close timeout derives from it (contracts/gateway-timeouts.ts). */
    requestTimeoutMs: number;
    /** How long the saga keeps retrying the gateway before it compensates and declines; holds one attempt at least. */
    retryBudgetMs: number;
    /** Fault injection of the gateway simulator at start (contracts/gateway.ts). */
    faults: GatewayFaults;
  };
  worker: { maxConcurrentActivities: number; maxConcurrentWorkflowTasks: number };
  saga: {
    accountStateDeadlineMs: number;
    timeoutPolicy: 'decline' | 'review';
    reviewDeadlineMs: number;
  };
  logLevel: z.infer<typeof logLevel>;
  /** auto: readable lines in a terminal, JSON otherwise. */
  logFormat: 'auto' | 'json' | 'pretty';
  observability: {
    /** /metrics and /health of the process (the api serves /metrics on its own port too). */
    metricsPort: number;
    /** OTLP/HTTP collector for traces, e.g. http://127.0.0.1:4318; none: spans are not exported. */
    otlpEndpoint?: string;
    serviceName: string;
  };
}

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
export const DEMO_SETTINGS: Env = {
  ACCOUNT_STATE_DEADLINE: '10s',
  ACCOUNT_STATE_TIMEOUT_POLICY: 'review',
  REVIEW_DEADLINE: '10m',
};

/** The configuration from `env`; `defaults` fill in settings the environment leaves unset. */
export function loadConfig(env: Env = process.env, defaults: Env = {}): Config {
  const parsed = envSchema.safeParse({
    ...defaults,
    ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
  });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        setting: String(i.path[0] ?? '(environment)'),
        message: i.path.length > 1 ? `${i.path.slice(1).join('.')}: ${i.message}` : i.message,
      })),
    );
  }
  const e = parsed.data;
  const problems: { setting: string; message: string }[] = [];

  const sasl = e.KAFKA_SASL_MECHANISM;
  if (sasl && (!e.KAFKA_SASL_USERNAME || !e.KAFKA_SASL_PASSWORD)) {
    for (const s of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!e[s]) problems.push({ setting: s, message: `is required when KAFKA_SASL_MECHANISM is ${sasl}` });
    }
  }
  if (!sasl && (e.KAFKA_SASL_USERNAME || e.KAFKA_SASL_PASSWORD)) {
    problems.push({ setting: 'KAFKA_SASL_MECHANISM', message: 'is required when a SASL username or password is set' });
  }
  if (Boolean(e.TEMPORAL_TLS_CERT_FILE) !== Boolean(e.TEMPORAL_TLS_KEY_FILE)) {
    const missing = e.TEMPORAL_TLS_CERT_FILE ? 'TEMPORAL_TLS_KEY_FILE' : 'TEMPORAL_TLS_CERT_FILE';
    problems.push({ setting: missing, message: 'mTLS needs both TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE' });
  }
  if (e.TEMPORAL_API_KEY && e.TEMPORAL_TLS === false) {
    problems.push({
      setting: 'TEMPORAL_TLS',
      message: 'cannot be false with TEMPORAL_API_KEY: an API key is only sent over TLS',
    });
  }
  if (e.PAYMENT_RETENTION < e.IDEMPOTENCY_KEY_RETENTION) {
    // A replayed Idempotency-Key answers with its payment's id: the payment must still be there to read.
    problems.push({ setting: 'PAYMENT_RETENTION', message: 'must not be shorter than IDEMPOTENCY_KEY_RETENTION' });
  }
  // The budget (the activity's schedule-to-close) must hold one whole attempt: shorter, and it can run out
  // while the only attempt is still at the gateway.
  const oneAttemptMs = gatewayAttemptTimeoutMs(e.GATEWAY_REQUEST_TIMEOUT);
  if (e.GATEWAY_RETRY_BUDGET < oneAttemptMs) {
    problems.push({
      setting: 'GATEWAY_RETRY_BUDGET',
      message:
        `must be at least GATEWAY_REQUEST_TIMEOUT (${e.GATEWAY_REQUEST_TIMEOUT} ms) plus ${GATEWAY_ACTIVITY_MARGIN_MS} ms ` +
        `for the activity around the request (${oneAttemptMs} ms), so one gateway call fits in it (got ${e.GATEWAY_RETRY_BUDGET} ms)`,
    });
  }
  if (e.WEBHOOK_BACKOFF_MAX < e.WEBHOOK_BACKOFF_INITIAL) {
    problems.push({ setting: 'WEBHOOK_BACKOFF_MAX', message: 'must not be shorter than WEBHOOK_BACKOFF_INITIAL' });
  }
  const ports = [
    ['STACK_TEMPORAL_PORT', e.STACK_TEMPORAL_PORT],
    ['STACK_TEMPORAL_UI_PORT', e.STACK_TEMPORAL_UI_PORT],
    ['STACK_KAFKA_PORT', e.STACK_KAFKA_PORT],
    ['STACK_KAFKA_CONTROLLER_PORT', e.STACK_KAFKA_CONTROLLER_PORT],
    ['STACK_POSTGRES_PORT', e.STACK_POSTGRES_PORT],
    ['API_PORT', e.API_PORT],
    ['GATEWAY_PORT', e.GATEWAY_PORT],
    ['METRICS_PORT', e.METRICS_PORT],
  ] as const;
  for (const [i, [name, value]] of ports.entries()) {
    const clash = ports.slice(0, i).find(([, other]) => other === value);
    if (clash) problems.push({ setting: name, message: `port ${value} is already used by ${clash[0]}` });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const tlsWanted = e.TEMPORAL_TLS ?? Boolean(e.TEMPORAL_API_KEY || e.TEMPORAL_TLS_CERT_FILE || e.TEMPORAL_TLS_CA_FILE);
  return {
    stateDir: path.resolve(e.PAYSAGA_STATE_DIR ?? path.join(projectRoot, '.stack')),
    cacheDir: path.resolve(e.PAYSAGA_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'paysaga')),
    stack: {
      temporalPort: e.STACK_TEMPORAL_PORT,
      temporalUiPort: e.STACK_TEMPORAL_UI_PORT,
      kafkaPort: e.STACK_KAFKA_PORT,
      kafkaControllerPort: e.STACK_KAFKA_CONTROLLER_PORT,
      postgresPort: e.STACK_POSTGRES_PORT,
    },
    temporal: {
      local: e.TEMPORAL_ADDRESS === undefined,
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.STACK_TEMPORAL_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL ?? `http://127.0.0.1:${e.STACK_TEMPORAL_UI_PORT}`,
      tls: tlsWanted
        ? {
            caFile: e.TEMPORAL_TLS_CA_FILE,
            certFile: e.TEMPORAL_TLS_CERT_FILE,
            keyFile: e.TEMPORAL_TLS_KEY_FILE,
            serverName: e.TEMPORAL_TLS_SERVER_NAME,
          }
        : undefined,
      apiKey: e.TEMPORAL_API_KEY,
    },
    kafka: {
      local: e.KAFKA_BROKERS === undefined,
      brokers: e.KAFKA_BROKERS ?? [`127.0.0.1:${e.STACK_KAFKA_PORT}`],
      clientId: e.KAFKA_CLIENT_ID,
      ssl: e.KAFKA_SSL,
      sslCaFile: e.KAFKA_SSL_CA_FILE,
      sasl:
        sasl && e.KAFKA_SASL_USERNAME && e.KAFKA_SASL_PASSWORD
          ? { mechanism: sasl, username: e.KAFKA_SASL_USERNAME, password: e.KAFKA_SASL_PASSWORD }
          : undefined,
      topicPartitions: e.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: e.KAFKA_REPLICATION_FACTOR,
      eventRetentionMs: e.KAFKA_EVENT_RETENTION,
    },
    database: {
      url:
        e.DATABASE_URL ??
        `postgres://${EMBEDDED_DB.user}:${EMBEDDED_DB.password}@127.0.0.1:${e.STACK_POSTGRES_PORT}/${EMBEDDED_DB.database}`,
      local: e.DATABASE_URL === undefined,
      poolSize: e.DATABASE_POOL_SIZE,
    },
    httpHost: e.HTTP_HOST,
    api: { port: e.API_PORT, tokens: e.API_TOKENS, idempotencyKeyRetentionMs: e.IDEMPOTENCY_KEY_RETENTION },
    payments: { retentionMs: e.PAYMENT_RETENTION },
    outbox: { retentionMs: e.OUTBOX_RETENTION },
    inbox: { retentionMs: e.KAFKA_EVENT_RETENTION + 86_400_000 },
    webhooks: {
      endpoints: e.WEBHOOK_ENDPOINTS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      backoffInitialMs: e.WEBHOOK_BACKOFF_INITIAL,
      backoffMaxMs: e.WEBHOOK_BACKOFF_MAX,
      timeoutMs: e.WEBHOOK_TIMEOUT,
      retentionMs: e.WEBHOOK_RETENTION,
    },
    gateway: {
      port: e.GATEWAY_PORT,
      url: e.GATEWAY_URL ?? `http://127.0.0.1:${e.GATEWAY_PORT}`,
      requestTimeoutMs: e.GATEWAY_REQUEST_TIMEOUT,
      retryBudgetMs: e.GATEWAY_RETRY_BUDGET,
      faults: e.GATEWAY_FAULTS,
    },
    worker: {
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    },
    saga: {
      accountStateDeadlineMs: e.ACCOUNT_STATE_DEADLINE,
      timeoutPolicy: e.ACCOUNT_STATE_TIMEOUT_POLICY,
      reviewDeadlineMs: e.REVIEW_DEADLINE,
    },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    observability: {
      metricsPort: e.METRICS_PORT,
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: e.OTEL_SERVICE_NAME,
    },
  };
}

/** The configuration with every secret masked: the only form of it that may be logged or printed. */
export function redactConfig(config: Config): Config {
  const mask = '***';
  const dbUrl = new URL(config.database.url);
  if (dbUrl.password) dbUrl.password = mask;
  return {
    ...config,
    temporal: { ...config.temporal, apiKey: config.temporal.apiKey ? mask : undefined },
    kafka: { ...config.kafka, sasl: config.kafka.sasl ? { ...config.kafka.sasl, password: mask } : undefined },
    api: { ...config.api, tokens: config.api.tokens?.map((t) => ({ ...t, token: mask })) },
    database: { ...config.database, url: dbUrl.toString() },
    webhooks: { ...config.webhooks, endpoints: config.webhooks.endpoints.map((e) => ({ ...e, secret: mask })) },
  };
}
