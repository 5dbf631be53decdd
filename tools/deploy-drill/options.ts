/** The drill's command line, validated with zod (tools/flags.ts turns its complaints into a usage error). */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { validFlags } from '../flags';

export const USAGE = 'npm run deploy-drill [-- --payments 500] [--review 50] [--unversioned]';

const count = (max: number) =>
  z.coerce.number().int('must be a whole number').min(0, 'must not be negative').max(max, `must be at most ${max}`);

const flagsSchema = z
  .object({
    payments: count(5_000).min(1, 'must be at least 1'),
    review: count(5_000).optional(),
    unversioned: z.boolean(),
  })
  .refine((f) => f.review === undefined || f.review <= f.payments, { message: 'must not exceed --payments', path: ['review'] });

export interface DeployDrillFlags {
  payments: number;
  review: number;
  unversioned: boolean;
}

export function parseDeployDrillFlags(argv: string[]): DeployDrillFlags {
  const { values } = parseArgs({
    args: argv,
    options: {
      payments: { type: 'string', default: '500' },
      review: { type: 'string' },
      unversioned: { type: 'boolean', default: false },
    },
  });
  const flags = validFlags(flagsSchema, values);
  // A tenth in review unless told: enough to show that a day-long wait is as safe as a short one.
  return { ...flags, review: flags.review ?? Math.round(flags.payments / 10) };
}
