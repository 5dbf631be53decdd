/** Process plumbing for the local engines: detached daemons with pid files, port probes, waits and progress. */
import { spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export class StackError extends Error {
  override name = 'StackError';
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user (e.g. postgres started as its own user).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid from a pid file, if that process is still alive. */
export function runningPid(pidFile: string): number | undefined {
  const pid = readPid(pidFile);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The kernel's ephemeral range: the source ports it hands to outgoing connections (Linux; elsewhere IANA's
 * 49152–65535, which macOS and Windows use).
 */
export function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // not Linux
  }
  return [49152, 65535];
}

/** Below this, the well-known and registered ports the engines and other services use (5432, 7233, 9092 …). */
const LOWEST_PICKED_PORT = 20_000;
const picked = new Set<number>();

function listensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, for a listener that may be (re)bound later: a
 * supervised role restarted on the same METRICS_PORT after a kill, an api started after its port was chosen.
 * It is picked outside the kernel's ephemeral range: a port from that range (what `listen(0)` gives) can be
 * taken meanwhile by any process's outgoing connection (a database pool reconnecting after a restart), and a
 * listener cannot bind a port a connection uses (EADDRINUSE), for as long as that connection lives. That
 * turned a role kill in the fault suite into a restart loop. Never the same port twice in one process.
 */
export async function freePort(): Promise<number> {
  const [low, high] = ephemeralPortRange();
  const candidates = (from: number, to: number) => Math.max(0, to - from + 1);
  const below = candidates(LOWEST_PICKED_PORT, Math.min(low - 1, 65535));
  const above = candidates(Math.max(high + 1, LOWEST_PICKED_PORT), 65535);
  for (let attempt = 0; attempt < 100 && below + above > 0; attempt++) {
    const n = Math.floor(Math.random() * (below + above));
    const port = n < below ? LOWEST_PICKED_PORT + n : Math.max(high + 1, LOWEST_PICKED_PORT) + n - below;
    if (picked.has(port)) continue;
    picked.add(port); // before the probe: concurrent calls must not both take it
    if (await listensOn(port)) return port;
  }
  // No room outside the ephemeral range (a range set to cover every port): the kernel's pick, as before.
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Two free ports in a row, as freePort picks them: the first for a role, the next for its second instance. */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await freePort();
    if (port >= 65535 || picked.has(port + 1)) continue;
    picked.add(port + 1);
    if (await listensOn(port + 1)) return port;
  }
  throw new StackError('no two free ports in a row on 127.0.0.1');
}

export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log yet)';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns true; on timeout fails with the last lines of the engine's log. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; logFile?: string; pid?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (opts.pid !== undefined && !isAlive(opts.pid)) {
      throw new StackError(`${what}: the process exited while starting. Last log lines:\n${tail(opts.logFile ?? '')}`);
    }
    await sleep(250);
  }
  throw new StackError(
    `${what}: not healthy after ${opts.timeoutMs / 1000}s.` +
      (opts.logFile ? ` Last lines of ${opts.logFile}:\n${tail(opts.logFile)}` : ''),
  );
}

/**
 * Starts a long-running process in its own process group, detached from this one, with stdout and stderr
 * appended to logFile and its pid written to pidFile, so `stack down` from another shell can stop it.
 */
export function startDaemon(opts: {
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}): number {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  fs.mkdirSync(path.dirname(opts.pidFile), { recursive: true });
  const log = fs.openSync(opts.logFile, 'a');
  fs.writeSync(log, `\n==== ${new Date().toISOString()} ${opts.command} ${opts.args.join(' ')}\n`);
  const spawnOpts: SpawnOptions = {
    detached: true,
    stdio: ['ignore', log, log],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  };
  if (opts.uid !== undefined) spawnOpts.uid = opts.uid;
  if (opts.gid !== undefined) spawnOpts.gid = opts.gid;
  const child = spawn(opts.command, opts.args, spawnOpts);
  fs.closeSync(log);
  if (child.pid === undefined) throw new StackError(`could not start ${opts.command}`);
  child.unref();
  fs.writeFileSync(opts.pidFile, `${child.pid}\n`);
  return child.pid;
}

/** Signals a daemon's process group, waits for it to exit, and escalates to SIGKILL after graceMs. */
export async function stopDaemon(pidFile: string, signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<boolean> {
  const pid = runningPid(pidFile);
  if (pid === undefined) {
    fs.rmSync(pidFile, { force: true });
    return false;
  }
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signalGroup(signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    signalGroup('SIGKILL');
    while (isAlive(pid)) await sleep(100);
  }
  fs.rmSync(pidFile, { force: true });
  return true;
}

/** Runs a command to completion with its output in logFile, printing a heartbeat while it runs. */
export async function runLogged(
  label: string,
  command: string,
  args: string[],
  opts: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string) => string | undefined },
): Promise<void> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = fs.createWriteStream(opts.logFile, { flags: 'a' });
  const started = Date.now();
  let status = '';
  const heartbeat = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    console.log(`  ${label}: still working (${s}s${status ? `, ${status}` : ''}; log: ${opts.logFile})`);
  }, 15_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let pending = '';
      const onData = (chunk: Buffer) => {
        log.write(chunk);
        if (!opts.onLine) return;
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) status = opts.onLine(line) ?? status;
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', (err) =>
        reject(new StackError(`${label}: cannot run ${command}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)),
      );
      child.once('close', (code) =>
        code === 0
          ? resolve()
          : reject(
              new StackError(`${label}: ${command} exited with ${code}. Last lines of ${opts.logFile}:\n${tail(opts.logFile)}`),
            ),
      );
    });
  } finally {
    clearInterval(heartbeat);
    await new Promise((r) => log.end(r));
  }
}

/** The absolute path of an executable on PATH, if there is one. */
export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
