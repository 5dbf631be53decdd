/**
 * The cluster topology's Temporal: the `temporal-server` of go.temporal.io/server (the release the pinned CLI
 * embeds), its frontend, history, matching and worker services each as its own process, on the stack's
 * PostgreSQL (databases `temporal` and `temporal_visibility`, schema set up by Temporal's own `temporal-sql-tool`
 * from the schemas built into it), and the Temporal Web UI (github.com/temporalio/ui-server) pointed at the
 * frontend. Built from their Go modules into the cache, as the CLI is.
 *
 * Ports, from STACK_TEMPORAL_PORT (T, 7233) as Temporal's own development config lays them out: gRPC T (frontend),
 * T+1 (history), T+2 (matching), T+6 (worker); membership T-300 and up; the frontend's HTTP API T+10; each
 * service's Prometheus metrics T+2000 and up. The Web UI is on STACK_TEMPORAL_UI_PORT.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import pg from 'pg';
import type { Config } from '../../config';
import { localCodecEndpoint } from '../../temporal/codec';
import { registerSearchAttributes } from '../../temporal/search-attributes';
import { cachePath, statePaths, type Engine } from './engine';
import { portOpen, runLogged, sleep, StackError, which } from './proc';
import { DYNAMIC_CONFIG } from './temporal';
import { VERSIONS } from './versions';

const run = promisify(execFile);

export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
type Service = (typeof TEMPORAL_SERVICES)[number];

const OFFSET: Record<Service, number> = { frontend: 0, history: 1, matching: 2, worker: 6 };
const HISTORY_SHARDS = 4; // fixed for the life of the database: enough for one machine, cheap to scan
const NAMESPACE_RETENTION_MS = 3 * 86_400_000; // closed sagas stay inspectable for three days

export const temporalServicePorts = (config: Config, service: Service) => {
  const base = config.stack.temporalPort + OFFSET[service];
  return {
    grpc: base,
    membership: base - 300,
    metrics: base + 2000,
    ...(service === 'frontend' ? { http: base + 10 } : {}),
  };
};

const serverDir = (config: Config) => cachePath(config, `temporal-server-${VERSIONS.temporalServer}`);
const uiDir = (config: Config) => cachePath(config, `temporal-ui-server-${VERSIONS.temporalUi}`);
const serverBinary = (config: Config) => path.join(serverDir(config), 'server');
const sqlToolBinary = (config: Config) => path.join(serverDir(config), 'sql');
const uiBinary = (config: Config) => path.join(uiDir(config), 'server');

/** `go install pkg@version` into `dir`, once per process even when several engines ask for it side by side. */
const builds = new Map<string, Promise<void>>();
function goInstall(config: Config, label: string, dir: string, packages: string[]): Promise<void> {
  const key = `${dir} ${packages.join(' ')}`;
  let build = builds.get(key);
  if (!build) {
    build = (async () => {
      if (!which('go')) {
        throw new StackError(
          `${label}: no Go toolchain to build it. Install Go 1.25 or newer (https://go.dev/dl), then run this again.`,
        );
      }
      fs.mkdirSync(dir, { recursive: true });
      console.log(`  ${label}: building from its Go module (minutes on 2 cores, once; shares the CLI's build cache)`);
      let compiled = 0;
      await runLogged(label, 'go', ['install', '-v', '-ldflags=-s -w', ...packages], {
        logFile: path.join(config.cacheDir, 'logs', `${label.replace(/\W+/g, '-')}-build.log`),
        env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' },
        onLine: (line) =>
          /^[\w.-]+\.[a-z]+\//.test(line) || /^[a-z]/.test(line) ? `${++compiled} packages compiled` : undefined,
      });
      console.log(`  ${label}: built into ${dir}`);
    })();
    builds.set(key, build);
  }
  return build;
}

const provisionServer = (config: Config) =>
  fs.existsSync(serverBinary(config)) && fs.existsSync(sqlToolBinary(config))
    ? Promise.resolve()
    : goInstall(config, 'temporal-server', serverDir(config), [
        `go.temporal.io/server/cmd/server@${VERSIONS.temporalServer}`,
        `go.temporal.io/server/cmd/tools/sql@${VERSIONS.temporalServer}`,
      ]);

/** Where Temporal keeps its databases: the stack's PostgreSQL, or the server DATABASE_URL names. */
function postgresTarget(config: Config) {
  const url = new URL(config.database.url);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

const DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;

/**
 * Creates Temporal's two databases if missing and brings their schemas to the server's version with
 * temporal-sql-tool (setup-schema, then update-schema from the schemas compiled into the tool): what Temporal's
 * own auto-setup does, and idempotent.
 */
async function setupSchema(config: Config, logFile: string): Promise<void> {
  const target = postgresTarget(config);
  const admin = new pg.Client({ ...target, database: 'postgres', connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    for (const db of Object.values(DATABASES)) {
      const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [db]);
      if (rowCount === 0) await admin.query(`create database ${db}`);
    }
  } finally {
    await admin.end();
  }
  const env = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: target.host,
    SQL_PORT: String(target.port),
    SQL_USER: target.user,
    SQL_PASSWORD: target.password, // in the environment, not on a command line other users can read
  };
  const schemas = { [DATABASES.default]: 'postgresql/v12/temporal', [DATABASES.visibility]: 'postgresql/v12/visibility' };
  for (const [db, schemaName] of Object.entries(schemas)) {
    for (const args of [
      ['setup-schema', '-v', '0.0'],
      ['update-schema', '--schema-name', schemaName],
    ]) {
      const { stdout, stderr } = await run(sqlToolBinary(config), ['--database', db, ...args], { env }).catch((err) => {
        throw new StackError(`temporal-sql-tool ${args[0]} on ${db} failed: ${(err as { stderr?: string }).stderr ?? err}`);
      });
      fs.appendFileSync(logFile, stdout + stderr);
    }
  }
}

/** The server's configuration for one service's process (YAML is a superset of JSON). */
function serverConfig(config: Config, service: Service, dynamicConfigFile: string) {
  const target = postgresTarget(config);
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${target.host}:${target.port}`,
      connectProtocol: 'tcp',
      user: target.user,
      password: target.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const frontend = temporalServicePorts(config, 'frontend');
  return {
    log: { stdout: true, level: 'warn', format: 'json' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: { default: store(DATABASES.default, 10), visibility: store(DATABASES.visibility, 4) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: {
        prometheus: {
          framework: 'tally',
          timerType: 'histogram',
          listenAddress: `127.0.0.1:${temporalServicePorts(config, service).metrics}`,
        },
      },
    },
    services: Object.fromEntries(
      TEMPORAL_SERVICES.map((s) => {
        const ports = temporalServicePorts(config, s);
        return [
          s,
          {
            rpc: {
              grpcPort: ports.grpc,
              membershipPort: ports.membership,
              bindOnLocalHost: true,
              ...(ports.http ? { httpPort: ports.http } : {}),
            },
          },
        ];
      }),
    ),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${frontend.grpc}`,
          httpAddress: `127.0.0.1:${frontend.http}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

/** Dynamic config in the server's file format: each key a list of constrained values (here, one unconstrained). */
const dynamicConfigYaml = () =>
  JSON.stringify(Object.fromEntries(Object.entries(DYNAMIC_CONFIG).map(([key, value]) => [key, [{ value }]])), null, 2);

/** The frontend answers and the namespace is in its cache (a namespace is seen by every service within ~10 s). */
async function namespaceServed(config: Config, connection: Connection): Promise<boolean> {
  try {
    await connection.workflowService.listWorkflowExecutions({ namespace: config.temporal.namespace, pageSize: 1 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Registers paysaga's namespace if the cluster has none by that name, and its search attributes if it lacks them
 * (the dev server does both from its flags), so the cluster is ready for sagas as the dev server is.
 */
async function ensureNamespace(config: Config): Promise<void> {
  const connection = await Connection.connect({ address: config.temporal.address, connectTimeout: 5_000 });
  try {
    const namespace = config.temporal.namespace;
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(NAMESPACE_RETENTION_MS),
      });
    }
    const deadline = Date.now() + 60_000;
    while (!(await namespaceServed(config, connection))) {
      if (Date.now() > deadline) throw new StackError(`temporal-frontend: namespace ${namespace} not served after 60s`);
      await sleep(500);
    }
    await registerSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
}

function serviceEngine(service: Service): Engine {
  const name = `temporal-${service}`;
  return {
    name,
    stopSignal: 'SIGTERM',
    startTimeoutMs: 120_000,
    // The services join one another through the database: the schema first (history's prepare), then the rest.
    after: service === 'history' ? ['postgres'] : ['postgres', 'temporal-history'],
    managed: (c) => c.temporal.local,
    ports: (c) => Object.entries(temporalServicePorts(c, service)).map(([, port]) => ({ port, setting: 'STACK_TEMPORAL_PORT' })),

    provision: provisionServer,

    async prepare(config) {
      const { dataDir, logFile } = statePaths(config, name);
      const configDir = path.join(dataDir, 'config');
      fs.mkdirSync(configDir, { recursive: true });
      const dynamicConfigFile = path.join(dataDir, 'dynamicconfig.yaml');
      fs.writeFileSync(dynamicConfigFile, dynamicConfigYaml() + '\n');
      // It holds the database password: readable by its owner only.
      fs.writeFileSync(
        path.join(configDir, `${service}.yaml`),
        JSON.stringify(serverConfig(config, service, dynamicConfigFile), null, 2),
        {
          mode: 0o600,
        },
      );
      if (service === 'history') {
        fs.mkdirSync(path.dirname(logFile), { recursive: true });
        await setupSchema(config, logFile);
      }
    },

    command(config) {
      const { dataDir } = statePaths(config, name);
      return {
        command: serverBinary(config),
        // No authorizer: loopback only, as the dev server; a cluster in production configures one.
        args: ['--root', dataDir, '--config', 'config', '--env', service, '--allow-no-auth', 'start', '--service', service],
      };
    },

    async healthy(config) {
      // The worker service serves no gRPC: it is up once it has joined the membership ring.
      if (service === 'worker') return portOpen(temporalServicePorts(config, service).membership);
      if (service !== 'frontend') return portOpen(temporalServicePorts(config, service).grpc);
      const connection = await Connection.connect({ address: config.temporal.address, connectTimeout: 2_000 });
      try {
        const health = await connection.healthService.check({});
        return health.status === 1; // SERVING
      } finally {
        await connection.close();
      }
    },

    ...(service === 'frontend'
      ? {
          afterStart: ensureNamespace,
          urls: (config: Config) => ({ 'Temporal frontend': config.temporal.address }),
        }
      : {}),
  };
}

/** The Temporal Web UI server, in front of the cluster's frontend. */
const uiEngine: Engine = {
  name: 'temporal-ui',
  stopSignal: 'SIGTERM',
  startTimeoutMs: 60_000,
  after: ['temporal-frontend'],
  managed: (c) => c.temporal.local,
  ports: (c) => [{ port: c.stack.temporalUiPort, setting: 'STACK_TEMPORAL_UI_PORT' }],

  provision: (config) =>
    fs.existsSync(uiBinary(config))
      ? Promise.resolve()
      : goInstall(config, 'temporal-ui-server', uiDir(config), [
          `github.com/temporalio/ui-server/v2/cmd/server@${VERSIONS.temporalUi}`,
        ]),

  async prepare(config) {
    const configDir = path.join(statePaths(config, 'temporal-ui').dataDir, 'config');
    fs.mkdirSync(configDir, { recursive: true });
    const ui = {
      temporalGrpcAddress: config.temporal.address,
      host: '127.0.0.1',
      port: config.stack.temporalUiPort,
      enableUi: true,
      defaultNamespace: config.temporal.namespace,
      notifyOnNewVersion: false,
      cors: { cookieInsecure: true, allowOrigins: [`http://127.0.0.1:${config.stack.temporalUiPort}`] },
      // The api's codec endpoint (api/codec.ts), called with the operator's console session cookie.
      ...(config.temporal.codec.enabled ? { codec: { endpoint: localCodecEndpoint(config), includeCredentials: true } } : {}),
    };
    fs.writeFileSync(path.join(configDir, 'cluster.yaml'), JSON.stringify(ui, null, 2) + '\n');
  },

  command(config) {
    return {
      command: uiBinary(config),
      args: ['--root', statePaths(config, 'temporal-ui').dataDir, '--config', 'config', '--env', 'cluster', 'start'],
    };
  },

  healthy: (config) => portOpen(config.stack.temporalUiPort),

  urls: (config) => ({ 'Temporal Web UI': `${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows` }),
};

export const temporalClusterEngines: Engine[] = [...TEMPORAL_SERVICES.map(serviceEngine), uiEngine];
