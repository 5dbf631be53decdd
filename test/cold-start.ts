/**
 * First-run work in a test: loading ESLint with the project's config, a JVM's first workflow, a workflow bundle, a
 * browser, a tsx process compiling paysaga with an empty cache. On a warm machine it takes a second; on a cold 2-core
 * machine that runs other work, ten times that and more, which mocha's 2 s default does not allow.
 */

/** What first-run work may take on a cold 2-core machine. */
export const COLD_START_MS = 120_000;

/**
 * A before() hook that does a suite's first-run work once, within COLD_START_MS, and prints how long it took, so
 * that the tests after it are timed on warm code and a slow machine shows where its time went.
 */
export function beforeColdStart(what: string, work: () => Promise<void>): void {
  before(async function () {
    this.timeout(COLD_START_MS);
    const start = performance.now();
    await work();
    console.log(`    (${what}: ${((performance.now() - start) / 1000).toFixed(1)} s)`);
  });
}
