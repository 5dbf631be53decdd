/**
 * Every command of paysaga (`npm start`, `npm run <name>`), by name. A command's module is loaded only when
 * it runs (`npm run stack -- status` loads no role), or for `help`, which lists them all.
 */
import { ConfigError } from '../config';
import { StackError } from '../tools/stack/proc';
import { CommandError, UsageError, type Command } from './command';

type Load = () => Promise<{ command: Command }>;

// Relative specifiers with .js: dynamic import() resolves as ECMAScript modules do (tsx maps .js to .ts).
const COMMANDS: Record<string, Load> = {
  start: () => import('./start.js'),
  run: () => import('./run.js'),
  setup: () => import('./setup.js'),
  reconcile: () => import('./reconcile.js'),
  dlt: () => import('./dlt.js'),
  'rebuild-read-model': () => import('./rebuild-read-model.js'),
  codec: () => import('./codec.js'),
  stack: () => import('./stack.js'),
  demo: () => import('./demo.js'),
  'legacy-feed': () => import('./legacy-feed.js'),
  bench: () => import('./bench.js'),
  chaos: () => import('./chaos.js'),
  soak: () => import('./soak.js'),
  'deploy-drill': () => import('./deploy-drill.js'),
  'docs:config': () => import('./docs-config.js'),
  'contracts:schemas': () => import('./contracts-schemas.js'),
  'api:client': () => import('./api-client.js'),
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

/** Every command with its summary and how to call it: what `help` prints. */
export async function listCommands(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).command));
  const width = Math.max(...commands.map((c) => c.name.length));
  return commands
    .map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n  ${' '.repeat(width)}  ${c.usage.split('\n')[0]}`)
    .join('\n');
}

/** Runs the command argv names (default: start) and resolves to the process's exit code. */
export async function dispatch(argv: string[]): Promise<number> {
  // `main.ts --demo` has always meant `main.ts start --demo`.
  const [name = 'start', ...rest] = argv[0]?.startsWith('-') ? ['start', ...argv] : argv;
  if (name === 'help' || name === '--help') {
    console.log(
      `usage: npx tsx main.ts <command> [arguments] (or npm start / npm run <command>)\ncommands:\n${await listCommands()}`,
    );
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`unknown command "${name}"; the commands are:\n${await listCommands()}`);
    return 2;
  }
  const { command } = await load();
  // `npm run <command> -- --help` asks rather than runs (a command that takes positional text never sees it).
  if (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')) {
    console.log(`${command.name}: ${command.summary}\nusage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.message) console.error(`${command.name}: ${err.message}`);
      console.error(`usage: ${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof StackError || err instanceof CommandError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}
