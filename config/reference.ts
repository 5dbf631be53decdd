/**
 * What each setting means, by section: the source of docs/configuration.md (`npm run docs:config` writes it;
 * a unit test fails when a setting is missing here or the file is stale). Defaults are written as an operator
 * reads them; config/index.ts holds the values.
 */
import type { SETTINGS } from './index';

export type SettingName = (typeof SETTINGS)[number];

export interface SettingDoc {
  settings: SettingName[];
  default: string;
  meaning: string;
}

export const SETTING_DOCS: { section: string; rows: SettingDoc[] }[] = [
  {
    section: 'Temporal',
    rows: [
      {
        settings: ['TEMPORAL_ADDRESS'],
        default: '`127.0.0.1:<STACK_TEMPORAL_PORT>`',
        meaning: 'Temporal frontend, host:port; setting it means the stack starts no dev server',
      },
      { settings: ['TEMPORAL_NAMESPACE'], default: '`default`', meaning: 'namespace of the payment workflows' },
      { settings: ['TEMPORAL_TASK_QUEUE'], default: '`payments`', meaning: 'task queue of the payment worker' },
      {
        settings: ['TEMPORAL_UI_URL'],
        default: '`http://127.0.0.1:<STACK_TEMPORAL_UI_PORT>`',
        meaning: 'Web UI address printed for operators',
      },
      { settings: ['TEMPORAL_TLS'], default: 'on when an API key or TLS file is set', meaning: 'TLS to the frontend' },
      {
        settings: ['TEMPORAL_TLS_CA_FILE', 'TEMPORAL_TLS_CERT_FILE', 'TEMPORAL_TLS_KEY_FILE', 'TEMPORAL_TLS_SERVER_NAME'],
        default: 'none',
        meaning: 'server CA, client mTLS pair, SNI override',
      },
      { settings: ['TEMPORAL_API_KEY'], default: 'none', meaning: 'Temporal Cloud API key (secret; implies TLS)' },
    ],
  },
  {
    section: 'Kafka',
    rows: [
      {
        settings: ['KAFKA_BROKERS'],
        default: '`127.0.0.1:<STACK_KAFKA_PORT>`',
        meaning: 'comma-separated host:port list; setting it means the stack starts no broker',
      },
      { settings: ['KAFKA_CLIENT_ID'], default: '`paysaga`', meaning: 'client id prefix; each role appends its name' },
      { settings: ['KAFKA_SSL', 'KAFKA_SSL_CA_FILE'], default: '`false`, none', meaning: 'TLS to the brokers, and its CA' },
      {
        settings: ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'],
        default: 'none',
        meaning: '`plain`, `scram-sha-256` or `scram-sha-512` (password is secret)',
      },
      { settings: ['KAFKA_TOPIC_PARTITIONS'], default: '`3`', meaning: 'partitions of each topic paysaga creates' },
      { settings: ['KAFKA_REPLICATION_FACTOR'], default: '`1`', meaning: 'replication factor of each topic paysaga creates' },
      {
        settings: ['KAFKA_EVENT_RETENTION'],
        default: '`7d`',
        meaning:
          "how long the event topics keep records; inbox rows and the merchant totals' seen event ids are kept a day longer, so a replay of anything still on a topic changes nothing",
      },
    ],
  },
  {
    section: 'PostgreSQL',
    rows: [
      {
        settings: ['DATABASE_URL'],
        default: 'the embedded server',
        meaning: '`postgres://` URL; setting it means the stack starts no PostgreSQL',
      },
      { settings: ['DATABASE_POOL_SIZE'], default: '`10`', meaning: 'connections per process' },
    ],
  },
  {
    section: 'REST API',
    rows: [
      {
        settings: ['HTTP_HOST'],
        default: '`127.0.0.1`',
        meaning:
          'the address the api, the gateway simulator and the metrics endpoint listen on; `0.0.0.0` in a container or behind a load balancer',
      },
      { settings: ['API_PORT'], default: '`3000`', meaning: 'REST API port' },
      {
        settings: ['API_TOKENS'],
        default: 'none (the api will not start)',
        meaning:
          'JSON list of bearer tokens: `[{"token":"…","subject":"shop-1","roles":["client"],"merchants":["m-1"]},{"token":"…","subject":"alice","roles":["operator"]}]`; tokens are secrets, at least 24 characters; `merchants` (optional) limits the merchants a client may create payments for (403 otherwise), and without it a client acts for any merchant, as a platform does',
      },
      {
        settings: ['IDEMPOTENCY_KEY_RETENTION'],
        default: '`1d`',
        meaning: 'how long an `Idempotency-Key` is remembered (at least `1d`)',
      },
      {
        settings: ['PAYMENT_RETENTION'],
        default: '`90d`',
        meaning:
          'how long a decided payment stays readable (`GET /payments`, its timeline and its caller) after its decision; at least `IDEMPOTENCY_KEY_RETENTION`. Undecided payments are kept',
      },
    ],
  },
  {
    section: 'Gateway',
    rows: [
      {
        settings: ['GATEWAY_PORT', 'GATEWAY_URL'],
        default: '`3100`, `http://127.0.0.1:<GATEWAY_PORT>`',
        meaning: 'gateway simulator port, and where the activities reach the gateway',
      },
      { settings: ['GATEWAY_REQUEST_TIMEOUT'], default: '`4s`', meaning: 'one HTTP call to the gateway' },
      {
        settings: ['GATEWAY_RETRY_BUDGET'],
        default: '`1m`',
        meaning:
          'how long a payment retries the gateway before it compensates (void, release) and declines GATEWAY_UNAVAILABLE; at least GATEWAY_REQUEST_TIMEOUT + 1s (one attempt)',
      },
      {
        settings: ['GATEWAY_FAULTS'],
        default: '`{}`',
        meaning:
          'the gateway simulator\'s fault injection at start, JSON: `latencyMs`, `errorRate`, `timeoutRate`, `dropResponseRate`, `hangMs`, `next` (a script such as `["fail","drop-response"]`), `declineAccountIds`; also `PUT /admin/faults`',
      },
    ],
  },
  {
    section: 'Saga and worker',
    rows: [
      { settings: ['WORKER_MAX_CONCURRENT_ACTIVITIES'], default: '`50`', meaning: 'activities one worker runs at once' },
      { settings: ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'], default: '`20`', meaning: 'workflow tasks one worker runs at once' },
      {
        settings: ['ACCOUNT_STATE_DEADLINE'],
        default: '`30s`',
        meaning: 'how long a payment waits for fresh account state (`500ms`, `30s`, `5m`, `2h`, `1d`)',
      },
      {
        settings: ['ACCOUNT_STATE_TIMEOUT_POLICY'],
        default: '`decline`',
        meaning: 'at that deadline: `decline` (ACCOUNT_STATE_TIMEOUT) or `review` (PENDING_REVIEW)',
      },
      { settings: ['REVIEW_DEADLINE'], default: '`1d`', meaning: 'how long a payment waits in review before REVIEW_EXPIRED' },
    ],
  },
  {
    section: 'Outbox',
    rows: [
      {
        settings: ['OUTBOX_RETENTION'],
        default: '`7d`',
        meaning: 'how long published outbox rows are kept (retention)',
      },
    ],
  },
  {
    section: 'Webhooks',
    rows: [
      {
        settings: ['WEBHOOK_ENDPOINTS'],
        default: '`[]`',
        meaning:
          'JSON list of merchant webhook endpoints: `[{"id":"shop-1-main","merchantId":"m-1","url":"https://…","secret":"whsec_…"}]`; secrets (base64, at least 24 bytes) are never logged',
      },
      {
        settings: ['WEBHOOK_MAX_ATTEMPTS'],
        default: '`8`',
        meaning: 'attempts per webhook delivery before it goes to the dead-letter table',
      },
      {
        settings: ['WEBHOOK_BACKOFF_INITIAL', 'WEBHOOK_BACKOFF_MAX'],
        default: '`5s`, `1h`',
        meaning: 'exponential backoff between attempts (doubling, with jitter), and its ceiling',
      },
      { settings: ['WEBHOOK_TIMEOUT'], default: '`10s`', meaning: 'one HTTP request to a merchant endpoint' },
      { settings: ['WEBHOOK_RETENTION'], default: '`30d`', meaning: 'how long delivered and dead-lettered webhooks are kept' },
    ],
  },
  {
    section: 'Logs, metrics and traces',
    rows: [
      { settings: ['LOG_LEVEL'], default: '`info`', meaning: '`trace` … `fatal`, or `silent`' },
      {
        settings: ['LOG_FORMAT'],
        default: '`auto`',
        meaning: '`json` (one JSON object a line), `pretty` (readable), or `auto`: readable in a terminal, JSON otherwise',
      },
      {
        settings: ['METRICS_PORT'],
        default: '`9464`',
        meaning: '`/metrics` (Prometheus) and `/health/live`, `/health/ready` of each process, for every role it runs',
      },
      {
        settings: ['OTEL_EXPORTER_OTLP_ENDPOINT'],
        default: 'none',
        meaning: 'OTLP/HTTP collector for traces, e.g. `http://127.0.0.1:4318`; none: spans are not exported',
      },
      { settings: ['OTEL_SERVICE_NAME'], default: '`paysaga`', meaning: '`service.name` of the spans' },
    ],
  },
  {
    section: 'Local stack',
    rows: [
      {
        settings: ['STACK_TEMPORAL_PORT', 'STACK_TEMPORAL_UI_PORT'],
        default: '`7233`, `8233`',
        meaning: 'local dev server ports',
      },
      {
        settings: ['STACK_KAFKA_PORT', 'STACK_KAFKA_CONTROLLER_PORT'],
        default: '`9092`, `9093`',
        meaning: 'local broker and KRaft controller ports',
      },
      { settings: ['STACK_POSTGRES_PORT'], default: '`5432`', meaning: 'local PostgreSQL port' },
      { settings: ['PAYSAGA_STATE_DIR'], default: '`.stack/`', meaning: 'data, logs and pids of the local engines' },
      { settings: ['PAYSAGA_CACHE_DIR'], default: '`~/.cache/paysaga`', meaning: 'downloads and builds of the local engines' },
    ],
  },
];

/** docs/configuration.md, from SETTING_DOCS. */
export function renderConfigurationReference(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '<!-- Generated from config/reference.ts by `npm run docs:config`: edit that file, not this one. -->',
    '',
    '# Configuration reference',
    '',
    'Every setting is an environment variable, read and validated in one place ([config/index.ts](../config/index.ts))',
    'when a process starts: a bad value stops it with a message that names the setting. Secrets (API keys,',
    'passwords, tokens, webhook secrets) are never logged; `LOG_LEVEL=debug` prints the configuration with them',
    'masked. Durations are written like `500ms`, `30s`, `5m`, `2h`, `1d`.',
  ];
  for (const { section, rows } of SETTING_DOCS) {
    lines.push('', `## ${section}`, '', '| setting | default | meaning |', '| --- | --- | --- |');
    for (const row of rows) {
      lines.push(`| ${row.settings.map((s) => `\`${s}\``).join(', ')} | ${cell(row.default)} | ${cell(row.meaning)} |`);
    }
  }
  return lines.join('\n') + '\n';
}
