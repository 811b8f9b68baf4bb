/**
 * Takes the Web UI screenshots in docs/images/ from a real run: a throttled backfill on a local stack, seen in
 * the filtered workflow list, running, its update dialog, paused, and one of its partitions.
 *
 *   npm run docs:screenshots     (needs Debian's chromium; installs it with apt-get when run as root)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackfill } from '../src/client/backfill.js';
import { withLocalRun } from '../src/sandbox/local-run.js';
import { pauseUpdate, resumeUpdate } from '../src/workflows/control.js';
import { progressQuery } from '../src/workflows/messages.js';
import { launchChromium, resolveChromium } from '../test/helpers/chromium.js';
import { openUpdateList, openUserMetadataTab, workflowListUrl } from '../test/helpers/web-ui.js';

const OUT = new URL('../docs/images/', import.meta.url);
const log = (message: string) => process.stderr.write(`${message}\n`);

const browser = await launchChromium(await resolveChromium(log));
try {
  await withLocalRun({ orders: 20_000, seed: 7, taskQueue: 'docs' }, async ({ client, stack }) => {
    const handle = await startBackfill(client, 'docs', {
      migration: 'woocommerce-orders',
      requestsPerMinute: 600,
    });
    while ((await handle.query(progressQuery)).records.fetched < 3000) await sleep(250);
    const ui = `${stack.state.uiUrl}/namespaces/${stack.state.namespace}`;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const shoot = async (name: string) => {
      await sleep(1500); // the UI fades its panels in
      await page.screenshot({ path: new URL(name, OUT).pathname });
      log(`wrote docs/images/${name}`);
    };
    const openMetadata = async (workflowId: string) => {
      await page.goto(`${ui}/workflows/${encodeURIComponent(workflowId)}`);
      await openUserMetadataTab(page);
    };

    const filter = "FerryMigration = 'woocommerce-orders'";
    await page.goto(workflowListUrl(ui, filter));
    await page.getByRole('link', { name: handle.workflowId, exact: true }).waitFor();
    await shoot('web-ui-list.png');

    await openMetadata(handle.workflowId);
    await shoot('web-ui-running.png');

    await openUpdateList(page);
    await shoot('web-ui-updates.png');
    await page.keyboard.press('Escape');

    await handle.executeUpdate(pauseUpdate);
    await openMetadata(handle.workflowId);
    await shoot('web-ui-paused.png');
    await handle.executeUpdate(resumeUpdate);

    const runningPartition = async () => {
      for await (const execution of client.workflow.list({
        query: `FerryKind = 'partition' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH '${handle.workflowId}/'`,
      })) {
        return execution.workflowId;
      }
      return undefined;
    };
    let partitionId = await runningPartition();
    while (!partitionId) {
      await sleep(250);
      partitionId = await runningPartition();
    }
    await sleep(1000); // a chunk into it
    await openMetadata(partitionId);
    await shoot('web-ui-partition.png');
    await page.close();
    await handle.cancel();
    await handle.result().catch(() => undefined);
  });
} finally {
  await browser.close();
}
