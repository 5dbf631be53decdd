/**
 * Mocha global fixture of both test scripts: the run ends when its suites do. Mocha runs without --exit, so a
 * socket, server, timer or child process that a test or the product left behind keeps the process alive; this
 * fixture names it instead of letting the run hang. From the start it records where each such resource was
 * created (async_hooks, handle types only); after the last teardown, if the process is still alive a few
 * seconds later, it prints each resource that still holds the event loop, with its type and creation stack,
 * and exits non-zero.
 *
 * Required after test/stack.fixture.ts, so that its teardown (stopping the engines) has finished first.
 */
import { createHook } from 'node:async_hooks';
import { ChildProcess } from 'node:child_process';
import net from 'node:net';

/** How long the process may take to end after the last teardown: sockets closing, a child's exit being read. */
const GRACE_MS = 10_000;
/** Resource types that can keep the event loop alive (promises and the like cannot). */
const HOLDING_TYPES = new Set([
  'Timeout',
  'Immediate',
  'TCPWRAP',
  'TCPSERVERWRAP',
  'PIPEWRAP',
  'PIPESERVERWRAP',
  'UDPWRAP',
  'PROCESSWRAP',
  'SIGNALWRAP',
  'FSEVENTWRAP',
  'STATWATCHER',
  'TTYWRAP',
]);

interface Created {
  type: string;
  stack: string;
  resource: WeakRef<object>;
}

const live = new Map<number, Created>();

function creationStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  // Drop this file's frames and Node's own; what is left starts where the resource was created.
  return stack
    .split('\n')
    .slice(1)
    .filter((line) => !line.includes('open-handles.ts') && !line.includes('node:internal') && !/\(node:[a-z_]+/.test(line))
    .slice(0, 8)
    .join('\n');
}

const hook = createHook({
  init(asyncId, type, _trigger, resource) {
    if (!HOLDING_TYPES.has(type)) return;
    live.set(asyncId, { type, stack: creationStack(), resource: new WeakRef(resource) });
  },
  destroy(asyncId) {
    live.delete(asyncId);
  },
});
hook.enable();

/** A resource still holds the loop when it is alive and referenced (an unref'd timer or socket does not). */
function holds(resource: object): boolean {
  const r = resource as { hasRef?: () => boolean; _destroyed?: boolean };
  if (r._destroyed === true) return false; // a timer that fired or was cleared
  return typeof r.hasRef === 'function' ? r.hasRef() : true;
}

/** What a resource is, from the object Node keeps for it: a socket's peer, a server's address, a timer's delay. */
function whatItIs(resource: object): string {
  const ownerKey = Object.getOwnPropertySymbols(resource).find((k) => k.description === 'owner_symbol');
  const owner = (ownerKey ? (resource as Record<symbol, unknown>)[ownerKey] : resource) as Record<string, unknown>;
  if (owner instanceof net.Socket) return `socket to ${owner.remoteAddress}:${owner.remotePort} from port ${owner.localPort}`;
  if (owner instanceof net.Server) return `server on ${JSON.stringify(owner.address())}`;
  if (owner instanceof ChildProcess) return `child process ${owner.pid}: ${owner.spawnargs.join(' ').slice(0, 200)}`;
  const timer = resource as { _idleTimeout?: number; _repeat?: number | null; _onTimeout?: { name?: string } };
  if (typeof timer._idleTimeout === 'number')
    return `${timer._repeat ? 'interval' : 'timer'} of ${timer._idleTimeout} ms calling ${timer._onTimeout?.name || 'an anonymous function'}`;
  return owner.constructor?.name ?? 'unknown';
}

function describeHolders(): string[] {
  const found: string[] = [];
  for (const { type, stack, resource } of live.values()) {
    const r = resource.deref();
    if (!r || !holds(r)) continue;
    found.push(`${type} (${whatItIs(r)}), created\n${stack || '    (in a callback of Node itself: no caller recorded)'}`);
  }
  return found;
}

export function mochaGlobalTeardown(): void {
  setTimeout(() => {
    const holders = describeHolders();
    const kinds = process.getActiveResourcesInfo().filter((t) => t !== 'TTYWrap');
    console.error(
      `\nopen handles: the process was still running ${GRACE_MS / 1000} s after the last suite; still open: ` +
        `${kinds.join(', ') || '(none Node can name)'}\n\n${holders.join('\n\n') || '(no creation recorded)'}\n`,
    );
    const code = typeof process.exitCode === 'number' && process.exitCode > 0 ? process.exitCode : 1;
    // Mocha sets the exit code to its failure count in an 'exit' listener of its own; this one runs after it.
    process.on('exit', () => (process.exitCode = code));
    process.exit(code);
  }, GRACE_MS).unref();
}
