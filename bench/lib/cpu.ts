import { readdir, readFile } from 'node:fs/promises';

/** CPU seconds used so far, per group of processes on this machine, from /proc (Linux only). */
export type CpuSnapshot = Record<string, number>;

const TICKS_PER_SECOND = 100;

interface ProcessStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime + cutime + cstime: its own CPU and that of children it has reaped. */
  ticks: number;
}

async function readStat(pid: string): Promise<ProcessStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses; the fields after its last ')' are fixed.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
    return { pid: Number(pid), ppid: Number(fields[1]), comm, ticks };
  } catch {
    return undefined; // it exited while we were reading
  }
}

/**
 * Groups: processes whose command name is listed in `byCommand` by that name (servers we spawn, such as
 * postgres), then each named root pid with its other descendants. Taken before and after a run, the difference says which process paid for it.
 */
export async function cpuSnapshot(roots: Record<string, number>, byCommand: string[]): Promise<CpuSnapshot> {
  const stats = (
    await Promise.all((await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(readStat))
  ).filter((stat): stat is ProcessStat => stat !== undefined);
  const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
  const rootGroup = new Map(Object.entries(roots).map(([name, pid]) => [pid, name]));
  const groupOf = (stat: ProcessStat): string | undefined => {
    if (byCommand.includes(stat.comm)) return stat.comm;
    for (let current: ProcessStat | undefined = stat; current; current = byPid.get(current.ppid)) {
      const group = rootGroup.get(current.pid);
      if (group) return group;
    }
    return undefined;
  };
  const snapshot: CpuSnapshot = {};
  for (const stat of stats) {
    const group = groupOf(stat);
    if (group) snapshot[group] = (snapshot[group] ?? 0) + stat.ticks / TICKS_PER_SECOND;
  }
  return snapshot;
}

export function cpuSecondsBetween(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  const used: CpuSnapshot = {};
  for (const [group, seconds] of Object.entries(after))
    used[group] = Math.round((seconds - (before[group] ?? 0)) * 10) / 10;
  return used;
}
