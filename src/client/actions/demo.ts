import { runDemo } from '../../sandbox/demo.js';
import { note, printResult } from '../output.js';

export interface DemoCommandOptions {
  orders: number;
  concurrency?: number;
  partitionDays?: number;
  keep: boolean;
  json: boolean;
}

export async function runDemoCommand(options: DemoCommandOptions): Promise<void> {
  const summary = await runDemo({ ...options, log: note });
  const exact =
    summary.checksumMatch && summary.sourceCount === summary.targetCount && summary.duplicates === 0;
  printResult(options.json, summary, () =>
    [
      exact ? 'Target equals source.' : 'TARGET DIFFERS FROM SOURCE.',
      `  orders: source ${summary.sourceCount}, target ${summary.targetCount}, duplicates ${summary.duplicates}, checksum ${summary.checksumMatch ? 'match' : 'MISMATCH'}`,
      `  ${summary.durationMs} ms, ${summary.recordsPerSecond} orders/s, worker peak RSS ${summary.workerPeakRssMb} MB`,
      `  ${summary.partitions} partitions, largest workflow history ${summary.maxHistoryEvents} events`,
      `  run: ${summary.runUrl}`,
    ].join('\n'),
  );
  if (!exact || summary.state !== 'completed') process.exitCode = 1;
}
