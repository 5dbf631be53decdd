/** The payload codec (temporal/codec.ts): sealing, key rotation, refusals, and where its keys come from. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig } from '../../config';
import {
  codecKeys,
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  ensureStackCodecKeys,
  KEY_ID_METADATA,
  newCodecKey,
  promoteCodecKey,
  rotateCodecKeysFile,
  TamperedPayloadError,
  UnknownCodecKeyError,
} from '../../temporal/codec';

const key = (id: string) => {
  const k = newCodecKey(id);
  return { id, key: Buffer.from(k.key, 'base64') };
};
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const payment = { paymentId: 'p-1', accountId: 'acc-secret-7', amount: 123_456, currency: 'EUR', reason: 'fraud call' };

describe('payload codec: AES-256-GCM with key ids', () => {
  const k1 = key('k1');
  const k2 = key('k2');

  it('seals a payload so that none of its content is readable, and opens it again exactly', async () => {
    const codec = new EncryptionCodec([k1]);
    const plain = defaultPayloadConverter.toPayload(payment);
    const [sealed] = await codec.encode([plain]);
    assert.equal(text(sealed!.metadata!.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(sealed!.metadata![KEY_ID_METADATA]), 'k1');
    assert.deepEqual(
      Object.keys(sealed!.metadata!).sort(),
      ['encoding', KEY_ID_METADATA].sort(),
      'the plain metadata is sealed too',
    );
    const bytes = Buffer.from(sealed!.data!);
    for (const secret of ['acc-secret-7', '123456', 'fraud call', 'json/plain'])
      assert.ok(!bytes.includes(Buffer.from(secret)), `${secret} readable in the sealed payload`);
    const [opened] = await codec.decode([sealed!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened!), payment);
    assert.equal(text(opened!.metadata!.encoding), 'json/plain');
  });

  it('uses a new IV for every payload: the same value never seals the same way twice', async () => {
    const codec = new EncryptionCodec([k1]);
    const plain = defaultPayloadConverter.toPayload(payment);
    const [a, b] = await codec.encode([plain, plain]);
    assert.notDeepEqual(Buffer.from(a!.data!), Buffer.from(b!.data!));
  });

  it('passes plain payloads through decode: histories recorded before the codec still read', async () => {
    const codec = new EncryptionCodec([k1]);
    const plain = defaultPayloadConverter.toPayload(payment);
    assert.deepEqual(await codec.decode([plain]), [plain]);
  });

  it('after a rotation seals with the new key and still opens what the old one sealed', async () => {
    const before = new EncryptionCodec([k1]);
    const after = new EncryptionCodec([k2, k1]);
    const [old] = await before.encode([defaultPayloadConverter.toPayload(payment)]);
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload(payment)]);
    assert.equal(text(fresh!.metadata![KEY_ID_METADATA]), 'k2');
    assert.deepEqual(
      (await after.decode([old!, fresh!])).map((p) => defaultPayloadConverter.fromPayload(p)),
      [payment, payment],
    );
    await assert.rejects(
      before.decode([fresh!]),
      (err: Error) => err instanceof UnknownCodecKeyError && /"k2"/.test(err.message),
    );
  });

  it('refuses a payload whose data or key id was changed', async () => {
    const codec = new EncryptionCodec([k1, { id: 'k1-copy', key: k1.key }]);
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(payment)]);
    const flipped: Payload = { ...sealed!, data: Buffer.from(sealed!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await assert.rejects(codec.decode([flipped]), TamperedPayloadError);
    // The same key under another id: the id is authenticated with the data.
    const relabelled: Payload = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('k1-copy') } };
    await assert.rejects(codec.decode([relabelled]), TamperedPayloadError);
    const truncated: Payload = { ...sealed!, data: Buffer.from(sealed!.data!).subarray(0, 10) };
    await assert.rejects(codec.decode([truncated]), TamperedPayloadError);
  });

  it('refuses a key that is not 32 bytes', () => {
    assert.throws(() => new EncryptionCodec([{ id: 'short', key: Buffer.alloc(16) }]), /32 bytes/);
    assert.throws(() => new EncryptionCodec([]), /at least one key/);
  });
});

describe('payload codec keys: from configuration, a file, or the stack', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-codec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads TEMPORAL_CODEC_KEYS, the first one sealing', () => {
    const keys = [newCodecKey('b'), newCodecKey('a')];
    const config = loadConfig({ PAYSAGA_STATE_DIR: dir, TEMPORAL_CODEC_KEYS: JSON.stringify(keys) });
    assert.deepEqual(
      codecKeys(config)!.map((k) => [k.id, k.key.toString('base64')]),
      keys.map((k) => [k.id, k.key]),
    );
  });

  it('refuses bad keys with the setting named', () => {
    assert.throws(
      () => loadConfig({ TEMPORAL_CODEC_KEYS: JSON.stringify([{ id: 'a', key: 'c2hvcnQ=' }]) }),
      /TEMPORAL_CODEC_KEYS: 0\.key: each key must be 32 bytes in base64/,
    );
    const k = newCodecKey('a');
    assert.throws(() => loadConfig({ TEMPORAL_CODEC_KEYS: JSON.stringify([k, k]) }), /key ids must be distinct/);
    assert.throws(
      () => loadConfig({ TEMPORAL_CODEC_KEYS: JSON.stringify([k]), TEMPORAL_CODEC_KEYS_FILE: '/x' }),
      /TEMPORAL_CODEC_KEYS_FILE: must not be set with TEMPORAL_CODEC_KEYS/,
    );
  });

  it('without keys or a file, refuses to run rather than write plain payloads; TEMPORAL_CODEC=off runs plain', () => {
    const config = loadConfig({ PAYSAGA_STATE_DIR: dir });
    assert.throws(() => codecKeys(config), /no payload keys: .*codec-keys\.json does not exist.*TEMPORAL_CODEC=off/);
    assert.equal(codecKeys(loadConfig({ PAYSAGA_STATE_DIR: dir, TEMPORAL_CODEC: 'off' })), undefined);
  });

  it('reads a keys file, and says what is wrong with a bad one', () => {
    const file = path.join(dir, 'keys.json');
    const config = loadConfig({ TEMPORAL_CODEC_KEYS_FILE: file });
    fs.writeFileSync(file, '{not json');
    assert.throws(() => codecKeys(config), /keys\.json: not valid JSON/);
    fs.writeFileSync(file, JSON.stringify([{ id: 'a', key: 'short' }]));
    assert.throws(() => codecKeys(config), /keys\.json: .*32 bytes in base64/);
    fs.writeFileSync(file, JSON.stringify([newCodecKey('a')]));
    assert.equal(codecKeys(config)![0]!.id, 'a');
  });

  it('a rotation puts a new key first in the keys file and keeps the others, mode 600', async () => {
    const config = loadConfig({ PAYSAGA_STATE_DIR: dir });
    ensureStackCodecKeys(config);
    const [before] = codecKeys(config)!;
    const sealed = await new EncryptionCodec([before!]).encode([defaultPayloadConverter.toPayload(payment)]);
    assert.equal(rotateCodecKeysFile(config.temporal.codec.keysFile, 'next'), 'next');
    const after = codecKeys(config)!;
    assert.deepEqual(
      after.map((k) => k.id),
      ['next', before!.id],
    );
    assert.equal(fs.statSync(config.temporal.codec.keysFile).mode & 0o777, 0o600);
    const codec = new EncryptionCodec(after);
    assert.deepEqual(defaultPayloadConverter.fromPayload((await codec.decode(sealed))[0]!), payment);
    assert.equal(codec.keyId, 'next');
    assert.throws(() => rotateCodecKeysFile(config.temporal.codec.keysFile, 'next'), /already has a key "next"/);
    assert.deepEqual(fs.readdirSync(dir), ['codec-keys.json'], 'no temporary file left');
  });

  it('a staged rotation opens with the new key first and seals with it only once promoted', async () => {
    const config = loadConfig({ PAYSAGA_STATE_DIR: dir });
    ensureStackCodecKeys(config);
    const [before] = codecKeys(config)!;
    assert.equal(rotateCodecKeysFile(config.temporal.codec.keysFile, 'next', { stage: true }), 'next');
    const staged = codecKeys(config)!;
    assert.deepEqual(
      staged.map((k) => k.id),
      [before!.id, 'next'],
    );
    // An instance restarted with the staged list still seals with the old key, which every other instance opens.
    const stagedCodec = new EncryptionCodec(staged);
    assert.equal(stagedCodec.keyId, before!.id);
    const [sealed] = await stagedCodec.encode([defaultPayloadConverter.toPayload(payment)]);
    assert.deepEqual(defaultPayloadConverter.fromPayload((await new EncryptionCodec([before!]).decode([sealed!]))[0]!), payment);
    promoteCodecKey(config.temporal.codec.keysFile, 'next');
    assert.deepEqual(
      codecKeys(config)!.map((k) => k.id),
      ['next', before!.id],
    );
    assert.equal(fs.statSync(config.temporal.codec.keysFile).mode & 0o777, 0o600);
    assert.throws(() => promoteCodecKey(config.temporal.codec.keysFile, 'nope'), /has no key "nope"/);
  });

  it('a keys file that is not JSON is refused without quoting it (it holds keys)', () => {
    const config = loadConfig({ PAYSAGA_STATE_DIR: dir });
    const secret = newCodecKey('k').key;
    fs.writeFileSync(config.temporal.codec.keysFile, `[{"id":"k","key":"${secret}"},]`, { mode: 0o600 });
    for (const call of [() => rotateCodecKeysFile(config.temporal.codec.keysFile, 'next'), () => codecKeys(config)]) {
      assert.throws(call, (err: Error) => /not valid JSON/.test(err.message) && !err.message.includes(secret.slice(0, 8)));
    }
  });

  it('the stack writes its keys file once, mode 600, and never over keys that exist', () => {
    const config = loadConfig({ PAYSAGA_STATE_DIR: dir });
    const file = ensureStackCodecKeys(config);
    assert.equal(file, path.join(dir, 'codec-keys.json'));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const first = fs.readFileSync(file, 'utf8');
    assert.equal(ensureStackCodecKeys(config), undefined);
    assert.equal(fs.readFileSync(file, 'utf8'), first);
    assert.equal(codecKeys(config)!.length, 1);
    // Keys given another way: the stack writes nothing.
    const elsewhere = fs.mkdtempSync(path.join(dir, 'x-'));
    const given = loadConfig({ PAYSAGA_STATE_DIR: elsewhere, TEMPORAL_CODEC_KEYS: JSON.stringify([newCodecKey('a')]) });
    assert.equal(ensureStackCodecKeys(given), undefined);
    assert.ok(!fs.existsSync(path.join(elsewhere, 'codec-keys.json')));
  });
});
