/**
 * npm run soak: paysaga as the bench runs it (every role its own process, on the local engines) under steady
 * demo traffic, with an operator in the console in Chromium, for a bounded time; every series sampled at an
 * interval, then its trend after the warm-up. A day of use must leak nothing: no series may grow.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../config';
import { createPool } from '../../db/pool';
import { createKafka } from '../../kafka/client';
import { DecidedCollector } from '../bench/decided-collector';
import { BenchSystem } from '../bench/system';
import { DemoApi } from '../demo/api';
import { stackDown, stackUp } from '../stack';
import { ConsoleTour } from './console-tour';
import type { SoakOptions } from './options';
import { trendsOf, type SoakReport } from './report';
import { Sampler, type Sample } from './sampler';
import { Traffic } from './traffic';

const log = (line: string) => console.log(`soak: ${line}`);
/** How long accepted payments get to be decided after the traffic stops. */
const DRAIN_MS = 60_000;

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: __dirname }).trim();
  } catch {
    return 'unknown';
  }
}

/** The report; undefined when `signal` aborted the soak (Ctrl-C), after everything it started has stopped. */
export async function runSoak(options: SoakOptions, signal: AbortSignal): Promise<SoakReport | undefined> {
  const loadAverageAtStart = os.loadavg().map((v) => Math.round(v * 100) / 100);
  const { engines } = await stackUp(loadConfig());
  const startedHere = engines.filter((e) => e.state === 'started').map((e) => e.name);
  const system = await BenchSystem.create({ deadlineMs: 30_000 });
  const { config } = system;
  const kafka = createKafka(config, 'soak');
  const pool = createPool(config);
  const collector = new DecidedCollector(kafka, `${config.kafka.clientId}-soak-decided`);
  const api = new DemoApi(system.apiUrl, { client: system.clientToken, operator: system.operatorToken });
  const traffic = new Traffic({ api, kafka, collector, runId: system.runId });
  const tour = new ConsoleTour({
    apiUrl: system.apiUrl,
    operatorToken: system.operatorToken,
    dwell: options.dwell,
    quickShare: options.quickShare,
    recentPayments: () => traffic.recent(20),
  });
  // Ends the traffic and the tour: at the soak's end, or at once on Ctrl-C.
  const leaving = new AbortController();
  const stopTour = () => leaving.abort();
  signal.addEventListener('abort', stopTour);
  try {
    log('starting paysaga (one process per role)');
    await system.start('per-role', 1, path.join(config.stateDir, 'logs', `soak-${system.runId}`));
    await collector.start();
    await traffic.start();
    await tour.signIn();
    const sampler = new Sampler({ config, pool, metricsPorts: system.metricsPorts(), roles: () => system.usage() });
    await sampler.sample(); // the baseline of the rates
    log(`${options.rate} payments/s and the console tour for ${options.durationMs / 60_000} min`);
    // Ctrl-C ends the browser too (it shares the terminal): the tour's failure counts only when nothing stopped it.
    let tourFailure: Error | undefined;
    const touring = tour.run(leaving.signal).catch((err: unknown) => {
      if (!leaving.signal.aborted) tourFailure = err instanceof Error ? err : new Error(String(err));
      stopTour();
    });
    const offered = traffic.run(options.rate, leaving.signal);
    const samples: Sample[] = [];
    const until = Date.now() + options.durationMs;
    while (Date.now() < until && !leaving.signal.aborted) {
      await sleep(Math.min(options.intervalMs, until - Date.now()), undefined, { signal: leaving.signal }).catch(() => undefined);
      if (leaving.signal.aborted) break; // Ctrl-C (the roles got it too: they are stopping) or the tour failed
      const s = await sampler.sample();
      if (!s) continue;
      samples.push(s);
      log(
        `${s.atS}s: ${s.openStreams} open streams, ${s.dbConnections} connections, ${s.dbTransactionsPerS} tx/s, ` +
          `api ${s.rssMiB.api ?? '?'} MiB, ${traffic.counted().decided} decided`,
      );
    }
    stopTour();
    await Promise.all([touring, offered]);
    await tour.close();
    if (tourFailure) throw tourFailure;
    if (signal.aborted) return undefined;
    await sleep(10_000); // the api sees the browser's sockets close
    const openStreamsAfterLeaving = (await sampler.sample())?.openStreams ?? -1;
    for (const end = Date.now() + DRAIN_MS; traffic.counted().undecided > 0 && Date.now() < end;) await sleep(1_000);
    const trends = trendsOf(samples, options.warmUpMs / 1000);
    const counts = traffic.counted();
    const tourCounts = tour.counted();
    const { outDir: _outDir, ...shownOptions } = options;
    return {
      soak: 'paysaga under steady demo traffic with an operator in the console, every series sampled at an interval',
      measuredAt: new Date().toISOString(),
      commit: commit(),
      loadAverageAtStart,
      options: shownOptions,
      traffic: counts,
      tour: tourCounts,
      openStreamsAfterLeaving,
      trends,
      ok:
        trends.every((t) => t.verdict !== 'grows') &&
        openStreamsAfterLeaving === 0 &&
        counts.undecided === 0 &&
        counts.errors === 0 &&
        tourCounts.pageErrors.length === 0,
      samples,
    };
  } finally {
    signal.removeEventListener('abort', stopTour);
    stopTour();
    await tour.close().catch(() => undefined);
    await traffic.stop().catch(() => undefined);
    await collector.stop().catch(() => undefined);
    await system.stop();
    await pool.end();
    if (startedHere.length > 0) await stackDown(loadConfig(), startedHere);
  }
}
