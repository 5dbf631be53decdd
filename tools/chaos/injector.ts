/**
 * Carries out the schedule's faults at their moments: SIGKILL of a role (the supervisor restarts it), a stop
 * and start of an engine through the local stack, and a window of gateway faults through the simulator's
 * control endpoint (PUT /admin/faults). Each fault is recorded with what happened, so the report can say that
 * the schedule was injected in full.
 */
import type { Config } from '../../config';
import type { GatewayFaults } from '../../contracts/gateway';
import { stackDown, stackUp } from '../stack';
import type { FaultEvent, GatewayFaultKind } from './schedule';
import type { Supervisor } from '../supervisor';

export interface InjectedFault {
  event: FaultEvent;
  at: string;
  injected: boolean;
  detail: string;
}

/** The simulator's settings for each gateway fault. `hang` holds every request past the saga's retry budget. */
export function gatewayFaultSettings(
  kind: GatewayFaultKind,
  retryBudgetMs: number,
  requestTimeoutMs: number,
): Partial<GatewayFaults> {
  switch (kind) {
    case 'fail':
      return { errorRate: 0.5 };
    case 'timeout':
      return { timeoutRate: 0.5, hangMs: requestTimeoutMs + 1_000 };
    case 'drop-response':
      return { dropResponseRate: 0.5 };
    case 'hang':
      return { latencyMs: retryBudgetMs + 2_000 };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FaultInjector {
  readonly injected: InjectedFault[] = [];
  private readonly log: (line: string) => void;

  constructor(private readonly opts: { config: Config; supervisor: Supervisor; log?: (line: string) => void }) {
    this.log = opts.log ?? console.log;
  }

  /** Runs every fault at its moment after `startedAt`, one after another (a fault finishes before the next). */
  async run(faults: FaultEvent[], startedAt: number, signal: AbortSignal): Promise<void> {
    for (const event of faults) {
      await sleep(Math.max(0, startedAt + event.atMs - Date.now()));
      if (signal.aborted) return;
      const at = new Date().toISOString();
      const detail = await this.inject(event).then(
        (d) => ({ injected: true, detail: d }),
        (err: Error) => ({ injected: false, detail: `failed: ${err.message.split('\n')[0]}` }),
      );
      this.injected.push({ event, at, ...detail });
      this.log(`chaos: t+${((Date.now() - startedAt) / 1000).toFixed(1)}s ${event.kind} ${event.target}: ${detail.detail}`);
    }
  }

  private async inject(event: FaultEvent): Promise<string> {
    const { config, supervisor } = this.opts;
    switch (event.kind) {
      case 'kill-role':
        if (!supervisor.kill(event.target)) throw new Error(`${event.target} was not running (restarting after an exit?)`);
        return 'SIGKILL sent';
      case 'restart-engine': {
        const t0 = Date.now();
        const quiet = silenceConsole();
        try {
          const stopped = await stackDown(config, [event.target]);
          if (!stopped.includes(event.target)) throw new Error(`${event.target} was not running`);
          await sleep(event.downMs);
          await startAgain(config);
        } finally {
          quiet.restore();
        }
        return `stopped and started again in ${((Date.now() - t0) / 1000).toFixed(1)}s`;
      }
      case 'gateway-fault': {
        const settings = gatewayFaultSettings(event.target, config.gateway.retryBudgetMs, config.gateway.requestTimeoutMs);
        await this.setGatewayFaults(settings);
        await sleep(event.forMs);
        // The gateway may have been restarted meanwhile (then its faults are already off): reset regardless.
        await this.setGatewayFaults({}).catch(() => undefined);
        return `${JSON.stringify(settings)} for ${event.forMs}ms`;
      }
    }
  }

  private async setGatewayFaults(settings: Partial<GatewayFaults>): Promise<void> {
    // The gateway may be restarting (a role kill, or an engine restart that took it down): retry a while.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const res = await fetch(`${this.opts.config.gateway.url}/admin/faults`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(settings),
          signal: AbortSignal.timeout(2_000),
        });
        if (!res.ok) throw new Error(`PUT /admin/faults answered ${res.status}: ${await res.text()}`);
        await res.body?.cancel();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(250);
      }
    }
  }
}

/**
 * stackUp, retried: under the load of roles restarting, an engine's first start can fail its post-start step
 * (PostgreSQL's 2 s admin connection), and stackUp then stops it again. An engine left down would turn one
 * fault into the rest of the run.
 */
async function startAgain(config: Config): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await stackUp(config);
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(1_000);
    }
  }
}

/** stackUp and stackDown print progress for a person at a terminal; during a run it would drown the report. */
function silenceConsole() {
  const original = console.log;
  console.log = () => undefined;
  return { restore: () => void (console.log = original) };
}
