/**
 * The engines' floors, measured in the same run as paysaga: what an empty workflow, a signal call, a no-op
 * workflow of the saga's shape, a Kafka round trip and a PostgreSQL commit cost on this machine right now.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Partitioners, type Kafka } from 'kafkajs';
import type { Config } from '../../config';
import type { Pool } from '../../db/pool';
import { setGroupToTopicEnd } from '../../kafka/group-offsets';
import { sleep } from '../stack/proc';
import { temporalConnectionOptions } from '../../temporal/connection';
import { workflowTaskSlots } from '../../workers/worker';
import { floorActivities } from './floor-activities';
import { emptyWorkflow, floorSignal, floorStopSignal, sagaShapedWorkflow, signalTarget, type SagaShape } from './floor-workflows';
import { offer, sampleBacklog } from './open-loop';
import { backlogGrowing, summarize, type BacklogSample, type LatencySummary } from './stats';

/** The floor workflows' worker, with the payment worker's slot settings so the comparison is like for like. */
export async function startFloorWorker(config: Config): Promise<{ taskQueue: string; stop: () => Promise<void> }> {
  const taskQueue = `bench-floor-${randomUUID().slice(0, 8)}`;
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue,
    workflowsPath: require.resolve('./floor-workflows'),
    activities: floorActivities,
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    ...workflowTaskSlots(config),
  });
  const running = worker.run();
  return {
    taskQueue,
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<LatencySummary> {
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    latencies.push(performance.now() - t0);
  }
  return summarize(latencies)!;
}

/** Start → result of an empty workflow, one at a time. */
export function emptyWorkflowFloor(client: Client, taskQueue: string, n: number): Promise<LatencySummary> {
  return timed(n, () => client.workflow.execute(emptyWorkflow, { taskQueue, workflowId: `bench-empty-${randomUUID()}` }));
}

/** One signal call to a running workflow, one at a time. */
export async function signalFloor(client: Client, taskQueue: string, n: number): Promise<LatencySummary> {
  const handle = await client.workflow.start(signalTarget, { taskQueue, workflowId: `bench-signal-${randomUUID()}` });
  try {
    return await timed(n, () => handle.signal(floorSignal));
  } finally {
    await handle.signal(floorStopSignal);
    await handle.result();
  }
}

export interface ShapeStepResult {
  offeredRate: number;
  durationS: number;
  started: number;
  completed: number;
  /** Completions per second over the second half of the offered window. */
  completedPerS: number;
  /** Start → result, signals included. */
  latency: LatencySummary | null;
  backlog: { samples: BacklogSample[]; max: number; slopePerS: number; growing: boolean };
  sustainable: boolean;
  failed: string[];
  /**
   * CPU ms per completed workflow of what the floor runs on (the Temporal engine, and the bench process that holds
   * its client and worker), over the step: what the saga's shape costs with nothing else.
   */
  cpuMsPerWorkflow?: number;
}

/** The saga-shaped no-op workflow offered at `rate`/s (open loop): start, its signals, its result. */
export async function shapeStep(
  client: Client,
  taskQueue: string,
  shape: SagaShape,
  rate: number,
  durationMs: number,
  drainMs: number,
  p99BoundMs: number,
  /** CPU seconds so far of what the floor runs on; read before and after the step. */
  cpuS?: () => number,
): Promise<ShapeStepResult> {
  const cpuBefore = cpuS?.();
  const runs: { t0: number; done?: number; error?: string }[] = [];
  const startedAt = Date.now();
  const sampler = sampleBacklog(() => runs.filter((r) => r.done === undefined && r.error === undefined).length, startedAt);
  const { inFlight } = await offer(rate, durationMs, async () => {
    const run: (typeof runs)[number] = { t0: Date.now() };
    runs.push(run);
    try {
      const handle = await client.workflow.start(sagaShapedWorkflow, {
        taskQueue,
        workflowId: `bench-shape-${randomUUID()}`,
        args: [shape],
      });
      for (let i = 0; i < shape.signals; i++) await handle.signal(floorSignal);
      await handle.result();
      run.done = Date.now();
    } catch (err) {
      run.error = (err as Error).message;
    }
  });
  const drainUntil = Date.now() + drainMs;
  await Promise.race([Promise.all(inFlight), sleep(drainMs)]);
  while (Date.now() < drainUntil && runs.some((r) => r.done === undefined && r.error === undefined)) await sleep(100);
  const samples = sampler.stop();
  const cpuUsed = cpuBefore === undefined ? undefined : cpuS!() - cpuBefore;
  const half = startedAt + durationMs / 2;
  const latency = summarize(runs.filter((r) => r.done !== undefined).map((r) => r.done! - r.t0));
  const trend = backlogGrowing(samples, rate, durationMs / 1000);
  const completed = runs.filter((r) => r.done !== undefined).length;
  const failed: string[] = [];
  if (!latency) failed.push('no workflow completed');
  else if (latency.p99Ms >= p99BoundMs) failed.push(`p99 ${latency.p99Ms} ms ≥ ${p99BoundMs} ms`);
  if (trend.growing) failed.push(`backlog growing ${trend.slopePerS}/s`);
  if (completed < runs.length) failed.push(`${runs.length - completed} not completed`);
  return {
    offeredRate: rate,
    durationS: durationMs / 1000,
    started: runs.length,
    completed,
    completedPerS:
      Math.round(
        (runs.filter((r) => r.done !== undefined && r.done >= half && r.done < startedAt + durationMs).length /
          (durationMs / 2000)) *
          10,
      ) / 10,
    latency,
    backlog: { samples, max: Math.max(0, ...samples.map((s) => s.backlog)), slopePerS: trend.slopePerS, growing: trend.growing },
    sustainable: failed.length === 0,
    failed,
    ...(cpuUsed !== undefined && completed > 0 ? { cpuMsPerWorkflow: Math.round((cpuUsed * 1000 * 10) / completed) / 10 } : {}),
  };
}

/** KafkaJS produce (acks all, idempotent) → consume on a topic of the bench's own, one record at a time. */
export async function kafkaFloor(kafka: Kafka, n: number): Promise<LatencySummary> {
  const topic = 'paysaga.bench.round-trip';
  const groupId = `paysaga-bench-round-trip-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
  await setGroupToTopicEnd(kafka, groupId, topic);
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const arrived = new Map<string, () => void>();
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    await consumer.subscribe({ topic });
    await consumer.run({ eachMessage: async ({ message }) => arrived.get(message.value?.toString() ?? '')?.() });
    const roundTrip = async () => {
      const id = randomUUID();
      const received = new Promise<void>((r) => arrived.set(id, r));
      await producer.send({ topic, acks: -1, messages: [{ value: id }] });
      await received;
      arrived.delete(id);
    };
    await roundTrip(); // the first waits for the group to form: not a round trip's cost
    return await timed(n, roundTrip);
  } finally {
    await Promise.all([producer.disconnect(), consumer.disconnect()]);
  }
}

/** One single-row INSERT committed on its own (autocommit), one at a time, on a table of the bench's own. */
export async function postgresFloor(pool: Pool, n: number): Promise<LatencySummary> {
  const table = 'bench_commit_floor';
  const client = await pool.connect();
  try {
    await client.query(`create table if not exists ${table} (id bigserial primary key, at timestamptz not null default now())`);
    return await timed(n, () => client.query(`insert into ${table} default values`));
  } finally {
    await client.query(`drop table if exists ${table}`).catch(() => undefined);
    client.release();
  }
}
