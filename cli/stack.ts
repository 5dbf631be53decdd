/** `npm run stack -- up|down|status|logs [engine] [-f]`: the local engines on loopback. */
import { spawn } from 'node:child_process';
import { loadConfig } from '../config';
import { stackDown, stackEngines, stackLogs, stackStatus, stackUp } from '../tools/stack';
import { statePaths } from '../tools/stack/engine';
import { UsageError, type Command } from './command';

const USAGE = `npm run stack -- <command> [--cluster]
  up                 provision what is missing, start every engine, wait until healthy (idempotent)
  down               stop every engine the stack started (of either topology)
  status             each engine's state, pid and resident memory
  logs [engine] [-f] the last lines of each engine's log; -f follows
  --cluster          the cluster topology (STACK_TOPOLOGY=cluster): three Kafka brokers, a Temporal server of
                     four services on PostgreSQL and its Web UI, instead of one broker and the dev server`;

async function run(argv: string[]): Promise<number> {
  const cluster = argv.includes('--cluster');
  const [command, ...rest] = argv.filter((a) => a !== '--cluster');
  const config = loadConfig(cluster ? { ...process.env, STACK_TOPOLOGY: 'cluster' } : process.env);
  const engines = stackEngines(config);
  switch (command) {
    case 'up': {
      const t0 = Date.now();
      await stackUp(config);
      console.log(`stack: up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      return 0;
    }
    case 'down':
      await stackDown(config);
      return 0;
    case 'status': {
      const statuses = await stackStatus(config);
      for (const s of statuses) {
        const extra = s.pid !== undefined ? ` (pid ${s.pid}${s.rssMiB !== undefined ? `, ${s.rssMiB} MiB resident` : ''})` : '';
        console.log(`${s.name.padEnd(18)} ${s.state}${extra}`);
      }
      return statuses.every((s) => s.state === 'running' || s.state === 'external') ? 0 : 3;
    }
    case 'logs': {
      const follow = rest.includes('-f');
      const name = rest.find((a) => a !== '-f');
      if (name && !engines.some((e) => e.name === name))
        throw new UsageError(`unknown engine "${name}"; the engines are ${engines.map((e) => e.name).join(', ')}`);
      if (!follow) {
        console.log(stackLogs(config, name));
        return 0;
      }
      const files = engines.filter((e) => !name || e.name === name).map((e) => statePaths(config, e.name).logFile);
      const child = spawn('tail', ['-n', '40', '-F', ...files], { stdio: 'inherit' });
      return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
    }
    default:
      throw new UsageError();
  }
}

export const command: Command = {
  name: 'stack',
  summary: 'the local engines (Temporal, Kafka, PostgreSQL) on loopback: up, down, status, logs',
  usage: USAGE,
  run,
};
