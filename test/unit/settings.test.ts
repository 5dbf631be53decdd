import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, redactConfig, SETTINGS, type Env } from '../../config';
import { SETTING_LIST } from '../../config/settings';

const valueAt = (tree: unknown, at: string[]) =>
  at.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], tree);

describe('settings, each declared once', () => {
  it('gives each setting its own environment variable and its own place in the configuration', () => {
    assert.equal(new Set(SETTINGS).size, SETTINGS.length);
    const places = SETTING_LIST.map(({ path: at }) => at.join('.'));
    assert.equal(new Set(places).size, places.length);
  });

  it("puts each default, parsed like the operator's text, at the setting's place in the configuration", () => {
    const defaults = loadConfig({});
    const withDefaults = SETTING_LIST.filter(({ setting }) => setting.defaultValue !== undefined);
    assert.ok(withDefaults.length > 30, `only ${withDefaults.length} settings have a default`);
    for (const { setting, path: at } of withDefaults) {
      const text = setting.defaultValue!;
      const written = loadConfig({ [setting.env]: text });
      assert.deepEqual(valueAt(written, at), valueAt(defaults, at), `${setting.env}=${text}`);
      assert.deepEqual(valueAt(defaults, at), setting.type.parse(text), `${setting.env} lands at config.${at.join('.')}`);
    }
  });

  it('masks every setting declared secret wherever the configuration is printed', () => {
    // One value per secret setting: a new secret setting fails here until it has one, and is checked.
    const secrets: Env = {
      TEMPORAL_API_KEY: 'temporal-api-key-secret',
      TEMPORAL_TLS_CLIENT_KEY_DATA: 'temporal-client-key-secret',
      KAFKA_SASL_PASSWORD: 'kafka-password-secret',
      DATABASE_URL: 'postgres://app:database-password-secret@db.internal:5432/paysaga',
      API_TOKENS: JSON.stringify([{ token: 'api-token-secret-0123456789', subject: 'shop-1', roles: ['client'] }]),
      WEBHOOK_ENDPOINTS: JSON.stringify([
        { id: 'shop-1-main', merchantId: 'm-1', url: 'https://shop-1.example/hooks', secret: `whsec_${'c2VjcmV0'.repeat(4)}` },
      ]),
      TEMPORAL_CODEC_KEYS: JSON.stringify([{ id: 'codec-key-1', key: `${'Y29kZWNrZXk'.repeat(3)}MTIzNDU2Nz=` }]),
    };
    const declared = SETTING_LIST.filter(({ setting }) => setting.secret).map(({ setting }) => setting.env);
    assert.deepEqual(Object.keys(secrets).sort(), [...declared].sort());

    const config = loadConfig({
      ...secrets,
      TEMPORAL_TLS_CLIENT_CERT_DATA: 'temporal-client-cert',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'paysaga',
    });
    const printable = JSON.stringify(redactConfig(config));
    for (const secret of [
      'temporal-api-key-secret',
      'temporal-client-key-secret',
      'kafka-password-secret',
      'database-password-secret',
      'api-token-secret',
      'c2VjcmV0',
      'Y29kZWNrZXk',
    ])
      assert.ok(!printable.includes(secret), `${secret} leaked`);
    for (const kept of ['db.internal', 'shop-1', 'https://shop-1.example/hooks', '"username":"paysaga"', 'codec-key-1'])
      assert.ok(printable.includes(kept), `${kept} was masked too`);
    // Redaction copies: the configuration the roles use keeps its secrets.
    assert.equal(config.temporal.apiKey, 'temporal-api-key-secret');
  });

  it('lists every declared setting in docs/configuration.md with its default', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/configuration.md'), 'utf8');
    for (const { setting } of SETTING_LIST) {
      const shown = setting.defaultValue === undefined ? setting.whenUnset : `\`${setting.defaultValue}\``;
      const row = `| \`${setting.env}\` | ${shown.replace(/\|/g, '\\|')} |`;
      assert.ok(doc.includes(row), `docs/configuration.md has no row ${row}: run npm run docs:config`);
    }
  });
});
