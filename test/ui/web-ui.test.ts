import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { backfillSummary } from '../../src/workflows/details.js';
import { progressQuery } from '../../src/workflows/messages.js';
import { launchChromium, resolveChromium } from '../helpers/chromium.js';
import { type BackfillFixture, startBackfillFixture } from '../helpers/fixture.js';
import {
  openUpdateList,
  openUserMetadataTab,
  renderedText,
  sendUpdate,
  workflowListUrl,
} from '../helpers/web-ui.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
let fixture: BackfillFixture;
let browser: Browser;

beforeAll(async () => {
  const executablePath = await resolveChromium((message) => console.log(`[web-ui] ${message}`));
  browser = await launchChromium(executablePath);
  fixture = await startBackfillFixture({ orders: 5000, seed: 12, faults: { latencyMs: 5 } });
  await mkdir(ARTIFACTS, { recursive: true });
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await fixture?.stop();
});

it('the Web UI finds a running backfill by FerryMigration, shows its summary and live progress, and steers it', async () => {
  const { client, taskQueue } = fixture.worker;
  // Throttled so that it is still running while the browser looks at it.
  const handle = await startBackfill(client, taskQueue, {
    migration: 'woocommerce-orders',
    id: `ferry/woocommerce-orders/ui-${Date.now()}`,
    requestsPerMinute: 120,
    partitionDays: 400,
    pageSize: 50,
    pagesPerChunk: 1,
  });
  while ((await handle.query(progressQuery)).records.fetched < 100) await sleep(200);

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    const ui = `${inject('temporalUiUrl')}/namespaces/${inject('temporalNamespace')}`;
    const filter = "FerryMigration = 'woocommerce-orders' AND FerryKind = 'backfill'";
    await page.goto(workflowListUrl(ui, filter));
    const runLink = page.getByRole('link', { name: handle.workflowId, exact: true });
    await runLink.waitFor({ timeout: 30_000 });
    // The filter keeps the run's partitions out of the list.
    expect(await page.getByRole('link', { name: `${handle.workflowId}/p0000` }).count()).toBe(0);
    await page.screenshot({ path: new URL('web-ui-list.png', ARTIFACTS).pathname });

    await runLink.click();
    await openUserMetadataTab(page);
    const summary = backfillSummary('woocommerce-orders', undefined, undefined);
    expect(await renderedText(page, (text) => text.includes(summary))).toBe(summary);
    expect(await renderedText(page, (text) => text.includes('concurrency: 4'))).toContain(
      'requestsPerMinute: 120',
    );
    const current = await renderedText(page, (text) => text.startsWith('Running ·'));
    expect(current).toMatch(/^Running · \d+\.\d% · [\d,]+ of 5,000 records · [\d,]+\/s · ETA \w+/);
    expect(current).toContain('concurrency 4 · rate limit 120/min');
    await page.screenshot({ path: new URL('web-ui-run.png', ARTIFACTS).pathname });

    // Steering from the UI: its update dialog lists ferry's updates, shows a rejection, and sends a valid one.
    await openUpdateList(page);
    await sendUpdate(page, 'setConcurrency', '0');
    await page
      .getByRole('alert')
      .filter({ hasText: 'concurrency must be a whole number from 1 to 64; got 0' })
      .waitFor();
    await page.screenshot({ path: new URL('web-ui-update-refused.png', ARTIFACTS).pathname });
    await sendUpdate(page, 'setConcurrency', '2');
    while ((await handle.query(progressQuery)).control.concurrency !== 2) await sleep(200);
  } catch (error) {
    await page.screenshot({ path: new URL('web-ui-failure.png', ARTIFACTS).pathname, fullPage: true });
    throw error;
  } finally {
    await page.close();
    await handle.cancel();
  }
}, 180_000);
