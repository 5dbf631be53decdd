/**
 * `npm run bench -- --smoke` runs to the end on the local engines and reports every figure: the sweep's rate
 * with its latency, throughput, backlog and cost of one payment, and every floor. No figure is held to a
 * bound (the machine is shared): this checks the instrument, not the system's speed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config';
import type { BenchReport } from '../../tools/bench/report';
import { stackEngines } from '../../tools/stack';

const root = path.resolve(__dirname, '../..');

const isNumber = (v: unknown, what: string) =>
  assert.ok(typeof v === 'number' && Number.isFinite(v), `${what} is a number (got ${String(v)})`);

function assertLatency(l: unknown, what: string): void {
  assert.ok(l && typeof l === 'object', `${what} is reported`);
  for (const k of ['samples', 'p50Ms', 'p95Ms', 'p99Ms', 'maxMs']) isNumber((l as Record<string, unknown>)[k], `${what}.${k}`);
  assert.ok((l as { samples: number }).samples > 0, `${what} has samples`);
}

describe('npm run bench -- --smoke', function () {
  this.timeout(240_000);

  it('runs the sweep and the floors and reports every figure in JSON, markdown and SVG', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'paysaga-bench-'));
    // All roles in one process: the smoke run starts faster, and the per-role split is not what it checks.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'main.ts', 'bench', '--smoke', '--processes', 'one', '--out', out],
      {
        cwd: root,
        env: process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 0, `the bench exited ${code}:\n${output.slice(-4_000)}`);

    const report = JSON.parse(fs.readFileSync(path.join(out, 'bench.json'), 'utf8')) as BenchReport;
    assert.equal(report.sweep.length, 1, 'the smoke sweep offers one rate');
    const step = report.sweep[0]!;
    for (const k of ['offeredRate', 'decidedPerS', 'falseTimeouts', 'accepted', 'decided'] as const) isNumber(step[k], k);
    assert.ok(step.decided > 0, 'payments were decided');
    assertLatency(step.latency, 'POST → decided');
    isNumber(step.backlog.max, 'backlog max');
    isNumber(step.backlog.slopePerS, 'backlog slope');
    assert.ok(step.backlog.samples.length > 0, 'the backlog was sampled');
    assert.equal(typeof step.sustainable, 'boolean');
    for (const [k, v] of Object.entries(step.cost.perPayment)) isNumber(v, `cost per payment: ${k}`);
    assert.ok(step.cost.perPayment.sqlTransactions > 0, 'SQL transactions were counted');
    assert.ok(step.cost.perPayment.kafkaRecords > 0, 'Kafka records were counted');
    // Every engine of the stack's topology: kafka, temporal and postgres, or the cluster's brokers and services.
    const engines = stackEngines(loadConfig()).map((e) => `engine: ${e.name}`);
    for (const name of ['all roles', ...engines]) {
      const usage = step.cost.processes[name];
      assert.ok(usage, `CPU and memory of ${name} are reported`);
      isNumber(usage.cpuS, `${name} CPU`);
      assert.ok(usage.rssMiB > 0, `${name} resident memory`);
    }
    assert.ok(step.history && step.history.sampled > 0, 'histories were sampled');
    for (const [k, v] of Object.entries(step.history.mean)) isNumber(v, `history ${k}`);
    assert.ok(step.history.mean.events > 0 && step.history.mean.workflowTasks > 0);
    assertLatency(report.oneAtATime, 'one payment at a time');

    const floors = report.floors;
    assert.ok(floors, 'the floors are reported');
    assertLatency(floors.emptyWorkflow, 'empty workflow');
    assertLatency(floors.signal, 'signal call');
    assertLatency(floors.kafkaRoundTrip, 'Kafka round trip');
    assertLatency(floors.postgresCommit, 'PostgreSQL commit');
    assert.ok(floors.sagaShaped.shape.activities + floors.sagaShaped.shape.localActivities > 0, 'the no-op has the saga’s steps');
    assert.ok(floors.sagaShaped.measured, 'the no-op workflow’s own history is reported');
    assert.equal(floors.sagaShaped.sweep.length, 1);
    assertLatency(floors.sagaShaped.sweep[0]!.latency, 'saga-shaped no-op');
    isNumber(report.ratios.p50ToEmptyWorkflow, 'ratio to the empty workflow');
    isNumber(report.ratios.p50ToShapedFloor, 'ratio to the shaped no-op');

    const md = fs.readFileSync(path.join(out, 'bench.md'), 'utf8');
    assert.match(md, /Maximum sustainable rate/);
    assert.match(md, /\| 2 \| [\d.]+ \| [\d.]+ \|/, 'the sweep table has the smoke rate with figures');
    const svg = fs.readFileSync(path.join(out, 'knee.svg'), 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /<polyline [^>]*points="[\d.]+,[\d.]+"/, 'the chart plots the measured rate');
    fs.rmSync(out, { recursive: true, force: true });
  });
});
