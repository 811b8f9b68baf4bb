import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { logger } from './logger.js';

/** '.ts' when running from the sources (tests, tsx), '.js' from the compiled package. */
const EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
export const WORKFLOWS_PATH = fileURLToPath(new URL(`./workflows/index${EXTENSION}`, import.meta.url));

const SOURCE_ROOT = fileURLToPath(new URL('.', import.meta.url));
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE_DIR = fileURLToPath(new URL('../node_modules/.cache/ferry', import.meta.url));
const CHILD_ENTRY = fileURLToPath(new URL(`./workflow-bundle-child${EXTENSION}`, import.meta.url));
// The sources (.ts) and the compiled package (.js) keep bundles of their own: neither prunes the other's.
const BUNDLE_PREFIX = `workflows-${EXTENSION.slice(1)}-`;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return Promise.resolve(entry.name.endsWith(EXTENSION) && !entry.name.endsWith('.d.ts') ? [path] : []);
    }),
  );
  return nested.flat().sort();
}

/**
 * Where the bundle of the current sources lives: keyed by every source file and the SDK's version, so an
 * edited workflow (or anything it imports) can never be served a stale bundle.
 */
export async function workflowBundleCachePath(): Promise<string> {
  const hash = createHash('sha256');
  const sdk = JSON.parse(
    await readFile(createRequire(import.meta.url).resolve('@temporalio/workflow/package.json'), 'utf8'),
  ) as { version: string };
  hash.update(`${sdk.version}\0`);
  for (const file of await sourceFiles(SOURCE_ROOT)) {
    hash.update(`${relative(SOURCE_ROOT, file)}\0`);
    hash.update(await readFile(file));
  }
  return join(CACHE_DIR, `${BUNDLE_PREFIX}${hash.digest('hex').slice(0, 16)}.js`);
}

/** Bundles the workflows in this process and writes them to `path` whole, removing older bundles beside it. */
export async function buildWorkflowBundle(path: string): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: new DefaultLogger('WARN'),
  });
  await mkdir(dirname(path), { recursive: true });
  // Written aside and renamed: a worker starting meanwhile sees no bundle or a whole one, never half of one.
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, code);
  await rename(partial, path);
  for (const name of await readdir(dirname(path))) {
    // Another process's partial file is its own to rename; only finished bundles of other sources go.
    if (name.startsWith(BUNDLE_PREFIX) && name.endsWith('.js') && join(dirname(path), name) !== path)
      await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

function runChild(path: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // From the sources, `--import tsx` (run from the package root, so it finds our own tsx) compiles them.
    const loader = EXTENSION === '.ts' ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...loader, CHILD_ENTRY, path], {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (data: Buffer) => {
      output = (output + data.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ code: null, output: error.message }));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/**
 * The workflow bundle for the current sources, built once in a child process and cached. Bundling runs
 * webpack, which would otherwise leave over 100 MB in every worker's heap; a worker loading a ready bundle
 * peaks that much lower. Returns undefined when the cache cannot be written (a read-only install), and the
 * worker then bundles in its own process as before.
 */
export async function cachedWorkflowBundle(): Promise<{ codePath: string } | undefined> {
  const path = await workflowBundleCachePath();
  const found = await access(path).then(
    () => true,
    () => false,
  );
  if (found) return { codePath: path };
  const started = performance.now();
  const { code, output } = await runChild(path);
  if (code !== 0) {
    logger.warn({ output: output.trim() }, 'could not cache the workflow bundle; bundling in this process');
    return undefined;
  }
  logger.debug({ path, ms: Math.round(performance.now() - started) }, 'workflow bundle cached');
  return { codePath: path };
}
