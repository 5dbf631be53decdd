import { OptionsError } from '../tools/flags';

/** What every `npm run` entry is: a name, a line for `help`, how to call it, and what it does. */
export interface Command {
  name: string;
  summary: string;
  /** How to call it, e.g. `npm run dlt -- list|replay <topic>`; printed after "usage: " on a usage error. */
  usage: string;
  /** Resolves to the process's exit code. */
  run(argv: string[]): Promise<number>;
}

/** A command line the command cannot run (an unknown flag, a missing argument): exit 2 with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure with a message for the operator (no stack trace): exit 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

/**
 * node:util parseArgs, with its complaints (unknown option, missing value) and a tool's invalid flag values
 * (tools/flags.ts) as usage errors.
 */
export function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') || err instanceof OptionsError)
      throw new UsageError((err as Error).message);
    throw err;
  }
}
