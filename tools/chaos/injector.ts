/**
 * Carries out the schedule's faults at their moments: SIGKILL of a role (the supervisor restarts it), a stop
 * and start of an engine through the local stack, and a window of gateway faults through the simulator's
 * control endpoint (PUT /admin/faults). Each fault is recorded with what happened, so the report can say that
 * the schedule was injected in full.
 */
import fs from 'node:fs';
import path from 'node:path';
import { clusterInstances, type Supervisor } from '../supervisor';
import type { Config } from '../../config';
import type { GatewayFaults } from '../../contracts/gateway';
import { TOPICS } from '../../contracts/topics';
import { createKafka } from '../../kafka/client';
import { ROLE_NAMES } from '../../roles';
import { stackDown, stackUp } from '../stack';
import { statePaths } from '../stack/engine';
import { runningPid } from '../stack/proc';
import type { ClusterFaultKind, FaultEvent, GatewayFaultKind } from './schedule';

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
        await this.restartEngines([event.target], event.downMs);
        return `stopped and started again in ${((Date.now() - t0) / 1000).toFixed(1)}s`;
      }
      case 'cluster-fault':
        return this.clusterFault(event.target, event.downMs, event.pick);
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

  private async clusterFault(kind: ClusterFaultKind, downMs: number, pick: number): Promise<string> {
    const { config, supervisor } = this.opts;
    const t0 = Date.now();
    const took = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
    switch (kind) {
      case 'kill-decided-leader': {
        const { id, led } = await decidedLeader(config);
        await this.killEngine(`kafka-${id}`, downMs);
        return `kafka-${id} (leader of ${led} partitions of ${TOPICS.paymentDecided}) killed with SIGKILL, back in ${took()}`;
      }
      case 'kill-controller': {
        const id = activeController(config);
        await this.killEngine(`kafka-${id}`, downMs);
        return `kafka-${id} (the active controller) killed with SIGKILL, back in ${took()}`;
      }
      case 'restart-broker':
        await this.restartEngines([`kafka-${pick}`], downMs);
        return `kafka-${pick} stopped and started again in ${took()}`;
      case 'rolling-restart':
        for (const id of [1, 2, 3]) {
          await this.restartEngines([`kafka-${id}`], 0);
          await inSync(config); // as an operator does: the next broker only once every replica has caught up
        }
        return `kafka-1, kafka-2, kafka-3 restarted one after another, each back in sync, in ${took()}`;
      case 'kill-one-of-each-role': {
        const killed = ROLE_NAMES.filter((role) => clusterInstances(role) > 1).map((role) => `${role}-${((pick - 1) % 2) + 1}`);
        const missed = killed.filter((name) => !supervisor.kill(name));
        if (missed.length > 0) throw new Error(`${missed.join(', ')} not running (restarting after an exit?)`);
        return `SIGKILL to ${killed.join(', ')}`;
      }
      case 'restart-temporal-history':
        await this.restartEngines(['temporal-history'], downMs);
        return `temporal-history stopped and started again in ${took()}`;
    }
  }

  /** SIGKILL to an engine's process group, as a crashed machine; started again after downMs. */
  private async killEngine(name: string, downMs: number): Promise<void> {
    const pid = runningPid(statePaths(this.opts.config, name).pidFile);
    if (pid === undefined) throw new Error(`${name} was not running`);
    process.kill(-pid, 'SIGKILL');
    await sleep(downMs);
    await quietly(() => startAgain(this.opts.config));
  }

  /** A clean stop (the engine's own shutdown) and a start after downMs. */
  private async restartEngines(names: string[], downMs: number): Promise<void> {
    await quietly(async () => {
      const stopped = await stackDown(this.opts.config, names);
      if (stopped.length !== names.length)
        throw new Error(`${names.filter((n) => !stopped.includes(n)).join(', ')} was not running`);
      await sleep(downMs);
      await startAgain(this.opts.config);
    });
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
async function quietly<T>(what: () => Promise<T>): Promise<T> {
  const original = console.log;
  console.log = () => undefined;
  try {
    return await what();
  } finally {
    console.log = original;
  }
}

/** The broker that leads the most partitions of the decided topic, and how many it leads. */
async function decidedLeader(config: Config): Promise<{ id: number; led: number }> {
  const admin = createKafka(config, 'chaos-admin').admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPICS.paymentDecided] });
    const counts = new Map<number, number>();
    for (const p of topics[0]!.partitions) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
    const [id, led] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    return { id, led };
  } finally {
    await admin.disconnect();
  }
}

/**
 * The active KRaft controller: the quorum's leader, as a live node records it in its quorum-state file (KafkaJS
 * has no DescribeQuorum; in KRaft the metadata response names a random broker as "controller").
 */
function activeController(config: Config): number {
  for (const id of [1, 2, 3]) {
    const file = path.join(statePaths(config, `kafka-${id}`).dataDir, 'data', '__cluster_metadata-0', 'quorum-state');
    try {
      const state = JSON.parse(fs.readFileSync(file, 'utf8')) as { leaderId?: number };
      if (state.leaderId !== undefined && state.leaderId > 0) return state.leaderId;
    } catch {
      // that node has not written one yet: ask the next
    }
  }
  throw new Error('no KRaft node names a quorum leader');
}

/** Every partition of paysaga's topics has all its replicas in sync again (a restarted broker has caught up). */
async function inSync(config: Config, timeoutMs = 120_000): Promise<void> {
  const admin = createKafka(config, 'chaos-admin').admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { topics } = await admin.fetchTopicMetadata({ topics: Object.values(TOPICS) }).catch(() => ({ topics: [] }));
      const behind = topics.flatMap((t) => t.partitions.filter((p) => p.isr.length < p.replicas.length));
      if (topics.length > 0 && behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`${behind.length} partitions still under-replicated after ${timeoutMs / 1000}s`);
      await sleep(500);
    }
  } finally {
    await admin.disconnect();
  }
}
