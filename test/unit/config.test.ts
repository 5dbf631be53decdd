import assert from 'node:assert/strict';
import { ConfigError, loadConfig, parseDuration, redactConfig, type Env } from '../../config';

/** Asserts that loading env fails, and that the message names `setting` with a reason matching `reason`. */
function rejects(env: Env, setting: string, reason: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
      const problem = err.problems.find((p) => p.setting === setting);
      assert.ok(problem, `expected a problem naming ${setting}, got: ${err.message}`);
      assert.match(problem.message, reason);
      assert.match(err.message, new RegExp(`- ${setting}: `));
      return true;
    },
  );
}

describe('configuration', () => {
  it('defaults to the local stack on loopback', () => {
    const config = loadConfig({});
    assert.equal(config.temporal.address, '127.0.0.1:7233');
    assert.equal(config.temporal.uiUrl, 'http://127.0.0.1:8233');
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.temporal.local, true);
    assert.equal(config.temporal.tls, undefined);
    assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092']);
    assert.equal(config.kafka.local, true);
    assert.equal(config.database.local, true);
    assert.match(config.database.url, /^postgres:\/\/paysaga:[^@]+@127\.0\.0\.1:5432\/paysaga$/);
    assert.equal(config.api.port, 3000);
    assert.equal(config.saga.accountStateDeadlineMs, 30_000);
    assert.equal(config.saga.timeoutPolicy, 'decline');
  });

  it('moves client addresses with the stack ports', () => {
    const config = loadConfig({ STACK_TEMPORAL_PORT: '17233', STACK_KAFKA_PORT: '19092', STACK_POSTGRES_PORT: '15432' });
    assert.equal(config.temporal.address, '127.0.0.1:17233');
    assert.deepEqual(config.kafka.brokers, ['127.0.0.1:19092']);
    assert.match(config.database.url, /@127\.0\.0\.1:15432\//);
  });

  it('points at a Temporal Cloud namespace and a SASL Kafka cluster', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'payments.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'payments.a1b2c',
      TEMPORAL_API_KEY: 'secret-key',
      KAFKA_BROKERS: 'b-1.kafka.internal:9096, b-2.kafka.internal:9096,b-3.kafka.internal:9096',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'paysaga',
      KAFKA_SASL_PASSWORD: 'kafka-secret',
      DATABASE_URL: 'postgres://app:db-secret@db.internal:5432/paysaga',
    });
    assert.equal(config.temporal.local, false);
    assert.deepEqual(config.temporal.tls, {}, 'TLS on, verified against the system roots');
    assert.deepEqual(config.kafka.brokers, ['b-1.kafka.internal:9096', 'b-2.kafka.internal:9096', 'b-3.kafka.internal:9096']);
    assert.equal(config.kafka.local, false);
    assert.equal(config.kafka.sasl?.mechanism, 'scram-sha-512');
    assert.equal(config.database.local, false);

    const printable = JSON.stringify(redactConfig(config));
    for (const secret of ['secret-key', 'kafka-secret', 'db-secret']) assert.ok(!printable.includes(secret), `${secret} leaked`);
    assert.ok(printable.includes('b-1.kafka.internal:9096'));
  });

  const badSettings: [string, Env, RegExp][] = [
    ['STACK_TEMPORAL_PORT', { STACK_TEMPORAL_PORT: '70000' }, /between 1 and 65535/],
    ['API_PORT', { API_PORT: 'three thousand' }, /port number/],
    ['GATEWAY_PORT', { GATEWAY_PORT: '31.5' }, /whole number/],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'http://temporal:7233' }, /host:port/],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'temporal:99999' }, /between 1 and 65535/],
    ['TEMPORAL_NAMESPACE', { TEMPORAL_NAMESPACE: 'has spaces' }, /letters, digits/],
    ['TEMPORAL_TLS', { TEMPORAL_TLS: 'maybe' }, /true or false/],
    ['TEMPORAL_UI_URL', { TEMPORAL_UI_URL: 'localhost:8233' }, /http/],
    ['TEMPORAL_API_KEY', { TEMPORAL_API_KEY: '' }, /must not be empty/],
    ['KAFKA_BROKERS', { KAFKA_BROKERS: 'kafka' }, /host:port/],
    ['KAFKA_BROKERS', { KAFKA_BROKERS: ' , ' }, /at least one broker/],
    ['KAFKA_SASL_MECHANISM', { KAFKA_SASL_MECHANISM: 'gssapi' }, /plain|scram/],
    ['KAFKA_TOPIC_PARTITIONS', { KAFKA_TOPIC_PARTITIONS: '0' }, /at least 1/],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://db/paysaga' }, /postgres:\/\//],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }, /postgres:\/\//],
    ['ACCOUNT_STATE_DEADLINE', { ACCOUNT_STATE_DEADLINE: 'soon' }, /duration/],
    ['REVIEW_DEADLINE', { REVIEW_DEADLINE: '-5m' }, /duration/],
    ['ACCOUNT_STATE_TIMEOUT_POLICY', { ACCOUNT_STATE_TIMEOUT_POLICY: 'approve' }, /decline|review/],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }, /info/],
    ['GATEWAY_FAULTS', { GATEWAY_FAULTS: 'latency=5' }, /JSON object/],
    ['GATEWAY_FAULTS', { GATEWAY_FAULTS: '{"errorRate": 1.5}' }, /errorRate: .*1/],
    ['GATEWAY_RETRY_BUDGET', { GATEWAY_RETRY_BUDGET: '1 minute' }, /duration/],
    ['WORKER_MAX_CONCURRENT_ACTIVITIES', { WORKER_MAX_CONCURRENT_ACTIVITIES: '0' }, /at least 1/],
  ];
  for (const [setting, env, reason] of badSettings) {
    it(`rejects ${setting}=${JSON.stringify(Object.values(env)[0])} naming the setting`, () => rejects(env, setting, reason));
  }

  it('requires SASL credentials with a SASL mechanism, and a mechanism with credentials', () => {
    rejects(
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' },
      'KAFKA_SASL_PASSWORD',
      /required when KAFKA_SASL_MECHANISM/,
    );
    rejects({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SASL_MECHANISM', /required/);
  });

  it('requires both halves of a Temporal mTLS pair', () => {
    rejects({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/tls/client.pem' }, 'TEMPORAL_TLS_CLIENT_KEY_PATH', /both/);
  });

  it('refuses to send a Temporal API key without TLS', () => {
    rejects({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }, 'TEMPORAL_TLS', /only sent over TLS/);
  });

  it('refuses a gateway retry budget shorter than one gateway call, naming both settings', () => {
    rejects(
      { GATEWAY_REQUEST_TIMEOUT: '4s', GATEWAY_RETRY_BUDGET: '3s' },
      'GATEWAY_RETRY_BUDGET',
      /at least GATEWAY_REQUEST_TIMEOUT \(4000 ms\) plus 1000 ms .*got 3000 ms/,
    );
    // A longer request timeout alone can leave the default budget (1m) too short.
    rejects({ GATEWAY_REQUEST_TIMEOUT: '2m' }, 'GATEWAY_RETRY_BUDGET', /GATEWAY_REQUEST_TIMEOUT \(120000 ms\).*got 60000 ms/);
    const fits = loadConfig({ GATEWAY_REQUEST_TIMEOUT: '4s', GATEWAY_RETRY_BUDGET: '5s' });
    assert.deepEqual([fits.gateway.requestTimeoutMs, fits.gateway.retryBudgetMs], [4_000, 5_000]);
  });

  it('refuses a request timeout past the longest timer Node.js keeps', () => {
    rejects({ WEBHOOK_TIMEOUT: '25d' }, 'WEBHOOK_TIMEOUT', /at most 24d/);
    rejects({ GATEWAY_REQUEST_TIMEOUT: '30d', GATEWAY_RETRY_BUDGET: '31d' }, 'GATEWAY_REQUEST_TIMEOUT', /at most 24d/);
    assert.equal(loadConfig({ WEBHOOK_TIMEOUT: '24d' }).webhooks.timeoutMs, 24 * 86_400_000);
  });

  it('rejects two roles or engines on one port', () => {
    rejects({ API_PORT: '7233' }, 'API_PORT', /already used by STACK_TEMPORAL_PORT/);
  });

  it('refuses stack ports whose cluster topology ports would not be ports', () => {
    rejects(
      { STACK_TOPOLOGY: 'cluster', STACK_TEMPORAL_PORT: '64000' },
      'STACK_TEMPORAL_PORT',
      /room for the cluster's Temporal ports/,
    );
    rejects(
      { STACK_TOPOLOGY: 'cluster', STACK_TEMPORAL_PORT: '37233' },
      'STACK_TEMPORAL_PORT',
      /at most 33061 in the cluster topology: .*smallint/,
    );
    assert.equal(loadConfig({ STACK_TOPOLOGY: 'cluster', STACK_TEMPORAL_PORT: '33061' }).stack.temporalPort, 33061);
    rejects(
      { STACK_TOPOLOGY: 'cluster', STACK_KAFKA_PORT: '65533' },
      'STACK_KAFKA_PORT',
      /room for the cluster's other two nodes/,
    );
    assert.equal(loadConfig({ STACK_TEMPORAL_PORT: '64000' }).stack.temporalPort, 64000, 'the single topology derives none');
  });

  it('reports every bad setting at once', () => {
    assert.throws(
      () => loadConfig({ API_PORT: '0', KAFKA_BROKERS: 'nope', LOG_LEVEL: 'loud' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        [...new Set(err.problems.map((p) => p.setting))].sort().join() === 'API_PORT,KAFKA_BROKERS,LOG_LEVEL',
    );
  });
});

describe('configuration: api tokens and payment retention', () => {
  const token = (extra: object) =>
    JSON.stringify([{ token: 'client-token-0123456789abcdef', subject: 'shop-1', roles: ['client'], ...extra }]);

  it('reads the merchants a client token may create payments for; without a list, any', () => {
    assert.deepEqual(loadConfig({ API_TOKENS: token({ merchants: ['m-1', 'm-2'] }) }).api.tokens?.[0]?.merchants, ['m-1', 'm-2']);
    assert.equal(loadConfig({ API_TOKENS: token({}) }).api.tokens?.[0]?.merchants, undefined);
  });

  it('refuses an empty merchant list and a malformed merchant id, naming API_TOKENS', () => {
    rejects({ API_TOKENS: token({ merchants: [] }) }, 'API_TOKENS', /at least one merchant id/);
    rejects({ API_TOKENS: token({ merchants: ['m 1'] }) }, 'API_TOKENS', /merchant id must be/);
  });

  it('keeps decided payments 90 days by default, never shorter than the Idempotency-Key retention', () => {
    assert.equal(loadConfig({}).payments.retentionMs, 90 * 86_400_000);
    rejects({ PAYMENT_RETENTION: '1d', IDEMPOTENCY_KEY_RETENTION: '2d' }, 'PAYMENT_RETENTION', /IDEMPOTENCY_KEY_RETENTION/);
  });
});

describe('parseDuration', () => {
  it('reads each unit into milliseconds', () => {
    assert.equal(parseDuration('250'), 250);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('1d'), 86_400_000);
  });

  it('refuses zero, negatives, fractions and other words', () => {
    for (const text of ['0s', '-1s', '1.5s', '5 minutes', '', 's']) assert.equal(parseDuration(text), undefined, text);
  });
});
