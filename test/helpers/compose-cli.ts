import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { goBinDir, isExecutable } from '../../src/sandbox/temporal-cli.js';

const run = promisify(execFile);

/** The Compose release whose `config` checks docker-compose.yml when no Docker is installed. */
export const COMPOSE_VERSION = 'v2.40.3';
const COMPOSE_MODULE = 'github.com/docker/compose/v2';

async function works(command: string[]): Promise<boolean> {
  try {
    await run(command[0] as string, [...command.slice(1), 'version'], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Docker Compose, as a command prefix: `docker compose` where Docker is installed, a `docker-compose` on PATH or in
 * Go's bin directory, else Compose built from its Go module into that directory (two minutes, once; later runs
 * find it there). Compose's go.mod has `exclude` directives, which `go install pkg@version` refuses, so the module
 * is built as a main module from a copy of its source.
 */
export async function resolveCompose(announce: (message: string) => void): Promise<string[]> {
  if (await works(['docker', 'compose'])) return ['docker', 'compose'];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'docker-compose');
    if (dir && (await isExecutable(candidate)) && (await works([candidate]))) return [candidate];
  }
  const binDir = await goBinDir(process.env);
  if (!binDir) throw new Error('The compose test needs Docker Compose, or Go to build it');
  const built = join(binDir, 'docker-compose');
  if ((await isExecutable(built)) && (await works([built]))) return [built];

  announce(`Building Docker Compose ${COMPOSE_VERSION} with Go into ${binDir} (first run only: minutes)...`);
  const env = { ...process.env, GOTOOLCHAIN: 'local' };
  const download = await run('go', ['mod', 'download', '-json', `${COMPOSE_MODULE}@${COMPOSE_VERSION}`], {
    env,
  });
  const moduleDir = (JSON.parse(download.stdout) as { Dir: string }).Dir;
  const source = await mkdtemp(join(tmpdir(), 'ferry-compose-'));
  try {
    await run('cp', ['-r', `${moduleDir}/.`, source]);
    await run('chmod', ['-R', 'u+w', source]);
    await run('go', ['build', '-trimpath', '-o', built, './cmd'], {
      cwd: source,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
  } finally {
    await rm(source, { recursive: true, force: true });
  }
  return [built];
}
