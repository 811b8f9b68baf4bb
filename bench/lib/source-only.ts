import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { SourceConnection } from '../../src/connectors/connection.js';

/** What reading a whole source alone took: its pace, and the CPU of the reader and of the emulator serving it. */
export interface SourceRead {
  timedMs: number;
  recordsPerSecond: number;
  cpuSeconds: { reader: number; emulator: number };
}

/**
 * The source alone: every record read and parsed by a process of its own (bench/lib/read-source.ts), `readers`
 * pages at once, nothing written. A loader reads all of it too, so while the source answers at once this pace
 * bounds any loader's on this machine.
 * The emulator must run in this process: its CPU is this process's own.
 */
export async function readSourceOnly(
  connection: SourceConnection,
  records: number,
  readers: number,
): Promise<SourceRead> {
  const emulatorBefore = process.cpuUsage();
  const reader = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/read-source.ts'], {
    env: {
      ...process.env,
      FERRY_SOURCE: JSON.stringify(connection),
      FERRY_RECORDS: String(records),
      FERRY_READERS: String(readers),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  reader.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const [code] = await once(reader, 'exit');
  // process.cpuUsage is this process's own, not that of children it reaps (the reader is one).
  const emulatorUsage = process.cpuUsage(emulatorBefore);
  // Timed by the reader from its first request to its last answer: its process start is not the source's cost.
  const read = JSON.parse(output || '{}') as { records?: number; ms: number; cpuSeconds: number };
  if (code !== 0 || read.records !== records)
    throw new Error(`the source reader read ${read.records} of ${records} records`);
  return {
    timedMs: read.ms,
    recordsPerSecond: Math.round((records * 1000) / read.ms),
    cpuSeconds: {
      reader: read.cpuSeconds,
      emulator: Math.round((emulatorUsage.user + emulatorUsage.system) / 100_000) / 10,
    },
  };
}
