/**
 * `npm run deploy-drill [-- --payments 500] [--review 50] [--unversioned]`: a deploy of a saga change that
 * `patched()` does not guard, with hundreds of sagas waiting, on the local stack (tools/deploy-drill/run.ts).
 * Prints the report; exits 0 when the mode's expectations hold (versioned: every payment decided, no task
 * failed; --unversioned: the waiting sagas' nondeterminism failure was shown), 1 otherwise.
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { configureLogging } from '../observability/logger';
import { parseDeployDrillFlags, USAGE } from '../tools/deploy-drill/options';
import { formatDeployDrill } from '../tools/deploy-drill/report';
import { runDeployDrill } from '../tools/deploy-drill/run';
import { CommandError, parseOrUsage, UsageError, type Command } from './command';

async function run(argv: string[]): Promise<number> {
  const flags = parseOrUsage(() => parseDeployDrillFlags(argv));
  configureLogging({ level: 'warn', format: 'json' });
  // The control's failing workflow tasks are the SDK core's warnings, one per saga and retry: the report counts
  // them and shows the first. Signals are ours: Ctrl-C ends the drill, which stops its workers itself.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    shutdownSignals: [],
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const result = await runDeployDrill({ ...flags, signal: abort.signal });
    console.log(formatDeployDrill(result));
    return result.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export const command: Command = {
  name: 'deploy-drill',
  summary: 'rehearses a deploy of an unpatched saga change with hundreds of sagas waiting (Worker Versioning)',
  usage: USAGE,
  async run(argv) {
    return run(argv).catch((err: unknown) => {
      if (err instanceof UsageError || !(err instanceof Error)) throw err;
      throw new CommandError(err.message);
    });
  },
};
