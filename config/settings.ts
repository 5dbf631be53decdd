/**
 * Every setting paysaga reads, each declared once: its environment variable, its type, its default (written as
 * an operator writes it, and parsed like any value), what it means, its section in docs/configuration.md, and
 * whether it is a secret. Its place in the tree below is its place in the typed configuration (`config.x.y`).
 * The configuration's type, its defaults and docs/configuration.md all follow from this file; config/index.ts
 * adds only what is derived from several settings (addresses built from the stack's ports, for instance).
 */
import { z } from 'zod';
import { gatewayFaultsSchema } from '../contracts/gateway';
import {
  apiTokens,
  brokerList,
  codecKeys,
  duration,
  flag,
  hostPort,
  httpUrl,
  identifier,
  jsonObject,
  jsonValue,
  logLevel,
  originList,
  port,
  positiveInt,
  postgresUrl,
  temporalFlag,
  timerDuration,
  webhookEndpoints,
} from './value-types';

/** The sections of docs/configuration.md, in their order there. */
export const SECTIONS = [
  'Temporal',
  'Kafka',
  'PostgreSQL',
  'REST API',
  'Gateway',
  'Saga and worker',
  'Outbox',
  'Webhooks',
  'Logs, metrics and traces',
  'Local stack',
] as const;
export type Section = (typeof SECTIONS)[number];

/** The text that stands for a secret in any printout. */
export const MASK = '***';

interface Declaration<T> {
  section: Section;
  /** What the setting means, for docs/configuration.md. */
  about: string;
  /** Marks a secret: how to mask its value wherever the configuration is printed. */
  secret?: (value: T) => T;
}

/** One environment variable: `schema` parses its text (default applied, or undefined when it is unset). */
export class Setting<N extends string = string, S extends z.ZodType = z.ZodType> {
  constructor(
    readonly env: N,
    readonly schema: S,
    /** The type of a value, without its default: the port-clash check finds the ports by it. */
    readonly type: z.ZodType,
    /** The default, as an operator writes it; undefined when the setting may stay unset. */
    readonly defaultValue: string | undefined,
    /** What happens when it is unset and has no default: `none`, or a value derived from other settings. */
    readonly whenUnset: string,
    readonly section: Section,
    readonly about: string,
    readonly secret: ((value: never) => unknown) | undefined,
  ) {}
}

/** A setting with a default, written as its environment variable would be: it is parsed (and checked) like one. */
function setting<N extends string, T extends z.ZodType>(
  env: N,
  type: T,
  d: Declaration<z.output<T>> & { default: string },
): Setting<N, z.ZodPrefault<T>>;
/** A setting that may stay unset; `whenUnset` says what happens then (a derived value, say), `none` if not given. */
function setting<N extends string, T extends z.ZodType>(
  env: N,
  type: T,
  d: Declaration<z.output<T>> & { whenUnset?: string },
): Setting<N, z.ZodOptional<T>>;
function setting(env: string, type: z.ZodType, d: Declaration<unknown> & { default?: string; whenUnset?: string }): Setting {
  const schema = d.default === undefined ? type.optional() : type.prefault(d.default);
  return new Setting(env, schema, type, d.default, d.whenUnset ?? 'none', d.section, d.about, d.secret);
}

const masked = (): string => MASK;

export const settings = {
  stack: {
    topology: setting('STACK_TOPOLOGY', z.enum(['single', 'cluster']), {
      default: 'single',
      section: 'Local stack',
      about:
        '`single`: one KRaft node and the Temporal dev server; `cluster`: three Kafka brokers and a Temporal server of four services on PostgreSQL, with the Web UI (`--cluster` sets it)',
    }),
    temporalPort: setting('STACK_TEMPORAL_PORT', port, {
      default: '7233',
      section: 'Local stack',
      about:
        'local Temporal frontend port; the Temporal address defaults to it (in a cluster: history, matching and worker on the next ports)',
    }),
    temporalUiPort: setting('STACK_TEMPORAL_UI_PORT', port, {
      default: '8233',
      section: 'Local stack',
      about: 'local Temporal Web UI port',
    }),
    kafkaPort: setting('STACK_KAFKA_PORT', port, {
      default: '9092',
      section: 'Local stack',
      about:
        'local broker port; the Kafka brokers default to it (in a cluster: the first broker, the others on the next even ports)',
    }),
    kafkaControllerPort: setting('STACK_KAFKA_CONTROLLER_PORT', port, {
      default: '9093',
      section: 'Local stack',
      about: 'local KRaft controller port (in a cluster: the first node, the others on the next odd ports)',
    }),
    postgresPort: setting('STACK_POSTGRES_PORT', port, {
      default: '5432',
      section: 'Local stack',
      about: 'local PostgreSQL port; the database URL defaults to it',
    }),
  },
  stateDir: setting('PAYSAGA_STATE_DIR', z.string().min(1), {
    whenUnset: '`.stack/`',
    section: 'Local stack',
    about: 'data, logs and pids of the local engines',
  }),
  cacheDir: setting('PAYSAGA_CACHE_DIR', z.string().min(1), {
    whenUnset: '`~/.cache/paysaga`',
    section: 'Local stack',
    about: 'downloads and builds of the local engines',
  }),
  temporal: {
    // The connection settings are Temporal's own (the names its CLI and SDKs read, @temporalio/envconfig):
    // each may also come from a profile of a temporal.toml, and the environment wins over the file.
    configFile: setting('TEMPORAL_CONFIG_FILE', z.string().min(1), {
      whenUnset: '`~/.config/temporalio/temporal.toml` (`$XDG_CONFIG_HOME/temporalio/`) if it exists',
      section: 'Temporal',
      about:
        "the `temporal.toml` of Temporal's CLI: `[profile.<name>]` with `address`, `namespace`, `api_key`, `grpc_meta` and `[profile.<name>.tls]` (`server_name`, `server_ca_cert_path`/`_data`, `client_cert_path`/`_data`, `client_key_path`/`_data`, `disabled`); each TEMPORAL_ variable below wins over its key in the file, and `TEMPORAL_GRPC_META_<NAME>` sets a gRPC header",
    }),
    profile: setting('TEMPORAL_PROFILE', z.string().min(1, 'must not be empty when set'), {
      whenUnset: '`default` (if the file has it)',
      section: 'Temporal',
      about: 'the profile of the config file to use; one that the file lacks is refused',
    }),
    address: setting('TEMPORAL_ADDRESS', hostPort, {
      whenUnset: "the profile's `address`, else `127.0.0.1:<STACK_TEMPORAL_PORT>`",
      section: 'Temporal',
      about: 'Temporal frontend, host:port; setting it (here or in the profile) means the stack starts no dev server',
    }),
    namespace: setting('TEMPORAL_NAMESPACE', identifier, {
      whenUnset: "the profile's `namespace`, else `default`",
      section: 'Temporal',
      about: 'namespace of the payment workflows',
    }),
    taskQueue: setting('TEMPORAL_TASK_QUEUE', identifier, {
      default: 'payments',
      section: 'Temporal',
      about: 'task queue of the payment worker',
    }),
    uiUrl: setting('TEMPORAL_UI_URL', httpUrl, {
      whenUnset: '`http://127.0.0.1:<STACK_TEMPORAL_UI_PORT>`',
      section: 'Temporal',
      about: "Web UI address printed for operators and linked from a payment's history (`GET /payments/:id/history`)",
    }),
    tls: {
      enabled: setting('TEMPORAL_TLS', temporalFlag, {
        whenUnset: "the profile's `tls.disabled`; on when an API key or any TLS setting is given",
        section: 'Temporal',
        about: 'TLS to the frontend (`true`/`1` or `false`/`0`, as Temporal reads it)',
      }),
      serverCaCertPath: setting('TEMPORAL_TLS_SERVER_CA_CERT_PATH', z.string().min(1), {
        whenUnset: "the profile's `tls.server_ca_cert_path`",
        section: 'Temporal',
        about: 'CA certificate (PEM file) that verifies the frontend; or TEMPORAL_TLS_SERVER_CA_CERT_DATA',
      }),
      serverCaCertData: setting('TEMPORAL_TLS_SERVER_CA_CERT_DATA', z.string().min(1), {
        whenUnset: "the profile's `tls.server_ca_cert_data`",
        section: 'Temporal',
        about: 'the same CA certificate as PEM text',
      }),
      clientCertPath: setting('TEMPORAL_TLS_CLIENT_CERT_PATH', z.string().min(1), {
        whenUnset: "the profile's `tls.client_cert_path`",
        section: 'Temporal',
        about: 'client certificate (PEM file) for mTLS, with its key; or TEMPORAL_TLS_CLIENT_CERT_DATA',
      }),
      clientCertData: setting('TEMPORAL_TLS_CLIENT_CERT_DATA', z.string().min(1), {
        whenUnset: "the profile's `tls.client_cert_data`",
        section: 'Temporal',
        about: 'the same client certificate as PEM text',
      }),
      clientKeyPath: setting('TEMPORAL_TLS_CLIENT_KEY_PATH', z.string().min(1), {
        whenUnset: "the profile's `tls.client_key_path`",
        section: 'Temporal',
        about: 'client key (PEM file) for mTLS, with its certificate; or TEMPORAL_TLS_CLIENT_KEY_DATA',
      }),
      clientKeyData: setting('TEMPORAL_TLS_CLIENT_KEY_DATA', z.string().min(1), {
        whenUnset: "the profile's `tls.client_key_data`",
        section: 'Temporal',
        about: 'the same client key as PEM text',
        secret: masked,
      }),
      serverName: setting('TEMPORAL_TLS_SERVER_NAME', z.string().min(1), {
        whenUnset: "the profile's `tls.server_name`",
        section: 'Temporal',
        about: 'server name (SNI) override',
      }),
    },
    apiKey: setting('TEMPORAL_API_KEY', z.string().min(1, 'must not be empty when set'), {
      whenUnset: "the profile's `api_key`",
      section: 'Temporal',
      about: 'Temporal Cloud API key; implies TLS',
      secret: masked,
    }),
    codec: {
      mode: setting('TEMPORAL_CODEC', z.enum(['on', 'off']), {
        default: 'on',
        section: 'Temporal',
        about:
          "`on`: every payload paysaga gives Temporal (inputs, signals, results, the Web UI's summary) is encrypted with AES-256-GCM (docs/security.md); `off` stores them in plain JSON. Plain payloads are read either way",
      }),
      keys: setting('TEMPORAL_CODEC_KEYS', jsonValue.pipe(codecKeys), {
        whenUnset: 'TEMPORAL_CODEC_KEYS_FILE',
        section: 'Temporal',
        about:
          'JSON list of payload keys, `[{"id":"2026-12","key":"<32 bytes in base64>"},{"id":"2026-06","key":"…"}]`: the first encrypts, each one decrypts the payloads that name its id',
        secret: (keys) => keys.map((k) => ({ ...k, key: MASK })),
      }),
      keysFile: setting('TEMPORAL_CODEC_KEYS_FILE', z.string().min(1), {
        whenUnset: '`<PAYSAGA_STATE_DIR>/codec-keys.json`, which the stack writes once when it runs Temporal itself',
        section: 'Temporal',
        about: 'a file (mode 600) holding the JSON of TEMPORAL_CODEC_KEYS, read when a role connects to Temporal',
      }),
    },
  },
  kafka: {
    brokers: setting('KAFKA_BROKERS', brokerList, {
      whenUnset: '`127.0.0.1:<STACK_KAFKA_PORT>`',
      section: 'Kafka',
      about: 'comma-separated host:port list; setting it means the stack starts no broker',
    }),
    clientId: setting('KAFKA_CLIENT_ID', identifier, {
      default: 'paysaga',
      section: 'Kafka',
      about: 'client id prefix; each role appends its name',
    }),
    ssl: setting('KAFKA_SSL', flag, { default: 'false', section: 'Kafka', about: 'TLS to the brokers' }),
    sslCaFile: setting('KAFKA_SSL_CA_FILE', z.string().min(1), {
      section: 'Kafka',
      about: 'CA certificate that verifies the brokers',
    }),
    sasl: {
      mechanism: setting('KAFKA_SASL_MECHANISM', z.enum(['plain', 'scram-sha-256', 'scram-sha-512']), {
        section: 'Kafka',
        about: 'SASL mechanism: `plain`, `scram-sha-256` or `scram-sha-512`',
      }),
      username: setting('KAFKA_SASL_USERNAME', z.string().min(1), {
        section: 'Kafka',
        about: 'SASL user name; needs KAFKA_SASL_MECHANISM',
      }),
      password: setting('KAFKA_SASL_PASSWORD', z.string().min(1), {
        section: 'Kafka',
        about: 'SASL password; needs KAFKA_SASL_MECHANISM',
        secret: masked,
      }),
    },
    topicPartitions: setting('KAFKA_TOPIC_PARTITIONS', positiveInt, {
      default: '3',
      section: 'Kafka',
      about: 'partitions of each topic paysaga creates',
    }),
    replicationFactor: setting('KAFKA_REPLICATION_FACTOR', positiveInt, {
      whenUnset: '1; 3 with STACK_TOPOLOGY=cluster',
      section: 'Kafka',
      about: 'replication factor of each topic paysaga creates',
    }),
    minInsyncReplicas: setting('KAFKA_MIN_INSYNC_REPLICAS', positiveInt, {
      whenUnset: 'a majority of the replication factor (2 of 3)',
      section: 'Kafka',
      about:
        '`min.insync.replicas` of each topic paysaga creates: a write (acks=all) is refused unless this many replicas have it, so an acknowledged record survives the loss of the others',
    }),
    eventRetentionMs: setting(
      'KAFKA_EVENT_RETENTION',
      duration.refine((ms) => ms >= 3_600_000, 'must be at least 1h'),
      {
        default: '7d',
        section: 'Kafka',
        about:
          "how long the event topics keep records; inbox rows and the merchant totals' seen event ids are kept a day longer, so a replay of anything still on a topic changes nothing",
      },
    ),
  },
  database: {
    url: setting('DATABASE_URL', postgresUrl, {
      whenUnset: 'the embedded server',
      section: 'PostgreSQL',
      about: '`postgres://` URL; setting it means the stack starts no PostgreSQL',
      secret: (url) => {
        const u = new URL(url);
        if (u.password) u.password = MASK;
        return u.toString();
      },
    }),
    poolSize: setting('DATABASE_POOL_SIZE', positiveInt, {
      default: '10',
      section: 'PostgreSQL',
      about: 'connections per process',
    }),
  },
  httpHost: setting('HTTP_HOST', z.string().min(1), {
    default: '127.0.0.1',
    section: 'REST API',
    about:
      'the address the api, the gateway simulator and the metrics endpoint listen on; `0.0.0.0` in a container or behind a load balancer',
  }),
  api: {
    port: setting('API_PORT', port, { default: '3000', section: 'REST API', about: 'REST API port' }),
    tokens: setting('API_TOKENS', jsonValue.pipe(apiTokens), {
      whenUnset: 'none (the api will not start)',
      section: 'REST API',
      about:
        'JSON list of bearer tokens: `[{"token":"…","subject":"shop-1","roles":["client"],"merchants":["m-1"]},{"token":"…","subject":"alice","roles":["operator"]}]`; tokens have at least 24 characters; `merchants` (optional) limits the merchants a client may create payments for (403 otherwise), and without it a client acts for any merchant, as a platform does',
      secret: (tokens) => tokens.map((t) => ({ ...t, token: MASK })),
    }),
    idempotencyKeyRetentionMs: setting(
      'IDEMPOTENCY_KEY_RETENTION',
      duration.refine((ms) => ms >= 86_400_000, 'must be at least 24h: clients may retry a request for a day'),
      {
        default: '1d',
        section: 'REST API',
        about: 'how long an `Idempotency-Key` is remembered (at least `1d`)',
      },
    ),
    consoleSessionTtlMs: setting(
      'CONSOLE_SESSION_TTL',
      duration.refine((ms) => ms >= 60_000 && ms <= 7 * 86_400_000, 'must be between 1m and 7d'),
      {
        default: '8h',
        section: 'REST API',
        about: "how long an operator's console sign-in lasts (then the console asks for the token again)",
      },
    ),
    consoleSecureCookies: setting('CONSOLE_SECURE_COOKIES', flag, {
      default: 'false',
      section: 'REST API',
      about:
        "mark the console's session cookie `Secure` (sent over https only): set `true` wherever the api is reached over https, e.g. behind a TLS-terminating load balancer",
    }),
    codecOrigins: setting('API_CODEC_ORIGINS', originList, {
      default: '',
      section: 'REST API',
      about:
        "web origins besides TEMPORAL_UI_URL's whose pages may call the codec endpoint (`/codec/decode`, `/codec/encode`) with an operator's console session, comma-separated; the session cookie is SameSite=Strict, so only a Web UI of the api's own site (e.g. `https://temporal.payments.example` beside `https://api.payments.example`) can send it",
    }),
  },
  payments: {
    /** Retention of decided payments (read model, timeline, caller): deleted this long after their decision. */
    retentionMs: setting('PAYMENT_RETENTION', duration, {
      default: '90d',
      section: 'REST API',
      about:
        'how long a decided payment stays readable (`GET /payments`, its timeline and its caller) after its decision; at least `IDEMPOTENCY_KEY_RETENTION`. Undecided payments are kept',
    }),
  },
  outbox: {
    retentionMs: setting('OUTBOX_RETENTION', duration, {
      default: '7d',
      section: 'Outbox',
      about: 'how long published outbox rows are kept (retention)',
    }),
  },
  webhooks: {
    endpoints: setting('WEBHOOK_ENDPOINTS', jsonValue.pipe(webhookEndpoints), {
      default: '[]',
      section: 'Webhooks',
      about:
        'JSON list of merchant webhook endpoints: `[{"id":"shop-1-main","merchantId":"m-1","url":"https://…","secret":"whsec_…"}]`; each secret is base64 of at least 24 bytes',
      secret: (endpoints) => endpoints.map((e) => ({ ...e, secret: MASK })),
    }),
    /** Attempts per delivery before it goes to the dead-letter table. */
    maxAttempts: setting('WEBHOOK_MAX_ATTEMPTS', positiveInt, {
      default: '8',
      section: 'Webhooks',
      about: 'attempts per webhook delivery before it goes to the dead-letter table',
    }),
    backoffInitialMs: setting('WEBHOOK_BACKOFF_INITIAL', duration, {
      default: '5s',
      section: 'Webhooks',
      about: 'the first wait between attempts; it doubles (with jitter) after each one',
    }),
    backoffMaxMs: setting('WEBHOOK_BACKOFF_MAX', duration, {
      default: '1h',
      section: 'Webhooks',
      about: 'the longest wait between attempts',
    }),
    /** One HTTP request to a merchant endpoint. */
    timeoutMs: setting('WEBHOOK_TIMEOUT', timerDuration, {
      default: '10s',
      section: 'Webhooks',
      about: 'one HTTP request to a merchant endpoint',
    }),
    /** Retention of delivered and dead-lettered webhooks: deleted this long after their last attempt. */
    retentionMs: setting('WEBHOOK_RETENTION', duration, {
      default: '30d',
      section: 'Webhooks',
      about: 'how long delivered and dead-lettered webhooks are kept',
    }),
  },
  gateway: {
    port: setting('GATEWAY_PORT', port, { default: '3100', section: 'Gateway', about: 'gateway simulator port' }),
    url: setting('GATEWAY_URL', httpUrl, {
      whenUnset: '`http://127.0.0.1:<GATEWAY_PORT>`',
      section: 'Gateway',
      about: 'where the activities reach the gateway',
    }),
    /** One HTTP request to the gateway; the activity's start-to-close timeout derives from it (contracts/gateway-timeouts.ts). */
    requestTimeoutMs: setting('GATEWAY_REQUEST_TIMEOUT', timerDuration, {
      default: '4s',
      section: 'Gateway',
      about: 'one HTTP call to the gateway',
    }),
    /** How long the saga keeps retrying the gateway before it compensates and declines; holds one attempt at least. */
    retryBudgetMs: setting('GATEWAY_RETRY_BUDGET', duration, {
      default: '1m',
      section: 'Gateway',
      about:
        'how long a payment retries the gateway before it compensates (void, release) and declines GATEWAY_UNAVAILABLE; at least GATEWAY_REQUEST_TIMEOUT + 1s (one attempt)',
    }),
    /** Fault injection of the gateway simulator at start (contracts/gateway.ts). */
    faults: setting('GATEWAY_FAULTS', jsonObject.pipe(gatewayFaultsSchema), {
      default: '{}',
      section: 'Gateway',
      about:
        'the gateway simulator\'s fault injection at start, JSON: `latencyMs`, `errorRate`, `timeoutRate`, `dropResponseRate`, `hangMs`, `next` (a script such as `["fail","drop-response"]`), `declineAccountIds`; also `PUT /admin/faults`',
    }),
  },
  worker: {
    maxConcurrentActivities: setting('WORKER_MAX_CONCURRENT_ACTIVITIES', positiveInt, {
      default: '50',
      section: 'Saga and worker',
      about: 'activities one worker runs at once',
    }),
    maxConcurrentWorkflowTasks: setting('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', positiveInt, {
      default: '100',
      section: 'Saga and worker',
      about: 'workflow tasks one worker runs at once',
    }),
    versioning: setting('WORKER_VERSIONING', z.enum(['on', 'off']), {
      default: 'on',
      section: 'Saga and worker',
      about:
        "`on`: the worker is a version of a Temporal worker deployment (WORKER_DEPLOYMENT_NAME, WORKER_BUILD_ID) and each saga stays pinned to the version it started on, so a deploy never replays a waiting saga on changed code (docs/runbook.md, Deploy a new saga version); `off`: an unversioned worker (a saga then relies on `patched()` alone)",
    }),
    deploymentName: setting('WORKER_DEPLOYMENT_NAME', identifier, {
      whenUnset: '`paysaga-<TEMPORAL_TASK_QUEUE>`',
      section: 'Saga and worker',
      about: 'the Temporal worker deployment the payment worker is a version of',
    }),
    buildId: setting('WORKER_BUILD_ID', identifier, {
      whenUnset: "derived from the workflow code (`wf-` and 12 hex digits of its SHA-256): a change to workflows/ is a new build, one elsewhere is not",
      section: 'Saga and worker',
      about: 'the build id of this worker in its deployment; a deploy may set its own (a git commit, a release)',
    }),
    promote: setting('WORKER_PROMOTE', z.enum(['first', 'always', 'never']), {
      whenUnset: '`always` when the stack runs Temporal itself, else `first`',
      section: 'Saga and worker',
      about:
        'what a starting worker does with its version: `first` makes it current only when the deployment has none (a first deploy; later ones are promoted or ramped by the deploy, docs/runbook.md), `always` makes it current at once (one machine, where the last started build is the one wanted), `never` leaves routing alone',
    }),
  },
  // Saga policy defaults; each workflow receives them in its input.
  saga: {
    accountStateDeadlineMs: setting('ACCOUNT_STATE_DEADLINE', duration, {
      default: '30s',
      section: 'Saga and worker',
      about: 'how long a payment waits for fresh account state (`500ms`, `30s`, `5m`, `2h`, `1d`)',
    }),
    timeoutPolicy: setting('ACCOUNT_STATE_TIMEOUT_POLICY', z.enum(['decline', 'review']), {
      default: 'decline',
      section: 'Saga and worker',
      about: 'at that deadline: `decline` (ACCOUNT_STATE_TIMEOUT) or `review` (PENDING_REVIEW)',
    }),
    reviewDeadlineMs: setting('REVIEW_DEADLINE', duration, {
      default: '1d',
      section: 'Saga and worker',
      about: 'how long a payment waits in review before REVIEW_EXPIRED',
    }),
  },
  logLevel: setting('LOG_LEVEL', logLevel, {
    default: 'info',
    section: 'Logs, metrics and traces',
    about: '`trace` … `fatal`, or `silent`',
  }),
  /** auto: readable lines in a terminal, JSON otherwise. */
  logFormat: setting('LOG_FORMAT', z.enum(['auto', 'json', 'pretty']), {
    default: 'auto',
    section: 'Logs, metrics and traces',
    about: '`json` (one JSON object a line), `pretty` (readable), or `auto`: readable in a terminal, JSON otherwise',
  }),
  observability: {
    /** /metrics and /health of the process (the api serves /metrics on its own port too). */
    metricsPort: setting('METRICS_PORT', port, {
      default: '9464',
      section: 'Logs, metrics and traces',
      about: '`/metrics` (Prometheus) and `/health/live`, `/health/ready` of each process, for every role it runs',
    }),
    /** OTLP/HTTP collector for traces, e.g. http://127.0.0.1:4318; none: spans are not exported. */
    otlpEndpoint: setting('OTEL_EXPORTER_OTLP_ENDPOINT', httpUrl, {
      section: 'Logs, metrics and traces',
      about: 'OTLP/HTTP collector for traces, e.g. `http://127.0.0.1:4318`; none: spans are not exported',
    }),
    serviceName: setting('OTEL_SERVICE_NAME', identifier, {
      default: 'paysaga',
      section: 'Logs, metrics and traces',
      about: '`service.name` of the spans',
    }),
  },
};

/**
 * Names paysaga once read that Temporal's tools spell otherwise: set, they stop the process with the name to
 * use instead, rather than being ignored.
 */
export const RENAMED_SETTINGS: Record<string, SettingName> = {
  TEMPORAL_TLS_CA_FILE: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  TEMPORAL_TLS_CERT_FILE: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY_FILE: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
};

type Tree = { [key: string]: Setting | Tree };

/** The values of a tree of settings, in its shape. */
export type SettingValues<T = typeof settings> =
  T extends Setting<string, infer S> ? z.output<S> : { [K in keyof T]: SettingValues<T[K]> };

/** The name of a setting (its environment variable). */
export type SettingName<T = typeof settings> = T extends Setting<infer N> ? N : { [K in keyof T]: SettingName<T[K]> }[keyof T];

/** A setting with its place in the configuration (`['temporal', 'apiKey']` for config.temporal.apiKey). */
export interface PlacedSetting {
  setting: Setting;
  path: string[];
}

function place(tree: Tree, path: string[]): PlacedSetting[] {
  return Object.entries(tree).flatMap(([key, node]) =>
    node instanceof Setting ? [{ setting: node, path: [...path, key] }] : place(node, [...path, key]),
  );
}

/** Every setting, in declaration order, with its place in the configuration. */
export const SETTING_LIST: PlacedSetting[] = place(settings, []);

/** The settings' values in the tree's shape, from the parsed environment (keyed by variable name). */
export function settingValues(parsed: Record<string, unknown>): SettingValues {
  const fill = (tree: Tree): Record<string, unknown> =>
    Object.fromEntries(Object.entries(tree).map(([key, node]) => [key, node instanceof Setting ? parsed[node.env] : fill(node)]));
  return fill(settings) as SettingValues;
}
