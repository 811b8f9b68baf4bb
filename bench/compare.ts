/**
 * One benchmark on two versions of ferry, alternately, in one session: a git revision (`--before`, checked out in
 * a worktree) and this working tree (after). Rounds go before, after, after, before, … so that a machine drifting
 * over the session weighs on both alike. Prints JSON with every run's metrics, their medians and after/before
 * ratios; a table on stderr.
 *
 *   npm run bench:compare -- --before REV [--rounds 2] --bench backfill --metric ferry.ordersPerSecond \
 *     --metric ferry.workerPeakRssMb -- --orders 200000 --ferry-only
 */
import { execFile, spawn } from 'node:child_process';
import { access, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { median } from './lib/median.js';

const run = promisify(execFile);
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    before: { type: 'string' },
    bench: { type: 'string' },
    metric: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '2' },
  },
});
if (!values.before || !values.bench || !values.metric?.length) {
  process.stderr.write(
    'usage: npm run bench:compare -- --before REV --bench NAME --metric PATH... [-- ARGS]\n',
  );
  process.exit(2);
}
const metricPaths: string[] = values.metric;
const log = (message: string) => process.stderr.write(`${message}\n`);
const after = fileURLToPath(new URL('..', import.meta.url));
const revision = (await run('git', ['rev-parse', values.before], { cwd: after })).stdout.trim();
const head = (await run('git', ['rev-parse', 'HEAD'], { cwd: after })).stdout.trim();
const before = join(tmpdir(), `ferry-before-${revision.slice(0, 12)}`);

const createdWorktree = !(await access(before).then(
  () => true,
  () => false,
));
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
if (!(await exists(before))) {
  await run('git', ['worktree', 'add', '--detach', before, revision], { cwd: after });
}
if (!(await exists(join(before, 'node_modules')))) {
  const sameLock =
    (await readFile(join(before, 'package-lock.json'), 'utf8')) ===
    (await readFile(join(after, 'package-lock.json'), 'utf8'));
  if (sameLock) await symlink(join(after, 'node_modules'), join(before, 'node_modules'));
  else await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: before, maxBuffer: 64 * 1024 * 1024 });
}

function metricOf(result: unknown, path: string): number {
  const value = path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], result);
  if (typeof value !== 'number')
    throw new Error(`metric ${path} is not a number in ${JSON.stringify(result)}`);
  return value;
}

/** Runs the benchmark in one tree; its last stdout line is its JSON. */
function runBench(cwd: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', `bench:${values.bench}`, '--', ...positionals, '--json'], {
      cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`bench:${values.bench} in ${cwd} exited ${code}`));
      else resolve(JSON.parse(last));
    });
  });
}

const runs: { side: 'before' | 'after'; round: number; metrics: Record<string, number> }[] = [];
const rounds = Number(values.rounds);
for (let round = 1; round <= rounds; round++) {
  const order: ('before' | 'after')[] = round % 2 ? ['before', 'after'] : ['after', 'before'];
  for (const side of order) {
    log(`round ${round}/${rounds}: ${side}...`);
    const result = await runBench(side === 'before' ? before : after);
    const metrics = Object.fromEntries(metricPaths.map((path) => [path, metricOf(result, path)]));
    log(`  ${JSON.stringify(metrics)}`);
    runs.push({ side, round, metrics });
  }
}

const medians = (side: 'before' | 'after') =>
  Object.fromEntries(
    metricPaths.map((path) => [
      path,
      median(runs.filter((entry) => entry.side === side).map((entry) => entry.metrics[path] as number)),
    ]),
  );
const beforeMedians = medians('before');
const afterMedians = medians('after');
const ratios = Object.fromEntries(
  metricPaths.map((path) => [
    path,
    Number(((afterMedians[path] as number) / (beforeMedians[path] as number)).toFixed(3)),
  ]),
);
log(`after/before (medians of ${rounds} each): ${JSON.stringify(ratios)}`);
// A worktree this run made is removed again (its node_modules is a link or a copy of its own).
if (createdWorktree) await run('git', ['worktree', 'remove', '--force', before], { cwd: after });
process.stdout.write(
  `${JSON.stringify({
    benchmark: `compare:${values.bench}`,
    args: positionals,
    before: revision,
    after: `working tree at ${head}`,
    rounds,
    runs,
    medians: { before: beforeMedians, after: afterMedians },
    ratios,
    node: process.version,
  })}\n`,
);
