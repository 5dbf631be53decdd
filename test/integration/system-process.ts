/**
 * paysaga as its own process, the way people run it: `node main.ts <args>` in a process group of its own (as a
 * terminal or a supervisor starts it), with fresh consumer groups and task queue so earlier suites' records are
 * not its history, and a client and an operator token. stop() sends a signal to the whole group, as Ctrl-C does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { loadConfig, type Config } from '../../config';
import { startGroupsAtTopicEnds } from '../../roles/consumer-groups';
import { freePort } from '../../tools/stack/proc';
import { eventually } from '../eventually';

const root = path.resolve(__dirname, '../..');

export const SYSTEM_TOKENS = { client: `client-${randomUUID()}`, operator: `operator-${randomUUID()}` };

/** Environment of a system of its own on the shared engines: its ports, groups, task queue and tokens. */
export async function systemEnv(overrides: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const id = randomUUID().slice(0, 8);
  return {
    ...process.env,
    API_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    TEMPORAL_TASK_QUEUE: `system-${id}`,
    KAFKA_CLIENT_ID: `paysaga-system-${id}`,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info', // the lifecycle lines ("stopping", "stopped") are info
    API_TOKENS: JSON.stringify([
      { token: SYSTEM_TOKENS.client, subject: `shop-${id}`, roles: ['client'] },
      { token: SYSTEM_TOKENS.operator, subject: `ops-${id}`, roles: ['operator'] },
    ]),
    ...overrides,
  };
}

/** Every consumer group of this system starts at its topic's end: no backlog of earlier suites. */
export const skipBacklog = startGroupsAtTopicEnds;

export class SystemProcess {
  readonly config: Config;
  output = '';
  private child?: ChildProcess;
  private exitCode?: Promise<number | null>;

  constructor(
    readonly env: NodeJS.ProcessEnv,
    private readonly args: string[],
  ) {
    this.config = loadConfig(env);
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.config.api.port}`;
  }

  get healthUrl(): string {
    return `http://127.0.0.1:${this.config.observability.metricsPort}/health`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', ...this.args], {
      cwd: root,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // a process group of its own, as a terminal gives a command
    });
    child.stdout.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (this.output += c.toString()));
    this.exitCode = new Promise((r) => child.once('exit', (code) => r(code)));
    this.child = child;
  }

  /** Waits until /health/ready says every role is ready (fails early if the process exits). */
  async ready(timeoutMs = 120_000): Promise<void> {
    await eventually(
      `the system's /health/ready (output so far:\n${this.output.slice(-2_000)})`,
      async () => {
        if (!this.running) throw new Error(`the system exited:\n${this.output.slice(-4_000)}`);
        const res = await fetch(`${this.healthUrl}/ready`).catch(() => undefined);
        return res?.status === 200;
      },
      timeoutMs,
    );
  }

  /** Sends `signal` to the whole process group, as a terminal's Ctrl-C does, and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT', timeoutMs = 60_000): Promise<number | null> {
    if (!this.child?.pid) return null;
    if (this.running) process.kill(-this.child.pid, signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([this.exitCode!, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      process.kill(-this.child.pid, 'SIGKILL');
      throw new Error(`the system did not stop within ${timeoutMs / 1000}s of ${signal}:\n${this.output.slice(-4_000)}`);
    }
    return result;
  }
}
