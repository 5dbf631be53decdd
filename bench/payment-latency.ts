/**
 * npm run bench: the time from POST /payments to the decided event on Kafka, for payments whose account
 * state is already fresh, through the whole pipeline on the real engines (api → outbox relay → Kafka →
 * bridge → Temporal dev server → worker → gateway simulator → outbox relay → Kafka). Sequential requests,
 * so each figure is one payment's own latency. Writes bench/results/payment-latency.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { stackDown, stackUp } from '../stack';
import { PipelineHarness } from '../test/integration/pipeline-harness';

const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 100);
const WARMUP = 5;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const { engines } = await stackUp(loadConfig());
  const startedHere = engines.filter((e) => e.state === 'started').map((e) => e.name);
  const h = new PipelineHarness();
  await h.setUp();
  try {
    const accounts = Array.from({ length: 10 }, () => h.accountId());
    const asOf = new Date(Date.now() + 3_600_000).toISOString(); // fresh for every payment of this run
    await h.publishAccountStates(...accounts.map((a) => h.accountState(a, { asOf, balance: 100_000_000 })));
    for (const a of accounts) {
      while ((await h.pool.query('select 1 from account_states where account_id = $1', [a])).rowCount === 0)
        await new Promise((r) => setTimeout(r, 20));
    }
    const latencies: number[] = [];
    for (let i = 0; i < WARMUP + PAYMENTS; i++) {
      const t0 = Date.now();
      const paymentId = await h.submit({ accountId: accounts[i % accounts.length]!, amount: 1_000 });
      await h.decision(paymentId);
      if (i >= WARMUP) latencies.push(h.decidedArrival.get(paymentId)! - t0);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      benchmark: 'POST /payments → payments.authorization.decided on Kafka, fresh account state',
      measuredAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
      payments: latencies.length,
      warmup: WARMUP,
      ms: {
        median: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        min: sorted[0],
        max: sorted.at(-1),
      },
    };
    const file = path.resolve(__dirname, 'results', 'payment-latency.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
    console.log(`written to ${file}`);
  } finally {
    await h.tearDown();
    if (startedHere.length > 0) await stackDown(loadConfig(), startedHere);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
