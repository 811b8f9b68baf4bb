import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';

/**
 * How the Temporal Web UI (2.42, served by the pinned Temporal CLI) is driven: its selectors live here alone,
 * so a UI upgrade changes one file. The UI renders some controls twice (one copy hidden), hence `visible`.
 */

/** The workflow list of a namespace, filtered by a visibility query. */
export function workflowListUrl(namespaceUrl: string, query: string): string {
  return `${namespaceUrl}/workflows?query=${encodeURIComponent(query)}`;
}

export async function openUserMetadataTab(page: Page): Promise<void> {
  await page.getByText('User Metadata', { exact: true }).click();
}

/** More Actions → Send an Update, with the list of the workflow's updates opened. */
export async function openUpdateList(page: Page): Promise<void> {
  await page
    .getByRole('button', { name: /More Actions/ })
    .first()
    .click();
  await page.getByText('Send an Update').filter({ visible: true }).click();
  await page.getByTestId('update-select-button').filter({ visible: true }).click();
}

/** In an open update dialog: picks the update, puts `data` as its argument and submits. */
export async function sendUpdate(page: Page, name: string, data: string): Promise<void> {
  const option = page.getByRole('option', { name: new RegExp(`^${name}`) }).filter({ visible: true });
  if (await option.count()) await option.click();
  await page.locator('form[method=dialog] [contenteditable=true]').filter({ visible: true }).fill(data);
  await page.getByTestId('confirm-modal-button').filter({ visible: true }).click();
}

/** The UI renders user markdown (summary, details, current details) in frames of its own: their text. */
export async function renderedText(page: Page, matches: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const frame of page.frames()) {
      if (!frame.url().includes('/render?')) continue;
      const content = await frame
        .locator('body')
        .textContent()
        .catch(() => null);
      const text = (content ?? '').trim();
      if (matches(text)) return text;
    }
    if (Date.now() > deadline) throw new Error('no rendered markdown matched in 30 s');
    await sleep(250);
  }
}
