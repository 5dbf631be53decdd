import { COLD_START_MS } from './cold-start';

/**
 * A harness for the enclosing describe(): set up before its first test and torn down after its last. Call it in
 * the describe's body; the suite's own before() hooks run after the harness is up. Its set-up is first-run work (a
 * workflow bundle, a worker, connections): COLD_START_MS unless the harness needs more.
 */
export function forSuite<H extends { setUp(): Promise<void>; tearDown(): Promise<void> }>(
  harness: H,
  timeouts: { setUpMs: number; tearDownMs: number } = { setUpMs: COLD_START_MS, tearDownMs: 60_000 },
): H {
  before(async function () {
    this.timeout(timeouts.setUpMs);
    await harness.setUp();
  });
  after(async function () {
    this.timeout(timeouts.tearDownMs);
    await harness.tearDown();
  });
  return harness;
}
