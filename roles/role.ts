import type { Config } from '../config';
import type { Pool } from '../db/pool';

/** What every role gets: the validated configuration and the process's database pool (already migrated). */
export interface RoleContext {
  config: Config;
  pool: Pool;
}

/** A started role: what to tell the operator, and how to stop it gracefully. */
export interface RunningRole {
  name: string;
  /** A line for the terminal, e.g. where it listens. */
  describe: string;
  stop(): Promise<void>;
}
