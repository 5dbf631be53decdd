/** `npm run stack -- up|down|status|logs [engine] [-f]`: the local engines on loopback. */
import { spawn } from 'node:child_process';
import { loadConfig } from '../config';
import { ENGINES, stackDown, stackLogs, stackStatus, stackUp } from '../tools/stack';
import { statePaths } from '../tools/stack/engine';
import { UsageError, type Command } from './command';

const USAGE = `npm run stack -- <command>
  up                 provision what is missing, start every engine, wait until healthy (idempotent)
  down               stop every engine the stack started
  status             each engine's state, pid and resident memory
  logs [engine] [-f] the last lines of each engine's log (${ENGINES.map((e) => e.name).join(', ')}); -f follows`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
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
        console.log(`${s.name.padEnd(10)} ${s.state}${extra}`);
      }
      return statuses.every((s) => s.state === 'running' || s.state === 'external') ? 0 : 3;
    }
    case 'logs': {
      const follow = rest.includes('-f');
      const name = rest.find((a) => a !== '-f');
      if (name && !ENGINES.some((e) => e.name === name)) throw new UsageError(`unknown engine "${name}"`);
      if (!follow) {
        console.log(stackLogs(config, name));
        return 0;
      }
      const files = ENGINES.filter((e) => !name || e.name === name).map((e) => statePaths(config, e.name).logFile);
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
