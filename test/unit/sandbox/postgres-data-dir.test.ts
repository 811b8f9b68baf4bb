import { chmod, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { postgresDataDir } from '../../../src/sandbox/postgres.js';

it('keeps PostgreSQL data in FERRY_HOME when the postgres user can reach it, else in a temp directory of its own', async () => {
  const open = await mkdtemp(join(tmpdir(), 'ferry-open-'));
  await chmod(open, 0o755);
  expect(postgresDataDir(join(open, '.ferry'))).toBe(join(open, '.ferry', 'postgres'));

  const closed = await mkdtemp(join(tmpdir(), 'ferry-closed-'));
  await chmod(closed, 0o700);
  await mkdir(join(closed, 'project'));
  const home = join(closed, 'project', '.ferry');
  if (userInfo().uid === 0) {
    const dataDir = postgresDataDir(home);
    expect(dataDir).toMatch(new RegExp(`^${tmpdir()}/ferry-postgres-[0-9a-f]{12}/postgres$`));
    expect(postgresDataDir(home)).toBe(dataDir); // stable, so --persist finds its data again
    expect(postgresDataDir(join(open, '.ferry'))).not.toBe(dataDir);
  } else {
    expect(postgresDataDir(home)).toBe(join(home, 'postgres'));
  }
});
