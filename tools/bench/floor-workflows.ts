/**
 * The bench's floor workflows, on a worker and task queue of their own: an empty workflow, a target for
 * signal calls, and a no-op workflow of the saga's shape (as many activities, local activities, signals,
 * timers and search-attribute upserts as a measured payment's history holds), whose every step does nothing.
 */
import {
  condition,
  defineSignal,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { PaymentStatusKey } from '../../workflows/search-attributes';
import type { FloorActivities } from './floor-activities';

export interface SagaShape {
  activities: number;
  localActivities: number;
  signals: number;
  timers: number;
  upserts: number;
}

export const floorSignal = defineSignal('floorSignal');
export const floorStopSignal = defineSignal('floorStop');

const { noop } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s' });
const { noop: localNoop } = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '30s' });

export async function emptyWorkflow(): Promise<void> {}

/** Counts signals until it is told to stop. */
export async function signalTarget(): Promise<number> {
  let received = 0;
  let stop = false;
  setHandler(floorSignal, () => void received++);
  setHandler(floorStopSignal, () => void (stop = true));
  await condition(() => stop);
  return received;
}

/** Waits for its signals (under one long timer if the saga has one), then runs its no-op steps in turn. */
export async function sagaShapedWorkflow(shape: SagaShape): Promise<void> {
  let received = 0;
  setHandler(floorSignal, () => void received++);
  let upserts = shape.upserts;
  const upsert = (status: string) => {
    if (upserts-- > 0) upsertSearchAttributes([{ key: PaymentStatusKey, value: status }]);
  };
  upsert('BENCH_RECEIVED');
  if (shape.timers > 0) await condition(() => received >= shape.signals, '1 day');
  else await condition(() => received >= shape.signals);
  for (let i = 0; i < shape.localActivities; i++) {
    await localNoop();
    upsert(`BENCH_LOCAL_${i}`);
  }
  for (let i = 0; i < shape.activities; i++) {
    await noop();
    upsert(`BENCH_ACTIVITY_${i}`);
  }
  while (upserts > 0) upsert('BENCH_DONE');
}
