import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, redactConfig, type Env } from '../../config';
import { temporalConnectionOptions } from '../../temporal/connection';

const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** The problems loading `env` reports, as `SETTING: message` lines. */
function problems(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems.map((p) => `${p.setting}: ${p.message}`);
  }
  assert.fail('the configuration loaded');
}

describe('Temporal connection settings: temporal.toml profiles and TEMPORAL_ variables (@temporalio/envconfig)', () => {
  let dir: string;
  let file: string;
  const pem = (name: string) => `-----BEGIN ${name}-----\nMIIB${name.replace(/ /g, '')}\n-----END ${name}-----\n`;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-temporal-profile-'));
    fs.writeFileSync(path.join(dir, 'client.pem'), pem('CERTIFICATE'));
    fs.writeFileSync(path.join(dir, 'client.key'), pem('PRIVATE KEY'));
    file = path.join(dir, 'temporal.toml');
    // A file as the temporal CLI writes and reads it (`temporal config set --profile prod ...`).
    fs.writeFileSync(
      file,
      [
        '[profile.default]',
        'address = "127.0.0.1:7233"',
        '',
        '[profile.prod]',
        'address = "payments.a1b2c.tmprl.cloud:7233"',
        'namespace = "payments.a1b2c"',
        'api_key = "prod-api-key-from-the-file"',
        '',
        '[profile.prod.tls]',
        'server_name = "payments.a1b2c.tmprl.cloud"',
        `server_ca_cert_data = """\n${pem('CA CERTIFICATE')}"""`,
        `client_cert_path = "${path.join(dir, 'client.pem')}"`,
        `client_key_path = "${path.join(dir, 'client.key')}"`,
        '',
        '[profile.prod.grpc_meta]',
        'authorization-extra = "grpc-header-secret"',
        '',
      ].join('\n'),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes address, namespace, API key and TLS from a temporal.toml profile into the connection options', () => {
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    assert.equal(config.temporal.namespace, 'payments.a1b2c');
    assert.equal(config.temporal.local, false, 'an address from the profile: the stack starts no dev server');
    const options = temporalConnectionOptions(config);
    assert.equal(options.address, 'payments.a1b2c.tmprl.cloud:7233');
    assert.equal(options.apiKey, 'prod-api-key-from-the-file');
    assert.deepEqual(options.metadata, { 'authorization-extra': 'grpc-header-secret' });
    assert.ok(options.tls && typeof options.tls === 'object', 'TLS on');
    assert.equal(options.tls.serverNameOverride, 'payments.a1b2c.tmprl.cloud');
    assert.equal(text(options.tls.serverRootCACertificate), pem('CA CERTIFICATE'));
    assert.equal(text(options.tls.clientCertPair?.crt), pem('CERTIFICATE'));
    assert.equal(text(options.tls.clientCertPair?.key), pem('PRIVATE KEY'));
  });

  it('lets each TEMPORAL_ variable win over its key in the profile', () => {
    const config = loadConfig({
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'prod',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'payments-staging',
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: pem('OTHER CA'),
    });
    assert.equal(config.temporal.namespace, 'payments-staging');
    const options = temporalConnectionOptions(config);
    assert.equal(options.address, 'temporal.internal:7233');
    assert.equal(options.apiKey, 'prod-api-key-from-the-file', 'what the environment leaves unset comes from the file');
    assert.ok(options.tls && typeof options.tls === 'object');
    assert.equal(options.tls.serverNameOverride, 'temporal.internal');
    assert.equal(text(options.tls.serverRootCACertificate), pem('OTHER CA'));
    assert.equal(text(options.tls.clientCertPair?.key), pem('PRIVATE KEY'));

    const tlsOff = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_TLS: 'false' });
    assert.equal(temporalConnectionOptions(tlsOff).tls, undefined);
  });

  it("reads the default profile of the temporal CLI's own file when nothing names one", () => {
    const config = path.join(dir, 'xdg');
    fs.mkdirSync(path.join(config, 'temporalio'), { recursive: true });
    fs.copyFileSync(file, path.join(config, 'temporalio', 'temporal.toml'));
    const fromDefault = loadConfig({ XDG_CONFIG_HOME: config, STACK_TEMPORAL_PORT: '17233' });
    assert.equal(fromDefault.temporal.address, '127.0.0.1:7233', 'the default profile');
    assert.equal(fromDefault.temporal.local, false);
    assert.equal(loadConfig({ XDG_CONFIG_HOME: config, TEMPORAL_PROFILE: 'prod' }).temporal.namespace, 'payments.a1b2c');
  });

  it('keeps the local dev server on the stack port, without TLS, when nothing is set', () => {
    const config = loadConfig({ STACK_TEMPORAL_PORT: '17233' });
    assert.deepEqual(temporalConnectionOptions(config), {
      address: '127.0.0.1:17233',
      apiKey: undefined,
      tls: undefined,
      metadata: undefined,
    });
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.temporal.local, true);
  });

  it("refuses paysaga's old TLS variable names with Temporal's name in the message", () => {
    assert.deepEqual(problems({ TEMPORAL_TLS_CA_FILE: '/etc/tls/ca.pem' }), [
      "TEMPORAL_TLS_CA_FILE: is no longer read: set TEMPORAL_TLS_SERVER_CA_CERT_PATH instead (Temporal's own name for it)",
    ]);
    assert.match(problems({ TEMPORAL_TLS_CERT_FILE: 'c.pem' })[0]!, /^TEMPORAL_TLS_CERT_FILE: .*TEMPORAL_TLS_CLIENT_CERT_PATH/);
    assert.match(problems({ TEMPORAL_TLS_KEY_FILE: 'k.pem' })[0]!, /^TEMPORAL_TLS_KEY_FILE: .*TEMPORAL_TLS_CLIENT_KEY_PATH/);
  });

  it('refuses a profile the file lacks, a missing or broken file (quoting none of it), a bad address in the file and a flag Temporal would read as off', () => {
    assert.match(
      problems({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })[0]!,
      /^TEMPORAL_PROFILE: Profile 'staging' not found/,
    );
    assert.match(problems({ TEMPORAL_CONFIG_FILE: path.join(dir, 'nope.toml') })[0]!, /^TEMPORAL_CONFIG_FILE: .*does not exist/);
    const bad = path.join(dir, 'bad.toml');
    fs.writeFileSync(bad, '[profile.default]\naddress = "http://temporal:7233"\n');
    assert.match(problems({ TEMPORAL_CONFIG_FILE: bad })[0]!, /^address in profile "default" of .*bad\.toml: must be host:port/);
    assert.match(problems({ TEMPORAL_TLS: 'yes' })[0]!, /^TEMPORAL_TLS: must be true or false/);
    const broken = path.join(dir, 'broken.toml');
    fs.writeFileSync(broken, '[profile.default]\napi_key = "api-key-in-a-broken-file\n');
    const [brokenProblem] = problems({ TEMPORAL_CONFIG_FILE: broken });
    assert.match(brokenProblem!, /^TEMPORAL_CONFIG_FILE: Invalid TOML document/);
    assert.ok(!brokenProblem!.includes('api-key-in-a-broken-file'), 'the error quotes no line of the file');
  });

  it('masks the API key, the client key and the gRPC headers in the configuration printout', () => {
    const fromFile = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    const fromEnv = loadConfig({
      TEMPORAL_API_KEY: 'env-api-key-secret',
      TEMPORAL_TLS_CLIENT_CERT_DATA: pem('CERTIFICATE'),
      TEMPORAL_TLS_CLIENT_KEY_DATA: 'client-key-data-secret',
      TEMPORAL_GRPC_META_X_TENANT_TOKEN: 'env-grpc-header-secret',
    });
    const printable = JSON.stringify([redactConfig(fromFile), redactConfig(fromEnv)]);
    for (const secret of [
      'prod-api-key-from-the-file',
      'grpc-header-secret',
      'env-api-key-secret',
      'client-key-data-secret',
      'env-grpc-header-secret',
    ])
      assert.ok(!printable.includes(secret), `${secret} leaked`);
    for (const kept of ['payments.a1b2c.tmprl.cloud:7233', 'authorization-extra', 'x-tenant-token', 'client.pem'])
      assert.ok(printable.includes(kept), `${kept} was masked too`);
    assert.equal(fromFile.temporal.apiKey, 'prod-api-key-from-the-file', 'redaction copies');
  });
});
