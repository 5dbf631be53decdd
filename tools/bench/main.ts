/**
 * npm run bench [-- options]: the load benchmark (docs/performance.md). paysaga as users run it, on the local
 * engines; the engines' floors first, on the idle system; then a sweep of offered rates (open loop over REST)
 * that finds the maximum sustainable rate, with the cost of one payment at each rate. Writes bench.json,
 * bench.md and knee.svg under tools/bench/results/ (or --out).
 */
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../../config';
import { createPool } from '../../db/pool';
import { DemoApi } from '../demo/api';
import { createKafka } from '../../kafka/client';
import { stackDown, stackUp } from '../stack';
import { sleep } from '../stack/proc';
import { connectTemporal } from '../../temporal/connection';
import { paymentWorkflowId } from '../../workflows/shared';
import { CostMeter, historyShape, idleCost, sampleHistories, spread, stepCost } from './cost';
import { DecidedCollector } from './decided-collector';
import { floorSignal, sagaShapedWorkflow, type SagaShape } from './floor-workflows';
import { emptyWorkflowFloor, kafkaFloor, postgresFloor, shapeStep, signalFloor, startFloorWorker } from './floors';
import type { BenchOptions } from './options';
import { P99_BOUND_MS, PaymentLoad } from './payment-load';
import type { BenchReport, Floors, SweepStep } from './report';
import type { LatencySummary } from './stats';
import { BenchSystem } from './system';
import { ConsoleStream } from './console-stream';
import { seedPayments } from './seed';

const log = (line: string) => console.log(`bench: ${line}`);
const ms = (l: LatencySummary | null | undefined) => (l ? `p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms` : 'no samples');

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const loadAverageAtStart = os.loadavg().map((v) => Math.round(v * 100) / 100);
  const { engines } = await stackUp(loadConfig());
  const startedHere = engines.filter((e) => e.state === 'started').map((e) => e.name);
  const system = await BenchSystem.create({ deadlineMs: options.deadlineMs });
  const { config } = system;
  const kafka = createKafka(config, 'bench');
  const pool = createPool(config);
  const client = new Client({ connection: await connectTemporal(config), namespace: config.temporal.namespace });
  const collector = new DecidedCollector(kafka, `${config.kafka.clientId}-bench-decided`);
  let load: PaymentLoad | undefined;
  let consoleStream: ConsoleStream | undefined;
  try {
    log(`starting paysaga (${describeProcesses(options)}, ${config.stack.topology} engines)`);
    await system.start(options.processes, options.instances, path.join(config.stateDir, 'logs', `bench-${system.runId}`));
    await collector.start();
    if (options.seedPayments > 0) {
      log(`seeding ${options.seedPayments} decided payments into the tables`);
      await seedPayments(pool, { count: options.seedPayments, runId: system.runId, caller: `seed-${system.runId}` });
    }
    const apis = system.apiUrls.map((url) => new DemoApi(url, { client: system.clientToken, operator: system.clientToken }));
    load = new PaymentLoad({ apis, kafka, collector, options, runId: system.runId });
    await load.start();
    const warmUp = await load.warmUp(options.smoke ? 2 : 10);
    log(`one payment at a time (warm-up): ${ms(warmUp.latency)}`);
    const realShape = await historyShape(client, paymentWorkflowId(warmUp.paymentIds.at(-1)!));
    log(`a warm-up payment's history: ${JSON.stringify(realShape)}`);

    if (options.warmUpMs > 0) {
      log(`warming up: ${options.rates[0]} payments/s for ${options.warmUpMs / 1000} s, not measured`);
      await load.warmUpAt(options.rates[0]!, options.warmUpMs);
    }
    const meter = new CostMeter({ config, pool, kafka, roles: () => system.usage() });
    const floors = options.floors ? await measureFloors(options, system.config, client, kafka, pool, realShape, meter) : null;

    // What every process costs with nothing offered: at a low rate this is most of a payment's CPU.
    const idleStart = await meter.read();
    await sleep(options.smoke ? 2_000 : 10_000);
    const idle = idleCost(idleStart, await meter.read());
    log(`idle: ${idle.totalMsPerS} ms of CPU per second, all roles and engines together`);

    if (options.consoleStream) {
      consoleStream = new ConsoleStream(system.apiUrl, system.operatorToken);
      await consoleStream.open();
    }
    const sweep: SweepStep[] = [];
    for (const rate of options.rates) {
      log(`offering ${rate} payments/s for ${options.durationMs / 1000} s`);
      const before = await meter.read();
      const { result, paymentIds } = await load.step(rate);
      await sleep(1_500); // PostgreSQL flushes its backends' statistics at most once a second
      const after = await meter.read();
      const ids = spread([...paymentIds.get('fresh')!, ...paymentIds.get('late')!], options.historySample);
      const history = await sampleHistories(client, ids.map(paymentWorkflowId));
      sweep.push({ ...result, cost: stepCost(before, after, result.decided), history });
      log(
        `  ${rate}/s: decided ${result.decidedPerS}/s, ${ms(result.latency)}, false timeouts ${result.falseTimeouts}, ` +
          `backlog max ${result.backlog.max} — ${result.sustainable ? 'sustainable' : `not sustainable (${result.failed.join('; ')})`}`,
      );
      if (!result.sustainable) break; // higher rates fail too: the sweep ends at the knee
    }
    const sustainable = sweep.filter((s) => s.sustainable).map((s) => s.offeredRate);
    const maxSustainableRate = sustainable.length > 0 ? Math.max(...sustainable) : null;
    const first = sweep[0];
    const ratio = (a: number | null | undefined, b: number | null | undefined) =>
      a === null || a === undefined || !b ? null : Math.round((a / b) * 100) / 100;
    const { outDir: _outDir, ...shownOptions } = options;
    return {
      benchmark: 'paysaga under open-loop load over REST, beside the engines’ floors measured in the same run',
      measuredAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        loadAverageAtStart,
        note: 'Every engine, every role and the load generator share this machine; other work on it moves the figures: compare ratios to the floors of the same run.',
      },
      options: shownOptions,
      system: {
        processes: describeProcesses(options),
        seededPayments: options.seedPayments,
        consoleStreamEvents: consoleStream?.events ?? null,
        topology: config.stack.topology,
        kafkaReplicationFactor: config.kafka.replicationFactor,
        readyMs: system.readyMs(),
        accounts: load.accountsByKind(),
      },
      sweep,
      maxSustainableRate,
      oneAtATime: warmUp.latency,
      idle,
      floors,
      ratios: {
        sustainableRateToShapedFloor: ratio(maxSustainableRate, floors?.sagaShaped.maxSustainableRate),
        p50ToEmptyWorkflow: ratio(first?.latency?.p50Ms, floors?.emptyWorkflow.p50Ms),
        p50ToShapedFloor: ratio(first?.latency?.p50Ms, floors?.sagaShaped.sweep[0]?.latency?.p50Ms),
      },
    };
  } finally {
    await consoleStream?.close();
    await load?.stop();
    await collector.stop().catch(() => undefined);
    await system.stop();
    await client.connection.close();
    await pool.end();
    await system.dropDatabase();
    if (startedHere.length > 0) await stackDown(loadConfig(), startedHere);
  }
}

function describeProcesses(options: BenchOptions): string {
  if (options.processes === 'one') return 'all roles in one process';
  return options.instances === 2 ? 'one process per role instance, every role twice (the gateway once)' : 'one process per role';
}

/** The floors on the idle system, with the no-op saga shaped by a real payment's history of this run. */
async function measureFloors(
  options: BenchOptions,
  config: Config,
  client: Client,
  kafka: ReturnType<typeof createKafka>,
  pool: ReturnType<typeof createPool>,
  real: Awaited<ReturnType<typeof historyShape>>,
  meter: CostMeter,
): Promise<Floors> {
  const n = options.floorSamples;
  const worker = await startFloorWorker(config);
  try {
    const emptyWorkflow = await emptyWorkflowFloor(client, worker.taskQueue, n.emptyWorkflow);
    log(`floor: empty workflow ${ms(emptyWorkflow)}`);
    const signal = await signalFloor(client, worker.taskQueue, n.signal);
    log(`floor: signal call ${ms(signal)}`);
    const kafkaRoundTrip = await kafkaFloor(kafka, n.kafka);
    log(`floor: Kafka round trip ${ms(kafkaRoundTrip)}`);
    const postgresCommit = await postgresFloor(pool, n.postgres);
    log(`floor: PostgreSQL commit ${ms(postgresCommit)}`);
    const shape: SagaShape = {
      activities: real.activities,
      localActivities: real.localActivities,
      signals: real.signals,
      timers: real.timers,
      upserts: real.upserts,
    };
    // One run of the shaped workflow alone, to check its history matches the saga's.
    const handle = await client.workflow.start(sagaShapedWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `bench-shape-check-${Date.now()}`,
      args: [shape],
    });
    for (let i = 0; i < shape.signals; i++) await handle.signal(floorSignal);
    await handle.result();
    const measured = await historyShape(client, handle.workflowId);
    log(`floor: saga-shaped no-op ${JSON.stringify(shape)}, its history ${JSON.stringify(measured)}`);
    // Its worker is as new as the roles were: warmed up the same way, not measured.
    if (options.warmUpMs > 0)
      await shapeStep(client, worker.taskQueue, shape, options.rates[0]!, options.warmUpMs, options.drainMs, P99_BOUND_MS);
    const sweep = [];
    for (const rate of options.rates) {
      const step = await shapeStep(client, worker.taskQueue, shape, rate, options.durationMs, options.drainMs, P99_BOUND_MS, () =>
        meter.cpuS(['temporal']),
      );
      sweep.push(step);
      log(
        `  no-op shape at ${rate}/s: completed ${step.completedPerS}/s, ${ms(step.latency)}, ${step.cpuMsPerWorkflow ?? '–'} ms CPU each — ${step.sustainable ? 'sustainable' : step.failed.join('; ')}`,
      );
      if (!step.sustainable) break;
    }
    const ok = sweep.filter((s) => s.sustainable).map((s) => s.offeredRate);
    return {
      emptyWorkflow,
      signal,
      kafkaRoundTrip,
      postgresCommit,
      sagaShaped: { shape, measured, sweep, maxSustainableRate: ok.length > 0 ? Math.max(...ok) : null },
    };
  } finally {
    await worker.stop();
  }
}
