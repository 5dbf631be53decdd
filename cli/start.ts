/**
 * `npm start [-- --roles api,worker] [-- --demo] [-- --cluster]`: the whole system on this machine. Brings up the
 * local engines (every one the configuration does not point elsewhere), sets up schema, topics and search
 * attributes, runs the roles (default: all), prints the URLs; Ctrl-C stops everything it started. --demo then
 * sends demo traffic (tools/demo/) with short saga deadlines. --cluster runs the cluster topology of the stack
 * (three brokers, a Temporal server) and every role twice, each instance its own supervised process.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_SETTINGS, type Config } from '../config';
import { logger } from '../observability/logger';
import { ROLE_NAMES } from '../roles';
import { stopRequested, untilStopped } from '../roles/lifecycle';
import { formatSummary, runDemo } from '../tools/demo';
import { stackDown, stackUp } from '../tools/stack';
import { parseOrUsage, type Command } from './command';
import { rolesOrUsage } from './run';
import { describeStop, runRoles } from './run-roles';
import { runSupervisedRoles } from './run-supervised';
import { loadSettings } from './settings';
import { setup } from './setup';

/**
 * For `npm start` on a laptop without API_TOKENS: a client and an operator token, made once and kept in the
 * state folder (mode 600). Printed as a path, never as the tokens themselves.
 */
function localApiTokens(config: Config): { config: Config; file: string } {
  const file = path.join(config.stateDir, 'api-tokens.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.stateDir, { recursive: true });
    const token = () => randomBytes(24).toString('base64url');
    const tokens = [
      { token: token(), subject: 'local-client', roles: ['client'] },
      { token: token(), subject: 'local-operator', roles: ['operator'] },
    ];
    fs.writeFileSync(file, JSON.stringify(tokens, null, 2) + '\n', { mode: 0o600 });
  }
  const tokens = JSON.parse(fs.readFileSync(file, 'utf8')) as NonNullable<Config['api']['tokens']>;
  return { config: { ...config, api: { ...config.api, tokens } }, file };
}

export const command: Command = {
  name: 'start',
  summary: 'the whole system on this machine: local engines, setup, every role (or --roles), Ctrl-C stops it',
  usage: 'npm start [-- --roles api,worker] [-- --demo] [-- --cluster]',
  async run(argv) {
    const { values } = parseOrUsage(() =>
      parseArgs({
        args: argv,
        options: {
          roles: { type: 'string' },
          demo: { type: 'boolean', default: false },
          cluster: { type: 'boolean', default: false },
        },
      }),
    );
    const t0 = Date.now();
    const roles = values.roles ? rolesOrUsage(values.roles) : ROLE_NAMES;
    const env = values.cluster ? { ...process.env, STACK_TOPOLOGY: 'cluster' } : process.env;
    const defaults = values.demo ? DEMO_SETTINGS : {};
    let config = loadSettings(defaults, env);
    let exitCode = 0;
    const { engines } = await stackUp(config);
    const ours = engines.filter((e) => e.state === 'started').map((e) => e.name);
    try {
      await setup(config);
      let tokensFile: string | undefined;
      if (roles.includes('api') && !config.api.tokens) ({ config, file: tokensFile } = localApiTokens(config));
      logger.info({ roles }, `paysaga: starting ${roles.join(', ')}`);
      const stopped = untilStopped();
      // In the cluster topology every role runs twice, each instance a process of its own with the same settings
      // (the tokens made above included); otherwise all in this process.
      const { stop, metricsUrl, apiPorts } = values.cluster
        ? await runSupervisedRoles(config, roles, {
            ...defaults,
            ...env,
            ...(config.api.tokens ? { API_TOKENS: JSON.stringify(config.api.tokens) } : {}),
          })
        : { ...(await runRoles(config, roles)), apiPorts: [config.api.port] };
      // Ctrl-C while the roles were starting or getting ready: straight to stopping, no banner, no demo.
      if (!stopRequested() && metricsUrl) {
        // The banner is for the person at the terminal; everything else is a log line.
        console.log(`paysaga: ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        console.log(`  Temporal Web UI    ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows`);
        if (roles.includes('api')) {
          for (const port of apiPorts) console.log(`  API                http://127.0.0.1:${port} (OpenAPI /openapi.json)`);
          console.log(`  Operator console   http://127.0.0.1:${config.api.port}/console (sign in with the operator token)`);
        }
        if (tokensFile) console.log(`  API tokens         ${tokensFile} (a client and an operator bearer token)`);
        const { codec } = config.temporal;
        if (codec.enabled)
          console.log(
            `  Payload codec      AES-256-GCM, keys ${codec.keys ? 'from TEMPORAL_CODEC_KEYS' : codec.keysFile}; the Web UI decodes for an operator signed in to the console`,
          );
        console.log(`  Metrics            ${metricsUrl} (health: /health/ready)`);
        if (values.demo) {
          // Ctrl-C during the demo ends it early; the system then stops as usual.
          const abort = new AbortController();
          void stopped.then(() => abort.abort());
          const summary = await runDemo({ config, signal: abort.signal }).catch((err: Error) => {
            console.error(`paysaga: demo failed: ${err.message}`);
            return undefined;
          });
          if (summary) console.log(formatSummary(summary));
          console.log(`paysaga: demo ${summary?.ok ? 'completed: every scenario met' : 'completed with unmet scenarios'}`);
        }
        console.log('paysaga: press Ctrl-C to stop');
      }
      const reason = await stopped;
      console.log(`paysaga: ${describeStop(reason)}, stopping`);
      const hung = await stop();
      if (hung.length > 0) {
        console.error(`paysaga: ${hung.join(', ')} did not stop in time (see the log); exiting non-zero`);
        exitCode = 1;
      }
      if (reason.kind === 'fatal') exitCode = 1;
    } finally {
      await stackDown(config, ours);
    }
    console.log('paysaga: stopped');
    return exitCode;
  },
};
