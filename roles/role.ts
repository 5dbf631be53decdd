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
  /** Whether it can do its work now (its engines answer); /health/ready asks every role. Absent: always. */
  ready?(): Promise<boolean>;
  stop(): Promise<void>;
}
