/** `npm run reconcile [-- --since 1d --grace 1m --json]`: gateway vs ledger vs decided events; exits 1 on a mismatch. */
import { parseArgs } from 'node:util';
import { parseDuration } from '../config';
import { createPool } from '../db/pool';
import { createKafka } from '../kafka/client';
import { formatReport, reconcile } from '../reconcile';
import { parseOrUsage, UsageError, type Command } from './command';
import { loadSettings } from './settings';

export const command: Command = {
  name: 'reconcile',
  summary: 'gateway vs ledger vs decided events over a window; exits 1 on a mismatch',
  usage: 'npm run reconcile [-- --since 1d --grace 1m --json]',
  async run(argv) {
    const { values } = parseOrUsage(() =>
      parseArgs({
        args: argv,
        options: {
          since: { type: 'string', default: '1d' },
          grace: { type: 'string', default: '1m' },
          json: { type: 'boolean', default: false },
        },
      }),
    );
    const since = parseDuration(values.since);
    const grace = parseDuration(values.grace);
    if (since === undefined || grace === undefined)
      throw new UsageError('--since and --grace take durations such as 30s, 5m, 1d');
    const config = loadSettings();
    const to = new Date(Date.now() - grace);
    const pool = createPool(config);
    try {
      const report = await reconcile({
        config,
        pool,
        kafka: createKafka(config, 'reconcile'),
        from: new Date(to.getTime() - since),
        to,
      });
      console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
      return report.mismatches.length > 0 ? 1 : 0;
    } finally {
      await pool.end();
    }
  },
};
