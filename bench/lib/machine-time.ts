import { readFile } from 'node:fs/promises';

/**
 * The machine's CPU time so far, all cores together, in the kernel's ticks: busy, idle (waiting on I/O included)
 * and stolen (the hypervisor ran another guest while this one had work). On a shared VM a share stolen from a run
 * makes a CPU-bound loader slower while a loop that waits on the disk barely notices: it explains a ratio of the
 * two that moves from round to round.
 */
export interface MachineTime {
  busy: number;
  idle: number;
  stolen: number;
}

/** The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal … */
export function parseProcStat(text: string): MachineTime {
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no aggregate cpu line');
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map((field) => Number(field ?? 0));
  return {
    busy: (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0),
    idle: (idle ?? 0) + (iowait ?? 0),
    stolen: steal ?? 0,
  };
}

/** The machine's time now; undefined where there is no /proc/stat (not Linux). */
export async function machineTime(): Promise<MachineTime | undefined> {
  try {
    return parseProcStat(await readFile('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** How the machine's time between two readings was shared, each part a fraction of the whole (two decimals). */
export function machineShares(before?: MachineTime, after?: MachineTime): MachineTime | undefined {
  if (!before || !after) return undefined;
  const busy = after.busy - before.busy;
  const idle = after.idle - before.idle;
  const stolen = after.stolen - before.stolen;
  const total = busy + idle + stolen;
  if (total <= 0) return undefined;
  const share = (ticks: number) => Math.round((ticks / total) * 100) / 100;
  return { busy: share(busy), idle: share(idle), stolen: share(stolen) };
}
