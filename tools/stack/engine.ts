import path from 'node:path';
import type { Config } from '../../config';

/** One local engine that `npm run stack` provisions, starts, checks and stops. */
export interface Engine {
  name: string;
  /** Loopback ports it listens on, with the setting that moves each (empty for an external service). */
  ports(config: Config): { port: number; setting: string }[];
  /** Engines that must be healthy before this one is prepared and started (the database before a service on it). */
  after?: string[];
  /** False when the configuration points at an external service: then the stack leaves it alone. */
  managed(config: Config): boolean;
  /** Downloads or builds what it needs into the cache; a second call finds everything there and does nothing. */
  provision(config: Config): Promise<void>;
  /** One-time preparation of its state folder (format storage, initdb). */
  prepare(config: Config): Promise<void>;
  /** The process to run as a daemon. */
  command(config: Config): { command: string; args: string[]; env?: NodeJS.ProcessEnv; uid?: number; gid?: number };
  healthy(config: Config): Promise<boolean>;
  /** Runs once it is healthy (create a database, ...). */
  afterStart?(config: Config): Promise<void>;
  /** The signal that shuts it down cleanly. */
  stopSignal: NodeJS.Signals;
  startTimeoutMs: number;
  urls?(config: Config): Record<string, string>;
}

export const statePaths = (config: Config, engine: string) => ({
  dataDir: path.join(config.stateDir, engine),
  logFile: path.join(config.stateDir, 'logs', `${engine}.log`),
  pidFile: path.join(config.stateDir, 'pids', `${engine}.pid`),
});

export const cachePath = (config: Config, ...parts: string[]) => path.join(config.cacheDir, ...parts);
