/**
 * `npm run chaos [-- --seed 7 --payments 1000 --rate 10 --faults 20] [-- --cluster]`: the seeded fault suite
 * (docs/chaos.md); --cluster runs it on the cluster topology, every role twice, with the cluster's own faults;
 * --acked-records checks Kafka alone on that topology: records acknowledged with acks=all, one broker killed.
 * Prints the schedule, a live line per fault, then the table; writes tools/chaos/results/<run>/report.json; exits 1
 * on any violation (or a fault that could not be injected).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { configureLogging } from '../observability/logger';
import { z } from 'zod';
import { loadConfig } from '../config';
import { runAckedRecords } from '../tools/chaos/acked-records';
import { formatReport } from '../tools/chaos/report';
import { durationFlag, validFlags } from '../tools/flags';
import { runChaos, RESULTS_DIR } from '../tools/chaos/run';
import { CommandError, parseOrUsage, UsageError, type Command } from './command';

const positiveInt = (name: string, value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number of at least 1 (got "${value}")`);
  return n;
};

async function run(argv: string[]): Promise<number> {
  const { values } = parseOrUsage(() =>
    parseArgs({
      args: argv,
      options: {
        seed: { type: 'string', default: String(Date.now() % 100_000) },
        payments: { type: 'string', default: '1000' },
        rate: { type: 'string', default: '10' },
        faults: { type: 'string', default: '20' },
        cluster: { type: 'boolean', default: false },
        'acked-records': { type: 'boolean', default: false },
        broker: { type: 'string', default: '3' },
        down: { type: 'string', default: '5s' },
        unchecked: { type: 'boolean', default: false },
      },
    }),
  );
  if (values['acked-records']) return ackedRecords(values.broker, values.down, !values.unchecked);
  const options = {
    seed: positiveInt('seed', values.seed),
    payments: positiveInt('payments', values.payments),
    ratePerSecond: positiveInt('rate', values.rate),
    faults: positiveInt('faults', values.faults),
    cluster: values.cluster,
  };
  // The suite's own Kafka clients meet the engine restarts it causes: their complaints are expected.
  configureLogging({ level: 'fatal', format: 'json' });
  const abort = new AbortController();
  // `on`, not `once`: Ctrl-C may arrive more than once (the terminal's, one relayed by npm, a second press).
  process.on('SIGINT', () => abort.abort());
  process.on('SIGTERM', () => abort.abort());
  const report = await runChaos({ ...options, signal: abort.signal });
  console.log(formatReport(report));
  console.log(`chaos: report ${path.join(RESULTS_DIR, report.runId, 'report.json')}`);
  return report.ok ? 0 : 1;
}

/** --acked-records: Kafka alone, one broker killed and started again (tools/chaos/acked-records.ts). */
async function ackedRecords(broker: string, down: string, checked: boolean): Promise<number> {
  const id = Number(broker);
  if (![1, 2, 3].includes(id)) throw new UsageError(`--broker must be 1, 2 or 3 (got "${broker}")`);
  const downMs = parseOrUsage(() => validFlags(z.object({ down: durationFlag }), { down }).down);
  configureLogging({ level: 'fatal', format: 'json' });
  const config = loadConfig({ ...process.env, STACK_TOPOLOGY: 'cluster' });
  const r = await runAckedRecords(config, { broker: id, downMs, checked });
  console.log(
    `chaos: kafka-${r.broker} killed, back after ${r.downMs / 1000} s, ${r.checked ? 'answers checked' : 'KafkaJS sendBatch alone'}: ` +
      `${r.acknowledged} records acknowledged (acks=all), ` +
      `${r.failed} refused, ${r.onTopic} on ${r.topic}; acknowledged and lost: ${r.lost.length}${r.lost.length ? ` (${r.lost.join(', ')})` : ''}`,
  );
  return r.lost.length === 0 ? 0 : 1;
}

export const command: Command = {
  name: 'chaos',
  summary: 'the seeded fault suite: load, engine and role faults, then the invariants (docs/chaos.md)',
  usage:
    'npm run chaos [-- --seed 7 --payments 1000 --rate 10 --faults 20] [-- --cluster]\n' +
    '       npm run chaos -- --acked-records [--broker 3] [--down 5s] [--unchecked]   (Kafka alone, on the cluster topology)',
  async run(argv) {
    // A failed run prints its message alone, as it always has.
    return run(argv).catch((err: unknown) => {
      if (err instanceof UsageError || !(err instanceof Error)) throw err;
      throw new CommandError(err.message);
    });
  },
};
