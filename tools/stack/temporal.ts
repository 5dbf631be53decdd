/** Temporal dev server (the official `temporal` CLI, with its Web UI), persisted in SQLite under the state folder. */
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Config } from '../../config';
import { localCodecEndpoint } from '../../temporal/codec';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { cachePath, statePaths, type Engine } from './engine';
import { runLogged, StackError, which, portOpen } from './proc';
import { VERSIONS } from './versions';

/** The CLI's spelling of a search attribute type: KEYWORD → Keyword, KEYWORD_LIST → KeywordList. */
const cliType = (type: string) =>
  type
    .toLowerCase()
    .split('_')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/**
 * The Temporal server's settings of the local stack (dev server and cluster alike, and docker-compose.yml):
 * - the history service reads new tasks of each queue at most `MaxPollRPS` times a second (default 20): each
 *   workflow or activity task then waits up to 50 ms before it reaches matching, ~450 ms for a workflow of four
 *   activities. Read at once instead (measured: four no-op activities p50 450 ms → 75 ms);
 * - eager activity execution (default off): a workflow task that schedules an activity gets the activity's task back
 *   in its completion's answer when its worker has a free slot, instead of the activity going through matching and a
 *   poll (the saga's gateway call; docs/performance.md). Durability is the same: the activity is recorded as
 *   scheduled and started in history either way, and times out and retries as any other.
 */
export const DYNAMIC_CONFIG: Record<string, number | boolean> = {
  'history.transferProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxPollRPS': 1000,
  'history.visibilityProcessorMaxPollRPS': 1000,
  'system.enableActivityEagerExecution': true,
};

const pinnedBinary = (config: Config) => cachePath(config, `temporal-cli-${VERSIONS.temporalCli}`, 'temporal');

/** The pinned build if it is cached, else a `temporal` already on PATH. */
export function temporalBinary(config: Config): string | undefined {
  const pinned = pinnedBinary(config);
  return fs.existsSync(pinned) ? pinned : which('temporal');
}

export const temporalEngine: Engine = {
  name: 'temporal',
  stopSignal: 'SIGTERM',
  startTimeoutMs: 90_000,
  managed: (c) => c.temporal.local,
  ports: (c) => [
    { port: c.stack.temporalPort, setting: 'STACK_TEMPORAL_PORT' },
    { port: c.stack.temporalUiPort, setting: 'STACK_TEMPORAL_UI_PORT' },
  ],

  async provision(config) {
    if (temporalBinary(config)) return;
    if (!which('go')) {
      throw new StackError(
        'temporal: no `temporal` CLI on PATH and no Go toolchain to build it. Install Go 1.25 or newer ' +
          '(https://go.dev/dl) or put the temporal CLI on PATH, then run this again.',
      );
    }
    const target = path.dirname(pinnedBinary(config));
    fs.mkdirSync(target, { recursive: true });
    console.log(`  temporal: building temporal CLI ${VERSIONS.temporalCli} from its Go module (minutes on 2 cores, once)`);
    let packages = 0;
    // -s -w: no symbol table or DWARF, so the link (the build's one serial step) writes far less; nothing
    // here debugs the CLI.
    const args = ['install', '-v', '-ldflags=-s -w', `github.com/temporalio/cli/cmd/temporal@${VERSIONS.temporalCli}`];
    await runLogged('temporal build', 'go', args, {
      logFile: path.join(config.cacheDir, 'logs', 'temporal-build.log'),
      env: { ...process.env, GOBIN: target, CGO_ENABLED: '0' },
      onLine: (line) => (/^[\w.-]+\.[a-z]+\//.test(line) || /^[a-z]/.test(line) ? `${++packages} packages compiled` : undefined),
    });
    console.log(`  temporal: built ${pinnedBinary(config)}`);
  },

  async prepare(config) {
    fs.mkdirSync(statePaths(config, 'temporal').dataDir, { recursive: true });
  },

  command(config) {
    const binary = temporalBinary(config);
    if (!binary) throw new StackError('temporal: not provisioned');
    const args = [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(config.stack.temporalPort),
      '--ui-port',
      String(config.stack.temporalUiPort),
      '--db-filename',
      path.join(statePaths(config, 'temporal').dataDir, 'temporal.db'),
      '--namespace',
      config.temporal.namespace,
      '--sqlite-pragma',
      'journal_mode=WAL',
      '--sqlite-pragma',
      'synchronous=NORMAL',
      '--log-level',
      'warn',
    ];
    // The Web UI decodes payloads through the api's codec endpoint (api/codec.ts) for a signed-in operator.
    if (config.temporal.codec.enabled) args.push('--ui-codec-endpoint', localCodecEndpoint(config));
    for (const [key, value] of Object.entries(DYNAMIC_CONFIG)) args.push('--dynamic-config-value', `${key}=${value}`);
    for (const key of SEARCH_ATTRIBUTE_KEYS) args.push('--search-attribute', `${key.name}=${cliType(key.type)}`);
    return { command: binary, args };
  },

  async healthy(config) {
    if (!(await portOpen(config.stack.temporalUiPort))) return false;
    const connection = await Connection.connect({
      address: `127.0.0.1:${config.stack.temporalPort}`,
      connectTimeout: 2_000,
    });
    try {
      const health = await connection.healthService.check({});
      if (health.status !== 1 /* SERVING */) return false;
      const attrs = await connection.operatorService.listSearchAttributes({ namespace: config.temporal.namespace });
      return SEARCH_ATTRIBUTE_KEYS.every((key) => key.name in (attrs.customAttributes ?? {}));
    } finally {
      await connection.close();
    }
  },

  urls: (config) => ({
    'Temporal frontend': `127.0.0.1:${config.stack.temporalPort}`,
    'Temporal Web UI': `http://127.0.0.1:${config.stack.temporalUiPort}/namespaces/${config.temporal.namespace}/workflows`,
  }),
};
