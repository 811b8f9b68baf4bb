import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describeCause, FerryError } from '../errors.js';

const run = promisify(execFile);

/** v1.5.1 is the newest tag whose go.mod has no replace directive, so the newest `go install` can build. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const TEMPORAL_CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

export type TemporalCli =
  | { kind: 'path'; path: string; source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'GOPATH' | 'go install' }
  /** No binary and no Go: let the Temporal SDK download its dev server (needs internet). */
  | { kind: 'sdk-download' };

export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, 'temporal')))) return join(dir, 'temporal');
  }
  return undefined;
}

/** Where `go install` puts binaries; undefined without a Go toolchain. */
export async function goBinDir(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const { stdout } = await run('go', ['env', 'GOBIN', 'GOPATH'], { env });
    const [gobin, gopath] = stdout.split('\n').map((line) => line.trim());
    if (gobin) return gobin;
    return gopath ? join(gopath.split(delimiter)[0] as string, 'bin') : undefined;
  } catch {
    return undefined; // no Go toolchain
  }
}

async function verify(path: string, origin: string): Promise<void> {
  try {
    await run(path, ['--version'], { timeout: 30_000 });
  } catch (error) {
    throw new FerryError(
      `${origin} ${path} is not a working Temporal CLI (${describeCause(error)}); ` +
        `unset it or point it at a binary built with \`go install ${TEMPORAL_CLI_MODULE}\``,
    );
  }
}

/**
 * Finds the Temporal CLI in the order: $TEMPORAL_CLI_PATH, `temporal` on PATH, Go's bin directory, a fresh
 * `go install` (minutes, once: Go caches the binary in its bin directory), else the SDK's own download.
 */
export async function resolveTemporalCli(
  env: NodeJS.ProcessEnv = process.env,
  announce: (message: string) => void = (message) => process.stderr.write(`${message}\n`),
): Promise<TemporalCli> {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit !== undefined) {
    if (!(await isExecutable(explicit))) {
      throw new FerryError(
        `TEMPORAL_CLI_PATH=${explicit} is not an executable file; unset it or point it at a Temporal CLI binary`,
      );
    }
    await verify(explicit, 'TEMPORAL_CLI_PATH=');
    return { kind: 'path', path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  const onPath = await findOnPath(env);
  if (onPath) return { kind: 'path', path: onPath, source: 'PATH' };

  const binDir = await goBinDir(env);
  if (!binDir) return { kind: 'sdk-download' };
  const built = join(binDir, 'temporal');
  if (await isExecutable(built)) return { kind: 'path', path: built, source: 'GOPATH' };

  announce(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${binDir} (first run only; this takes a few minutes)...`,
  );
  const started = Date.now();
  try {
    await run('go', ['install', TEMPORAL_CLI_MODULE], {
      env: { ...env, GOTOOLCHAIN: 'local' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' | ');
    throw new FerryError(
      `Could not build the Temporal CLI with \`go install ${TEMPORAL_CLI_MODULE}\`: ${stderr || describeCause(error)}; ` +
        'install the Temporal CLI yourself and set TEMPORAL_CLI_PATH',
    );
  }
  announce(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${built}`);
  return { kind: 'path', path: built, source: 'go install' };
}
