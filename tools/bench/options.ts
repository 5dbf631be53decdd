/** The bench's command line (`npm run bench -- --help`), validated with zod. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { durationFlag, spreadFlag, validFlags } from '../flags';

export const USAGE = `npm run bench [-- options]
  --rates 2,5,10,15,20,30,45,60
                             offered rates (payments/s) of the sweep, ascending; it stops after the first
                             rate that is not sustainable
  --duration 10s             how long each rate is offered
  --warm-up 10s              before the sweep (and before the floor's), the lowest rate offered this long and not
                             measured: the processes run their code compiled hot, as a deployment does after its
                             first minute (0s: none)
  --accounts 60              accounts the payments are spread over
  --mix fresh=0.9,late=0.1,never=0
                             account state of each payment: fresh before its request, published late, or never
  --late 1s-5s               spread of the late delays (uniform), after the POST was accepted
  --deadline 30s             the system's ACCOUNT_STATE_DEADLINE
  --drain 60s                after a rate's window, how long to wait for its payments' decisions
  --history-sample 10        workflows per rate whose histories are counted
  --processes per-role       per-role: each role its own process (CPU and memory per role); one: all roles
                             in one process, as npm start runs them
  --instances 1              1: one process of each role; 2: every role twice (the gateway once), each
                             instance its own process, as npm start -- --cluster runs them, the load sent
                             to both apis in turn (per-role only)
  --seed-payments 0          decided payments written to the tables before the run (every row each one leaves within
                             the retentions), to show a payment costs the same with them
  --console-stream           the operator console's list stream (GET /payment-events) open during the sweep
  --no-floors                skip the floors (empty workflow, saga-shaped no-op, signal, Kafka, PostgreSQL)
  --out tools/bench/results  where bench.json, bench.md and knee.svg are written
  --smoke                    one low rate for a few seconds and floors with few samples (npm test)`;

const rates = z
  .string()
  .transform((v) => v.split(',').map((r) => Number(r.trim())))
  .pipe(z.array(z.number().positive('each rate must be a positive number of payments per second')).min(1))
  .refine((list) => list.every((r, i) => i === 0 || r > list[i - 1]!), 'rates must be ascending');

const mix = z
  .string()
  .transform((v, ctx) => {
    const out = { fresh: 0, late: 0, never: 0 };
    for (const part of v.split(',')) {
      const [name, share] = part.split('=').map((s) => s.trim());
      if (!(name === 'fresh' || name === 'late' || name === 'never') || !share || !(Number(share) >= 0)) {
        ctx.addIssue({ code: 'custom', message: `"${part}" is not fresh=<share>, late=<share> or never=<share>` });
        return z.NEVER;
      }
      out[name] = Number(share);
    }
    return out;
  })
  .refine((m) => m.fresh + m.late + m.never > 0, 'the shares must not all be zero');

const count = z.coerce.number().int().min(1);

const flagsSchema = z
  .object({
    rates,
    duration: durationFlag,
    'warm-up': z.union([z.literal('0s').transform(() => 0), durationFlag]),
    accounts: count,
    mix,
    late: spreadFlag,
    deadline: durationFlag,
    drain: durationFlag,
    'history-sample': count,
    processes: z.enum(['per-role', 'one']),
    instances: z.enum(['1', '2']).transform(Number),
    floors: z.boolean(),
    'seed-payments': z.coerce.number().int().min(0),
    'console-stream': z.boolean(),
    out: z.string().min(1),
    smoke: z.boolean(),
  })
  .refine((f) => f.instances === 1 || f.processes === 'per-role', {
    path: ['instances'],
    message: 'two instances of each role need --processes per-role',
  });

/** How many sequential samples each fixed-cost floor takes. */
export interface FloorSamples {
  emptyWorkflow: number;
  signal: number;
  kafka: number;
  postgres: number;
}

export interface BenchOptions {
  rates: number[];
  durationMs: number;
  warmUpMs: number;
  accounts: number;
  mix: { fresh: number; late: number; never: number };
  late: { minMs: number; maxMs: number };
  deadlineMs: number;
  drainMs: number;
  historySample: number;
  processes: 'per-role' | 'one';
  instances: number;
  floors: boolean;
  seedPayments: number;
  consoleStream: boolean;
  floorSamples: FloorSamples;
  outDir: string;
  smoke: boolean;
}

const DEFAULTS = {
  rates: '2,5,10,15,20,30,45,60',
  duration: '10s',
  'warm-up': '10s',
  accounts: '60',
  mix: 'fresh=0.9,late=0.1,never=0',
  late: '1s-5s',
  deadline: '30s',
  drain: '60s',
  'history-sample': '10',
  processes: 'per-role',
  instances: '1',
  'seed-payments': '0',
  out: path.resolve(__dirname, 'results'),
};

/** What --smoke sets unless the command line says otherwise. */
const SMOKE = {
  rates: '2',
  duration: '3s',
  'warm-up': '0s',
  accounts: '6',
  mix: 'fresh=0.5,late=0.5,never=0',
  late: '200ms-1s',
  'history-sample': '3',
};

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      rates: { type: 'string' },
      duration: { type: 'string' },
      'warm-up': { type: 'string' },
      accounts: { type: 'string' },
      mix: { type: 'string' },
      late: { type: 'string' },
      deadline: { type: 'string' },
      drain: { type: 'string' },
      'history-sample': { type: 'string' },
      processes: { type: 'string' },
      instances: { type: 'string' },
      'no-floors': { type: 'boolean', default: false },
      'seed-payments': { type: 'string' },
      'console-stream': { type: 'boolean', default: false },
      out: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const { 'no-floors': noFloors, help: _help, ...given } = values;
  const raw = { ...DEFAULTS, ...(values.smoke ? SMOKE : {}), ...given, floors: !noFloors };
  const f = validFlags(flagsSchema, raw);
  return {
    rates: f.rates,
    durationMs: f.duration,
    warmUpMs: f['warm-up'],
    accounts: f.accounts,
    mix: f.mix,
    late: f.late,
    deadlineMs: f.deadline,
    drainMs: f.drain,
    historySample: f['history-sample'],
    processes: f.processes,
    instances: f.instances,
    floors: f.floors,
    seedPayments: f['seed-payments'],
    consoleStream: f['console-stream'],
    floorSamples: f.smoke
      ? { emptyWorkflow: 5, signal: 10, kafka: 10, postgres: 20 }
      : { emptyWorkflow: 50, signal: 200, kafka: 200, postgres: 500 },
    outDir: path.resolve(f.out),
    smoke: f.smoke,
  };
}
