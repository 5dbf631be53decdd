/**
 * CPU seconds and resident memory of processes, read from /proc: a role's process, or an engine's whole
 * process tree (PostgreSQL forks a backend per connection).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const TICKS_PER_S = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface Usage {
  /** User + system CPU seconds since the process started (summed over the group). */
  cpuS: number;
  /** Resident memory now, MiB (summed over the group). */
  rssMiB: number;
}

function readStat(pid: number): { ppid: number; cpuS: number; reapedCpuS: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state is field 3, ppid 4, utime 14, stime 15,
    // cutime 16 and cstime 17 (children it has waited for).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      cpuS: (Number(f[11]) + Number(f[12])) / TICKS_PER_S,
      reapedCpuS: (Number(f[13]) + Number(f[14])) / TICKS_PER_S,
    };
  } catch {
    return undefined; // it ended while we looked
  }
}

function rssMiB(pid: number): number {
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kib ?? 0) / 1024;
  } catch {
    return 0;
  }
}

export function processUsage(pid: number): Usage | undefined {
  const stat = readStat(pid);
  return stat && { cpuS: stat.cpuS, rssMiB: rssMiB(pid) };
}

/**
 * Usage of a process and all its descendants, plus the CPU of the children it has already reaped: PostgreSQL's
 * backends leave the postmaster's process group (setsid), and a backend that has exited counts there.
 */
export function treeUsage(root: number): Usage | undefined {
  const rootStat = readStat(root);
  if (!rootStat) return undefined;
  const children = new Map<number, number[]>();
  const stats = new Map<number, NonNullable<ReturnType<typeof readStat>>>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    stats.set(Number(entry), stat);
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  let cpuS = rootStat.reapedCpuS;
  let rss = 0;
  for (const queue = [root]; queue.length > 0;) {
    const pid = queue.pop()!;
    cpuS += stats.get(pid)?.cpuS ?? 0;
    rss += rssMiB(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return { cpuS, rssMiB: rss };
}

/** Usage of each named process or group now. */
export type UsageSnapshot = Record<string, Usage>;

/** CPU seconds spent between two snapshots and resident memory at the second, per name. */
export function usageBetween(before: UsageSnapshot, after: UsageSnapshot): Record<string, { cpuS: number; rssMiB: number }> {
  const out: Record<string, { cpuS: number; rssMiB: number }> = {};
  for (const [name, a] of Object.entries(after)) {
    const b = before[name];
    if (!b) continue;
    out[name] = { cpuS: Math.round((a.cpuS - b.cpuS) * 100) / 100, rssMiB: Math.round(a.rssMiB) };
  }
  return out;
}
