/**
 * npm run soak [-- options]: a bounded soak (docs/testing.md): steady traffic and an operator in the console,
 * every series sampled; writes soak.json and soak.md under tools/soak/results/ (or --out); exits 1 when a
 * series grows, a stream outlives its client, or a payment is left undecided.
 */
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { configureLogging } from '../observability/logger';
import { parseOptions, USAGE } from '../tools/soak/options';
import { formatMarkdown, writeReport } from '../tools/soak/report';
import { runSoak } from '../tools/soak/run';
import { parseOrUsage, type Command } from './command';

export const command: Command = {
  name: 'soak',
  summary: 'a bounded soak: steady traffic and an operator in the console, then every series’ slope (nothing may grow)',
  usage: USAGE,
  async run(argv) {
    const options = parseOrUsage(() => parseOptions(argv));
    if (options === 'help') {
      console.log(USAGE);
      return 0;
    }
    configureLogging({ level: 'warn', format: 'json' });
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const abort = new AbortController();
    // `on`, not `once`: Ctrl-C may arrive more than once (the terminal's, one relayed by npm, a second press).
    process.on('SIGINT', () => abort.abort());
    process.on('SIGTERM', () => abort.abort());
    const report = await runSoak(options, abort.signal);
    if (!report) {
      console.log('soak: interrupted; nothing written');
      return 130;
    }
    console.log(formatMarkdown(report));
    for (const file of writeReport(report, options.outDir)) console.log(`soak: written ${path.relative(process.cwd(), file)}`);
    return report.ok ? 0 : 1;
  },
};
