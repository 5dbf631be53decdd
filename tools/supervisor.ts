/**
 * A process supervisor for the roles, as systemd or a container orchestrator would be: each instance of a role
 * runs as its own child process (`main.ts run <role>`) with its own METRICS_PORT (and whatever else differs per
 * instance, such as the second api's API_PORT); one killed with SIGKILL, or one that exits by itself, is
 * started again, its exit recorded (no role exits because an engine went away). Used by the fault suite and by
 * `npm start -- --cluster` (two instances of each role).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RoleName } from '../roles';
import { freePort, tail } from './stack/proc';

const root = path.resolve(__dirname, '..');

/**
 * Instances of each role in the cluster topology (`npm start -- --cluster`, the fault suite's --cluster,
 * docker-compose.yml): two of each, so that none is a single point of failure; the gateway simulator stands
 * for the payment provider, outside paysaga, and runs once.
 */
export const clusterInstances = (role: RoleName): number => (role === 'gateway' ? 1 : 2);

/** The api of instance n (1 or 2) listens on API_PORT + n − 1: the first on the usual port. */
export const instanceApiPort = (apiPort: number, instance: number): number => apiPort + instance - 1;

export interface RoleExit {
  role: RoleName;
  /** Which process of the role: its name, `read-model` when it runs alone, `read-model-2` for a second one. */
  instance: string;
  at: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Killed by the schedule (expected), or exited by itself. */
  planned: boolean;
  /** Exited by itself: the last lines of its log, the reason kept with the report (a clean clone's logs go with it). */
  lastLines?: string[];
}

interface Supervised {
  role: RoleName;
  name: string;
  env: NodeJS.ProcessEnv;
  metricsPort: number;
  child?: ChildProcess;
  exited?: Promise<void>;
  plannedKill: boolean;
  starts: number;
}

export class Supervisor {
  readonly exits: RoleExit[] = [];
  /** By instance name. */
  private readonly roles = new Map<string, Supervised>();
  private stopping = false;

  constructor(private readonly opts: { env: NodeJS.ProcessEnv; logDir: string; restartDelayMs?: number }) {
    fs.mkdirSync(opts.logDir, { recursive: true });
  }

  /**
   * Starts `instances` processes of each role (named `<role>` when alone, `<role>-1`, `<role>-2` … otherwise),
   * each with the supervisor's environment plus `envFor(role, instance)`.
   */
  async start(
    roles: RoleName[],
    opts: { instances?: (role: RoleName) => number; envFor?: (role: RoleName, instance: number) => NodeJS.ProcessEnv } = {},
  ): Promise<void> {
    for (const role of roles) {
      const count = opts.instances?.(role) ?? 1;
      for (let i = 1; i <= count; i++) {
        const name = count === 1 ? role : `${role}-${i}`;
        const env = opts.envFor?.(role, i) ?? {};
        const r: Supervised = { role, name, env, metricsPort: await freePort(), plannedKill: false, starts: 0 };
        this.roles.set(name, r);
        this.spawn(r);
      }
    }
  }

  /** Every instance's name, in start order. */
  instances(role?: RoleName): string[] {
    return [...this.roles.values()].filter((r) => !role || r.role === role).map((r) => r.name);
  }

  metricsPort(instance: string): number {
    return this.roles.get(instance)!.metricsPort;
  }

  /** SIGKILL to an instance (a role's name kills the one that runs alone): no cleanup, no goodbye; it is started again. */
  kill(instance: string): boolean {
    const r = this.roles.get(instance);
    if (!r?.child || r.child.exitCode !== null || r.child.signalCode !== null) return false;
    r.plannedKill = true;
    return r.child.kill('SIGKILL');
  }

  /** True when every role answers ready on its own /health/ready. */
  async allReady(): Promise<boolean> {
    const states = await Promise.all([...this.roles.values()].map((r) => this.ready(r)));
    return states.every(Boolean);
  }

  async notReady(): Promise<string[]> {
    const out: string[] = [];
    for (const r of this.roles.values()) if (!(await this.ready(r))) out.push(r.name);
    return out;
  }

  /**
   * SIGTERM to every instance, SIGKILL to any still running after graceMs; no restarts from then on. Resolves
   * with the instances that had to be killed (none: all stopped in time).
   */
  async stop(graceMs = 15_000): Promise<string[]> {
    this.stopping = true;
    const running = [...this.roles.values()].filter((r) => r.child && r.child.exitCode === null && r.child.signalCode === null);
    for (const r of running) r.child!.kill('SIGTERM');
    const killed: string[] = [];
    await Promise.all(
      running.map(async (r) => {
        const timer = setTimeout(() => {
          killed.push(r.name);
          r.child!.kill('SIGKILL');
        }, graceMs);
        await r.exited;
        clearTimeout(timer);
      }),
    );
    return killed;
  }

  private async ready(r: Supervised): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${r.metricsPort}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  private spawn(r: Supervised): void {
    r.starts++;
    const logFile = path.join(this.opts.logDir, `${r.name}.log`);
    const log = fs.openSync(logFile, 'a');
    fs.writeSync(log, `\n==== ${new Date().toISOString()} start #${r.starts} of ${r.name}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', 'run', r.role], {
      cwd: root,
      env: { ...this.opts.env, ...r.env, METRICS_PORT: String(r.metricsPort) },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    r.child = child;
    r.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!this.stopping) {
          const planned = r.plannedKill;
          this.exits.push({
            role: r.role,
            instance: r.name,
            at: new Date().toISOString(),
            code,
            signal,
            planned,
            ...(planned ? {} : { lastLines: tail(logFile, 5).split('\n') }),
          });
          const delay = r.plannedKill ? 200 : (this.opts.restartDelayMs ?? 1_000);
          r.plannedKill = false;
          setTimeout(() => !this.stopping && this.spawn(r), delay);
        }
        resolve();
      });
    });
  }
}
