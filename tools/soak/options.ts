/** The soak's command line (`npm run soak -- --help`), validated with zod. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { durationFlag, spreadFlag, validFlags } from '../flags';

export const USAGE = `npm run soak [-- options]
  --duration 20m         how long the traffic and the console session run
  --interval 30s         how often every series is sampled
  --warm-up 5m           samples before this are left out of the slopes (caches, JIT, pools filling)
  --rate 2               payments per second over REST, one in ten with its account state published late
  --dwell 1s-4s          how long the operator stays on a console page (uniform)
  --quick 0.3            share of page visits gone through to the next page within 30 ms (an operator
                         clicking through), while the api may still be opening the first page's stream
  --out tools/soak/results
                         where soak.json and soak.md are written`;

const flagsSchema = z
  .object({
    duration: durationFlag,
    interval: durationFlag.pipe(z.number().min(1_000, 'must be at least 1s')),
    'warm-up': durationFlag,
    rate: z.coerce.number().positive('must be a positive number of payments per second').max(50, 'at most 50/s'),
    dwell: spreadFlag,
    quick: z.coerce.number().min(0).max(1, 'must be a share between 0 and 1'),
    out: z.string().min(1),
  })
  .refine((f) => f.duration >= f['warm-up'] + 3 * f.interval, {
    message: 'must leave at least three samples after the warm-up',
    path: ['duration'],
  });

export interface SoakOptions {
  durationMs: number;
  intervalMs: number;
  warmUpMs: number;
  rate: number;
  dwell: { minMs: number; maxMs: number };
  quickShare: number;
  outDir: string;
}

const DEFAULTS = {
  duration: '20m',
  interval: '30s',
  'warm-up': '5m',
  rate: '2',
  dwell: '1s-4s',
  quick: '0.3',
  out: path.resolve(__dirname, 'results'),
};

export function parseOptions(argv: string[]): SoakOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      interval: { type: 'string' },
      'warm-up': { type: 'string' },
      rate: { type: 'string' },
      dwell: { type: 'string' },
      quick: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const { help: _help, ...given } = values;
  const f = validFlags(flagsSchema, { ...DEFAULTS, ...given });
  return {
    durationMs: f.duration,
    intervalMs: f.interval,
    warmUpMs: f['warm-up'],
    rate: f.rate,
    dwell: f.dwell,
    quickShare: f.quick,
    outDir: path.resolve(f.out),
  };
}
