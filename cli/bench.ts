/**
 * npm run bench [-- options]: the load benchmark (docs/performance.md), run by tools/bench/main.ts. Writes
 * bench.json, bench.md and knee.svg under tools/bench/results/ (or --out).
 */
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { configureLogging } from '../observability/logger';
import { runBench } from '../tools/bench/main';
import { parseOptions, USAGE } from '../tools/bench/options';
import { writeReport } from '../tools/bench/report';
import { parseOrUsage, type Command } from './command';

export const command: Command = {
  name: 'bench',
  summary: 'the load benchmark: engine floors, then a sweep of offered rates to the maximum sustainable one',
  usage: USAGE,
  async run(argv) {
    const options = parseOrUsage(() => parseOptions(argv));
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
