/**
 * npm run legacy-feed -- [--accounts acc-1,acc-2] [--updates 5] [--balance 100000] [--currency EUR]
 *                        [--delay 200ms] [--duplicates 0.2] [--reorder 0.3]
 * Publishes simulated legacy account snapshots (tools/legacy/feed.ts) to accounts.state.updated.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig, parseDuration } from '../config';
import { currency } from '../contracts/payment';
import { createKafka } from '../kafka/client';
import { planFeed, publishFeed } from '../tools/legacy/feed';
import { parseOrUsage, UsageError, type Command } from './command';

const optionsSchema = z.object({
  accounts: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1)),
  updates: z.coerce.number().int().min(1).max(10_000),
  balance: z.coerce.number().int().min(0),
  currency,
  delay: z.string().refine((d) => d === '0' || parseDuration(d) !== undefined, 'must be a duration like 200ms'),
  duplicates: z.coerce.number().min(0).max(1),
  reorder: z.coerce.number().min(0).max(1),
});

function parseOptions(args: string[]): z.infer<typeof optionsSchema> {
  const { values } = parseOrUsage(() =>
    parseArgs({
      args,
      options: {
        accounts: { type: 'string', default: 'acc-1,acc-2,acc-3' },
        updates: { type: 'string', default: '5' },
        balance: { type: 'string', default: '100000' },
        currency: { type: 'string', default: 'EUR' },
        delay: { type: 'string', default: '200ms' },
        duplicates: { type: 'string', default: '0.2' },
        reorder: { type: 'string', default: '0.3' },
      },
    }),
  );
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')} ${i.message}`).join('; '));
  return parsed.data;
}

export const command: Command = {
  name: 'legacy-feed',
  summary: 'publishes simulated legacy account snapshots to accounts.state.updated',
  usage:
    'npm run legacy-feed -- [--accounts acc-1,acc-2] [--updates 5] [--balance 100000] [--currency EUR]\n' +
    '                       [--delay 200ms] [--duplicates 0.2] [--reorder 0.3]',
  async run(argv) {
    const options = parseOptions(argv);
    const records = planFeed({
      accountIds: options.accounts,
      updates: options.updates,
      balance: options.balance,
      currency: options.currency,
      startAsOf: new Date(),
      duplicateRate: options.duplicates,
      reorderRate: options.reorder,
    });
    await publishFeed(createKafka(loadConfig(), 'legacy-feed'), records, parseDuration(options.delay) ?? 0);
    console.log(`legacy feed: published ${records.length} snapshots of ${options.accounts.length} accounts`);
    return 0;
  },
};
