import { FerryError } from '../../errors.js';
import type { StackCheckResult } from '../../workflows/stack-check.js';
import { printResult } from '../output.js';
import { withClient } from '../temporal.js';

export interface CheckOptions {
  connection: string;
  json: boolean;
}

export async function runCheck(options: CheckOptions): Promise<void> {
  await withClient(async (client, config) => {
    const queue = await client.workflowService.describeTaskQueue({
      namespace: config.namespace,
      taskQueue: { name: config.taskQueue },
    });
    if ((queue.pollers ?? []).length === 0) {
      throw new FerryError(
        `No worker is polling task queue "${config.taskQueue}" on ${config.temporalAddress}; start \`ferry worker\` or \`ferry dev\``,
      );
    }
    const result: StackCheckResult = await client.workflow.execute('stackCheck', {
      taskQueue: config.taskQueue,
      workflowId: `ferry/check/${new Date().toISOString()}`,
      args: [{ connection: options.connection }],
      workflowExecutionTimeout: '2 minutes',
    });
    const { database, source } = result;
    printResult(
      options.json,
      { ok: true, ...result },
      () =>
        `ok: PostgreSQL ${database.serverVersion} (${database.schemaSteps.length} schema steps of ferry applied)` +
        (source ? `, ${source.kind} connection "${source.connection}" sees ${source.orders} orders` : ''),
    );
  });
}
