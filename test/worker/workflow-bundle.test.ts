import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedWorkflowBundle, workflowBundleCachePath } from '../../src/workflow-bundle.js';

describe('the cached workflow bundle', () => {
  it('is built once for the current sources and then reused as is', async () => {
    const first = await cachedWorkflowBundle();
    expect(first?.codePath).toBe(await workflowBundleCachePath());
    expect(basename(first?.codePath ?? '')).toMatch(/^workflows-ts-[0-9a-f]{16}\.js$/);
    const code = await readFile(first?.codePath as string, 'utf8');
    // Both workflows are in it, and webpack's output, not our TypeScript sources.
    expect(code).toContain('async function backfill(');
    expect(code).toContain('async function partition(');
    const built = (await stat(first?.codePath as string)).mtimeMs;

    const second = await cachedWorkflowBundle();
    expect(second?.codePath).toBe(first?.codePath);
    expect((await stat(second?.codePath as string)).mtimeMs).toBe(built);
  });
});
