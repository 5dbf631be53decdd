/**
 * roles/periodic-job.ts: the retention jobs' runner. A failing run is logged and counted, and the job goes on;
 * stop() ends it, after the run in hand.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { configureLogging } from '../../observability/logger';
import { metrics } from '../../observability/metrics';
import { startPeriodicJob } from '../../roles/periodic-job';
import { eventually, sleep } from '../eventually';

const failuresOf = async (job: string) =>
  (await metrics.periodicJobFailures.get()).values.find((v) => v.labels.job === job)?.value ?? 0;

describe('periodic jobs (roles/periodic-job.ts)', () => {
  let lines: Record<string, unknown>[] = [];
  before(() =>
    configureLogging({
      level: 'info',
      format: 'json',
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    }),
  );
  after(() => configureLogging({ level: 'info', format: 'json' }));
  beforeEach(() => (lines = []));

  it('logs and counts a failing run, and still runs at the next tick', async () => {
    const name = `test-retention-${randomUUID()}`;
    let calls = 0;
    const job = startPeriodicJob({
      name,
      everyMs: 5,
      run: async () => {
        if (++calls === 1) throw new Error('connection terminated');
        return { deleted: 3 };
      },
    });
    try {
      await eventually('a run after the failed one', async () => calls >= 2);
    } finally {
      await job.stop();
    }
    assert.equal(await failuresOf(name), 1, 'paysaga_periodic_job_failures_total{job} counts the failed run');
    const failed = lines.filter((l) => l.job === name);
    assert.equal(failed.length, 1, 'one line for the one failure');
    assert.equal(failed[0]!.level, 40, 'logged as a warning');
    assert.equal(failed[0]!.err, 'connection terminated');
  });

  it('stop() waits for the run in hand and runs it no more', async () => {
    let calls = 0;
    let finish!: () => void;
    let finished = false;
    const job = startPeriodicJob({
      name: `test-retention-${randomUUID()}`,
      everyMs: 1,
      run: () => {
        calls++;
        return new Promise<void>((resolve) => (finish = () => ((finished = true), resolve())));
      },
    });
    await eventually('the first run', async () => calls === 1);
    const stopping = job.stop();
    setImmediate(() => finish());
    await stopping;
    assert.equal(finished, true, 'stop() resolved only after the run in hand ended');
    await sleep(50); // fifty periods: a job still scheduled would have run again
    assert.equal(calls, 1);
  });
});
