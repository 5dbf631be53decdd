/**
 * Temporal's client settings, resolved the way Temporal's own tools resolve them (@temporalio/envconfig, as the
 * `temporal` CLI and the SDKs do): a profile of a `temporal.toml` (TEMPORAL_CONFIG_FILE, else
 * `~/.config/temporalio/temporal.toml`; profile TEMPORAL_PROFILE, else `default`) with the TEMPORAL_* environment
 * variables over it. So a file that works for the CLI works here. The environment's values were checked by
 * their settings already; the file's are checked here with the same types.
 */
import fs from 'node:fs';
import { loadClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import type { Env } from './index';
import { settings, type Setting } from './settings';

/** The resolved profile, in the shape of the settings that set it (config.temporal.*). */
export interface TemporalProfile {
  address?: string;
  namespace?: string;
  apiKey?: string;
  /** Undefined: no TLS (no TLS setting nor API key, or TLS disabled). */
  tls?: {
    serverName?: string;
    serverCaCertPath?: string;
    serverCaCertData?: string;
    clientCertPath?: string;
    clientCertData?: string;
    clientKeyPath?: string;
    clientKeyData?: string;
  };
  /** gRPC headers: `grpc_meta` of the profile and TEMPORAL_GRPC_META_<NAME> variables. */
  grpcMeta?: Record<string, string>;
}

export interface Problem {
  setting: string;
  message: string;
}

const dataText = (source: ConfigDataSource | undefined) =>
  source && 'data' in source ? Buffer.from(source.data).toString('utf8') : undefined;
const pathOf = (source: ConfigDataSource | undefined) => (source && 'path' in source ? source.path : undefined);

/** The profile `env` selects, with the environment over the file; or the problems that stop the process. */
export function resolveTemporalProfile(env: Env): { profile: TemporalProfile; problems: Problem[] } {
  const file = env.TEMPORAL_CONFIG_FILE;
  if (file !== undefined && !fs.existsSync(file)) {
    // envconfig passes over a missing file; one named on purpose is a mistake worth stopping for.
    return { profile: {}, problems: [{ setting: 'TEMPORAL_CONFIG_FILE', message: `${file} does not exist` }] };
  }
  const defined = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  let loaded;
  try {
    loaded = loadClientConfigProfile({ overrideEnvVars: defined });
  } catch (err) {
    // Only the first line: a TOML parser quotes the offending line after it, and that may hold the API key.
    const message = (err as Error).message.split('\n')[0]!;
    const setting = /^Profile '/.test(message) ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE';
    return { profile: {}, problems: [{ setting, message: `${message} (${file ?? 'the default temporal.toml'})` }] };
  }

  const where = `profile "${env.TEMPORAL_PROFILE ?? 'default'}" of ${file ?? 'temporal.toml'}`;
  const problems: Problem[] = [];
  /** A value from the file (its variable unset) must pass the variable's own type. */
  const checkFromFile = (key: string, setting: Setting, value: string | undefined) => {
    if (value === undefined || env[setting.env] !== undefined) return;
    const parsed = setting.type.safeParse(value);
    if (!parsed.success) problems.push({ setting: `${key} in ${where}`, message: parsed.error.issues[0]!.message });
  };
  checkFromFile('address', settings.temporal.address, loaded.address);
  checkFromFile('namespace', settings.temporal.namespace, loaded.namespace);
  checkFromFile('api_key', settings.temporal.apiKey, loaded.apiKey);

  const tls = loaded.tls;
  // As envconfig's toClientOptions: TLS when the profile has any TLS setting or an API key, unless disabled.
  const tlsOn = tls ? tls.disabled !== true : loaded.apiKey !== undefined;
  if (loaded.apiKey !== undefined && tls?.disabled === true) {
    problems.push({
      setting: env.TEMPORAL_TLS !== undefined ? 'TEMPORAL_TLS' : `tls.disabled in ${where}`,
      message: 'cannot turn TLS off with an API key (TEMPORAL_API_KEY or api_key): an API key is only sent over TLS',
    });
  }
  if (tls && Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
    problems.push({
      setting: tls.clientCert ? 'TEMPORAL_TLS_CLIENT_KEY_PATH' : 'TEMPORAL_TLS_CLIENT_CERT_PATH',
      message:
        'mTLS needs both a client certificate and its key (TEMPORAL_TLS_CLIENT_CERT_PATH or _DATA with TEMPORAL_TLS_CLIENT_KEY_PATH or _DATA, or client_cert_* with client_key_* in the profile)',
    });
  }
  return {
    problems,
    profile: {
      address: loaded.address,
      namespace: loaded.namespace,
      apiKey: loaded.apiKey,
      tls:
        tls && tlsOn
          ? {
              serverName: tls.serverName,
              serverCaCertPath: pathOf(tls.serverCACert),
              serverCaCertData: dataText(tls.serverCACert),
              clientCertPath: pathOf(tls.clientCert),
              clientCertData: dataText(tls.clientCert),
              clientKeyPath: pathOf(tls.clientKey),
              clientKeyData: dataText(tls.clientKey),
            }
          : tlsOn
            ? {}
            : undefined,
      grpcMeta: loaded.grpcMeta,
    },
  };
}
