import { getMigration, migrationNames } from '../../migrations/registry.js';
import type { VerifyReport, WindowCheck } from '../../workflows/verify.js';
import { note, printResult } from '../output.js';
import { withClient } from '../temporal.js';
import { resolveVerify, runVerification } from '../verify.js';

const windowLine = (check: WindowCheck) =>
  `    partition ${check.index} ${check.window.from}..${check.window.to}: source ${check.sourceCount}, target ${check.targetCount}` +
  (check.deadLettered ? `, dead-lettered ${check.deadLettered}` : '');

export function formatVerifyReport(report: VerifyReport & { workflowId: string }): string {
  const { sample } = report;
  const lines = [
    `${report.workflowId}: ${report.ok ? 'OK' : 'DIFFERENCES FOUND'} (${report.migration}, ${report.range.from ?? 'empty'}..${report.range.to})`,
    `  partitions: ${report.partitions - report.differing.length} of ${report.partitions} have equal counts`,
    ...report.differing.map(windowLine),
    ...(report.afterRepair ? ['  after repair:', ...report.afterRepair.map(windowLine)] : []),
    `  sample: ${sample.sampled} records compared field by field, ${sample.differences.length} differ` +
      (sample.repaired ? `, ${sample.repaired} written again from the source` : '') +
      (sample.notAtSource.length ? `, ${sample.notAtSource.length} no longer at the source` : '') +
      (sample.brokenAtSource ? `, ${sample.brokenAtSource} now broken at the source` : ''),
    ...sample.differences.map(
      (difference) =>
        `    ${difference.key}: ${difference.change === 'insert' ? 'missing in the target' : difference.fields.length > 0 ? difference.fields.join(', ') : 'its lines'}`,
    ),
    ...sample.notAtSource.map((key) => `    ${key}: in the target, not at the source`),
  ];
  if (!report.ok && !report.afterRepair) lines.push('  repair with --repair');
  return lines.join('\n');
}

export async function runVerify(
  target: string,
  options: { sample: number; repair: boolean; connection?: string; plan?: string; json: boolean },
) {
  if (migrationNames().includes(target) && getMigration(target).writesBack) {
    return (await import('./verify-fields.js')).verifyFields(target, options);
  }
  await withClient(async (client, config) => {
    const input = await resolveVerify(client, target, options);
    note(`verifying ${target}${options.repair ? ' and repairing what differs' : ''}...`);
    const report = await runVerification(client, config.taskQueue, input);
    printResult(options.json, report, () => formatVerifyReport(report));
    if (!report.ok) process.exitCode = 1;
  });
}
