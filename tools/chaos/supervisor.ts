/**
 * A process supervisor for the roles, as systemd would be: each role runs as its own child process
 * (`main.ts run <role>`) with its own METRICS_PORT; the schedule kills one with SIGKILL, and a role that exits
 * by itself is restarted too, its exit recorded (DESIGN.md §7.9: no role exits because an engine went away).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RoleName } from '../../roles';
import { freePort, tail } from '../stack/proc';

const root = path.resolve(__dirname, '../..');

export interface RoleExit {
  role: RoleName;
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
  metricsPort: number;
  child?: ChildProcess;
  exited?: Promise<void>;
  plannedKill: boolean;
  starts: number;
}

export class Supervisor {
  readonly exits: RoleExit[] = [];
  private readonly roles = new Map<RoleName, Supervised>();
  private stopping = false;

  constructor(private readonly opts: { env: NodeJS.ProcessEnv; logDir: string; restartDelayMs?: number }) {
    fs.mkdirSync(opts.logDir, { recursive: true });
  }

  async start(roles: RoleName[]): Promise<void> {
    for (const role of roles) {
      const r: Supervised = { role, metricsPort: await freePort(), plannedKill: false, starts: 0 };
      this.roles.set(role, r);
      this.spawn(r);
    }
  }

  metricsPort(role: RoleName): number {
    return this.roles.get(role)!.metricsPort;
  }

  /** SIGKILL: no cleanup, no goodbye; the supervisor starts it again. */
  kill(role: RoleName): boolean {
    const r = this.roles.get(role);
    if (!r?.child || r.child.exitCode !== null || r.child.signalCode !== null) return false;
    r.plannedKill = true;
    return r.child.kill('SIGKILL');
  }

  /** True when every role answers ready on its own /health/ready. */
  async allReady(): Promise<boolean> {
    const states = await Promise.all([...this.roles.values()].map((r) => this.ready(r)));
    return states.every(Boolean);
  }

  async notReady(): Promise<RoleName[]> {
    const out: RoleName[] = [];
    for (const r of this.roles.values()) if (!(await this.ready(r))) out.push(r.role);
    return out;
  }

  /** SIGTERM to every role, SIGKILL to any still running after graceMs; no restarts from then on. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const running = [...this.roles.values()].filter((r) => r.child && r.child.exitCode === null && r.child.signalCode === null);
    for (const r of running) r.child!.kill('SIGTERM');
    await Promise.all(
      running.map(async (r) => {
        const timer = setTimeout(() => r.child!.kill('SIGKILL'), graceMs);
        await r.exited;
        clearTimeout(timer);
      }),
    );
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
    const logFile = path.join(this.opts.logDir, `${r.role}.log`);
    const log = fs.openSync(logFile, 'a');
    fs.writeSync(log, `\n==== ${new Date().toISOString()} start #${r.starts} of ${r.role}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', 'run', r.role], {
      cwd: root,
      env: { ...this.opts.env, METRICS_PORT: String(r.metricsPort) },
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
