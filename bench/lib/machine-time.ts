import { readFile } from 'node:fs/promises';

/**
 * The machine's CPU time so far, all cores together, in the kernel's ticks: busy, idle (waiting on I/O included)
 * and stolen (the hypervisor ran another guest while this one had work). On a shared VM the share stolen from a run
 * moves its pace, and a loop of one round trip at a time is slowed most: it explains a ratio of two runs that moves
 * from round to round.
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
  // Fields an older kernel does not have count as 0; `user` already holds the time of guests this one ran.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const time = { busy: user + nice + system + irq + softirq, idle: idle + iowait, stolen: steal };
  if (!Object.values(time).every(Number.isFinite))
    throw new Error(`/proc/stat's cpu line is not numbers: ${line}`);
  return time;
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
