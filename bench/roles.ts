/**
 * npm run bench (second part): each role run alone as its own process (`main.ts run <role>`, as on a
 * machine of its own), on the running local engines: the time from exec to "paysaga: ready" (every role
 * ready, /health/ready) and its resident memory once ready and idle, then all roles in one process.
 * Writes bench/results/roles.json.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { ROLE_NAMES } from '../roles';
import { stackDown, stackUp } from '../stack';
import { freePort } from '../stack/proc';

const root = path.resolve(__dirname, '..');
const IDLE_MS = 5_000;

const rssMiB = (pid: number) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
};

async function measure(roles: string): Promise<{ roles: string; readyMs: number; rssMiB: number }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    API_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    API_TOKENS: JSON.stringify([{ token: 'bench-token-0123456789abcdef', subject: 'bench', roles: ['client'] }]),
  };
  const t0 = Date.now();
  // node directly (not npx/npm), so the pid measured is the role's own process.
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts', 'run', roles], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  try {
    while (!output.includes('paysaga: ready')) {
      if (child.exitCode !== null) throw new Error(`${roles} exited: ${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const readyMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return { roles, readyMs, rssMiB: rssMiB(child.pid!) };
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  const { engines } = await stackUp(loadConfig());
  const startedHere = engines.filter((e) => e.state === 'started').map((e) => e.name);
  try {
    const results = [];
    for (const role of [...ROLE_NAMES, ROLE_NAMES.join(',')]) {
      const result = await measure(role);
      console.log(`${result.roles.padEnd(20)} ready in ${result.readyMs} ms, resident ${result.rssMiB} MiB`);
      results.push(result);
    }
    const file = path.join(__dirname, 'results', 'roles.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          host: { cpus: os.cpus().length, node: process.version },
          idleMs: IDLE_MS,
          results,
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`written to ${path.relative(process.cwd(), file)}`);
  } finally {
    if (startedHere.length > 0) await stackDown(loadConfig(), startedHere);
  }
}

void main();
