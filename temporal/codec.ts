/**
 * The payload codec: every payload paysaga hands Temporal (workflow inputs, signals, activity and local-activity
 * results, queries' answers, the Web UI's summary and details, failures' messages) is encrypted here with
 * AES-256-GCM before it leaves the process, so Temporal's histories, its database and its visibility store hold
 * ciphertext. The payload's metadata names the key, so a rotation adds a key and keeps the old ones: every
 * history written under an old key still decodes. Plain payloads (histories recorded before the codec, or with
 * TEMPORAL_CODEC=off) pass through decode unchanged. The api serves the same codec to Temporal's Web UI and CLI
 * (api/codec.ts). What the codec cannot cover (search attributes, ids, Kafka keys) is listed in docs/security.md.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import type { Config } from '../config';
import { codecKeys as codecKeysSchema } from '../config/value-types';

/** The metadata `encoding` of an encrypted payload; its data is IV (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The metadata entry that names the key an encrypted payload was sealed with. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const text = (s: string) => Buffer.from(s, 'utf8');

export interface CodecKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** A payload names a key this codec does not hold: it was sealed under a key that has since been removed. */
export class UnknownCodecKeyError extends Error {
  constructor(readonly keyId: string) {
    super(`payload is encrypted with key "${keyId}", which is not among the configured TEMPORAL_CODEC_KEYS`);
    this.name = 'UnknownCodecKeyError';
  }
}

/** A payload whose ciphertext, tag or key id was altered, or that was sealed with another key of the same id. */
export class TamperedPayloadError extends Error {
  constructor(readonly keyId: string) {
    super(`an encrypted payload (key "${keyId}") failed authentication: altered, or sealed with another key of that id`);
    this.name = 'TamperedPayloadError';
  }
}

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: CodecKey;

  /** `keys[0]` encrypts; every key decrypts. */
  constructor(keys: CodecKey[]) {
    if (keys.length === 0) throw new Error('the payload codec needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new Error(`codec key "${k.id}" must be 32 bytes`);
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The id new payloads are sealed with. */
  get keyId(): string {
    return this.current.id;
  }

  // async: a refusal is a rejected promise, as the SDK expects of a codec, never a throw from the call itself.
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      // The key id is authenticated with the data: a payload relabelled with another id does not decode.
      cipher.setAAD(text(this.current.id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text(this.current.id) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || Buffer.from(encoding).toString('utf8') !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID_METADATA];
      const keyId = idBytes ? Buffer.from(idBytes).toString('utf8') : '';
      const key = this.byId.get(keyId);
      if (!key) throw new UnknownCodecKeyError(keyId);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new TamperedPayloadError(keyId);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(text(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new TamperedPayloadError(keyId);
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The api's codec endpoint on this machine, which the local stack's Web UI is started with (api/codec.ts). */
export const localCodecEndpoint = (config: Config) => `http://127.0.0.1:${config.api.port}/codec`;

/** A fresh key entry, as TEMPORAL_CODEC_KEYS and the keys file hold it. */
export const newCodecKey = (id: string) => ({ id, key: randomBytes(32).toString('base64') });

/**
 * The configured keys: TEMPORAL_CODEC_KEYS, else the keys file. Undefined when the codec is off. A missing or
 * invalid file is an error that says what to set: a role must not quietly write plain payloads.
 */
export function codecKeys(config: Config): CodecKey[] | undefined {
  const { enabled, keys, keysFile, stackKeysFile } = config.temporal.codec;
  if (!enabled) return undefined;
  const toKeys = (list: { id: string; key: string }[]) => list.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') }));
  if (keys) return toKeys(keys);
  let content: string;
  try {
    content = fs.readFileSync(keysFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new Error(
      `no payload keys: ${keysFile} does not exist. Set TEMPORAL_CODEC_KEYS or TEMPORAL_CODEC_KEYS_FILE` +
        (stackKeysFile ? ' (the stack writes this file when it runs Temporal: `npm run stack -- up`)' : '') +
        ', or TEMPORAL_CODEC=off to store payloads in plain text',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw new Error(`${keysFile}: not valid JSON`);
  }
  const checked = codecKeysSchema.safeParse(parsed);
  if (!checked.success) throw new Error(`${keysFile}: ${z.prettifyError(checked.error).replace(/\n/g, '; ')}`);
  return toKeys(checked.data);
}

/** The codec every client and worker of paysaga uses, or undefined when TEMPORAL_CODEC=off. */
export function payloadCodec(config: Config): EncryptionCodec | undefined {
  const keys = codecKeys(config);
  return keys ? new EncryptionCodec(keys) : undefined;
}

/** The failure converter's module (temporal/failure-converter.ts): the SDK loads it by path, in the sandbox too. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter of every Temporal client and worker: the codec, and failures whose message and stack go
 * through it too.
 */
export function temporalDataConverter(config: Config): DataConverter {
  const codec = payloadCodec(config);
  return { failureConverterPath: FAILURE_CONVERTER_PATH, ...(codec ? { payloadCodecs: [codec] } : {}) };
}

/**
 * Writes the stack's keys file with one new key, once (mode 600), when the configuration uses it: what the stack
 * does when it runs Temporal itself, as it makes the api tokens for `npm start`.
 */
export function ensureStackCodecKeys(config: Config): string | undefined {
  const { enabled, stackKeysFile, keysFile } = config.temporal.codec;
  if (!enabled || !stackKeysFile || fs.existsSync(keysFile)) return undefined;
  const id = `local-${new Date().toISOString().slice(0, 10)}`;
  fs.mkdirSync(path.dirname(keysFile), { recursive: true });
  try {
    fs.writeFileSync(keysFile, JSON.stringify([newCodecKey(id)], null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process of the same stack wrote it first: theirs is the key.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return undefined;
  }
  return keysFile;
}

/**
 * A rotation of a keys file: a new key first (it seals from the next start of each process on), every older one
 * kept (they open what they sealed). Staged (`stage`), the new key goes second instead: every process restarted
 * with it opens what it will seal, and none seals with it yet, which is the first step when processes restart one
 * at a time (promoteCodecKey is the second). Written whole to a temporary file and renamed over the old one (mode
 * 600), so a process that reads the file meanwhile sees the old list or the new, never half of one. Returns the
 * new key's id.
 */
export function rotateCodecKeysFile(
  file: string,
  id = `key-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  opts: { stage?: boolean } = {},
): string {
  const current = readKeysFile(file);
  if (current.some((k) => k.id === id)) throw new Error(`${file} already has a key "${id}"`);
  const fresh = newCodecKey(id);
  writeKeysFile(file, opts.stage ? [current[0]!, fresh, ...current.slice(1)] : [fresh, ...current]);
  return id;
}

/**
 * The second step of a rotation across several machines: the staged key `id` (every process can already open what
 * it seals) moves first, so each process seals with it from its next start.
 */
export function promoteCodecKey(file: string, id: string): void {
  const current = readKeysFile(file);
  const key = current.find((k) => k.id === id);
  if (!key) throw new Error(`${file} has no key "${id}" (it has ${current.map((k) => `"${k.id}"`).join(', ')})`);
  writeKeysFile(file, [key, ...current.filter((k) => k !== key)]);
}

/** The keys file's entries, validated; a parse error never quotes the file (it holds keys). */
function readKeysFile(file: string): { id: string; key: string }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new Error(`${file}: not valid JSON`);
    throw err;
  }
  const current = codecKeysSchema.safeParse(parsed);
  if (!current.success) throw new Error(`${file}: ${z.prettifyError(current.error).replace(/\n/g, '; ')}`);
  return current.data;
}

/** Written whole to a temporary file and renamed over the old one (mode 600). */
function writeKeysFile(file: string, keys: { id: string; key: string }[]): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(temporary, file);
}
