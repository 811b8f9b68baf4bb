import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';

/**
 * How the Temporal Web UI (2.42.1, served by the pinned Temporal CLI) is driven: its selectors live here alone,
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

/**
 * In an open update dialog: picks the update, types `data` into the argument editor as a person does (focus,
 * select all, type), checks that the dialog shows that name and that argument, then submits. Each step waits for
 * what the UI shows rather than for a fixed time: the option list opens with an animation, and the editor
 * (CodeMirror) takes typed keys, not a value set from outside.
 */
export async function sendUpdate(page: Page, name: string, data: string): Promise<void> {
  const dialog = page.locator('form[method=dialog]').filter({ visible: true });
  const chosen = dialog.getByTestId('update-select');
  if ((await chosen.inputValue()) !== name) {
    const select = dialog.getByTestId('update-select-button');
    if ((await select.getAttribute('aria-expanded')) !== 'true') await select.click();
    await dialog.getByRole('option', { name: new RegExp(`^${name}\\b`) }).click();
  }
  await shows('the update name', () => chosen.inputValue(), name);

  const editor = dialog.locator('.cm-content[contenteditable=true]');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(data);
  await shows('the argument editor', async () => ((await editor.textContent()) ?? '').trim(), data);

  await dialog.getByTestId('confirm-modal-button').click({ timeout: 10_000 });
}

/** Waits up to 10 s until `read` gives `expected`; else fails naming what the UI showed instead. */
async function shows(what: string, read: () => Promise<string>, expected: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let actual = await read();
  while (actual !== expected) {
    if (Date.now() > deadline) {
      throw new Error(
        `the update dialog shows ${JSON.stringify(actual)} in ${what}, not ${JSON.stringify(expected)}`,
      );
    }
    await sleep(100);
    actual = await read();
  }
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
