import { readdir, readFile } from 'node:fs/promises';

/** A process's peak resident memory so far (VmHWM), in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

/** Proportional set size of every process named `command`, summed: shared memory counted once in all. */
async function pssMbOf(command: string): Promise<number> {
  let kb = 0;
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    try {
      if ((await readFile(`/proc/${pid}/comm`, 'utf8')).trim() !== command) continue;
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // it exited while we were reading
    }
  }
  return Math.round(kb / 1024);
}

/**
 * The peak memory of a server made of many processes (PostgreSQL: one per connection, and its shared buffers),
 * sampled every `everyMs` until stopped.
 */
export function samplePeakMemory(command: string, everyMs = 500) {
  let peak = 0;
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => {
      peak = Math.max(peak, await pssMbOf(command));
    });
  }, everyMs);
  return {
    async stop(): Promise<number> {
      clearInterval(timer);
      await sampling;
      return Math.max(peak, await pssMbOf(command));
    },
  };
}
