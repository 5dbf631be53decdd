/**
 * npm run demo -- [--payments 30] [--rate 2] [--api-url http://127.0.0.1:3000] [--json]
 * Sends demo traffic to a running paysaga (`npm start` in another terminal) and checks every scenario's
 * outcome (docs/demo.md): exits 0 when all are met, 1 when one is not, 2 when the demo could not run.
 * Reads the same configuration as the system (ACCOUNT_STATE_DEADLINE and ACCOUNT_STATE_TIMEOUT_POLICY
 * decide what the timeout scenario expects) and its API tokens from API_TOKENS or the file `npm start` writes.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config';
import { DEMO_DEFAULTS, DemoError, formatSummary, runDemo } from '../tools/demo';
import { UsageError, type Command } from './command';

const optionsSchema = z.object({
  payments: z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more').max(10_000, 'must be at most 10000'),
  rate: z.coerce.number().positive('must be above 0').max(1_000, 'must be at most 1000'),
  'api-url': z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  json: z.boolean(),
});

function parseOptions(args: string[]): z.infer<typeof optionsSchema> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        payments: { type: 'string', default: String(DEMO_DEFAULTS.payments) },
        rate: { type: 'string', default: String(DEMO_DEFAULTS.ratePerSecond) },
        'api-url': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')} ${i.message}`).join('; '));
  return parsed.data;
}

async function run(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const config = loadConfig();
  const stop = new AbortController();
  process.once('SIGINT', () => {
    console.log('demo: stopping (Ctrl-C again to quit at once)');
    stop.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const summary = await runDemo({
    config,
    apiUrl: options['api-url']?.replace(/\/+$/, ''),
    payments: options.payments,
    ratePerSecond: options.rate,
    signal: stop.signal,
    log: options.json ? (line) => console.error(line) : undefined,
  });
  console.log(options.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
  return summary.ok ? 0 : 1;
}

export const command: Command = {
  name: 'demo',
  summary: 'demo traffic to a running paysaga (npm start in another terminal), every scenario checked',
  usage: 'npm run demo -- [--payments 30] [--rate 2] [--api-url http://127.0.0.1:3000] [--json]',
  async run(argv) {
    // Exit 2 when the demo could not run (its own errors, an invalid configuration), as before the registry.
    return run(argv).catch((err: unknown) => {
      if (!(err instanceof DemoError || err instanceof ConfigError)) throw err;
      console.error(`demo: ${err.message}`);
      return 2;
    });
  },
};
