/**
 * npm run bench [-- options]: the load benchmark (docs/performance.md), run by tools/bench/main.ts. Writes
 * bench.json, bench.md and knee.svg under tools/bench/results/ (or --out).
 */
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { configureLogging } from '../observability/logger';
import { runBench } from '../tools/bench/main';
import { OptionsError, parseOptions, USAGE } from '../tools/bench/options';
import { writeReport } from '../tools/bench/report';
import { parseOrUsage, UsageError, type Command } from './command';

function optionsOrUsage(argv: string[]): ReturnType<typeof parseOptions> {
  try {
    return parseOrUsage(() => parseOptions(argv));
  } catch (err) {
    if (err instanceof OptionsError) throw new UsageError(err.message);
    throw err;
  }
}

export const command: Command = {
  name: 'bench',
  summary: 'the load benchmark: engine floors, then a sweep of offered rates to the maximum sustainable one',
  usage: USAGE,
  async run(argv) {
    const options = optionsOrUsage(argv);
    if (options === 'help') {
      console.log(USAGE);
      return 0;
    }
    configureLogging({ level: 'warn', format: 'json' });
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const report = await runBench(options);
    for (const file of writeReport(report, options.outDir)) console.log(`bench: written ${path.relative(process.cwd(), file)}`);
    return 0;
  },
};
