#!/usr/bin/env node
// The CLI runs the compiled package (dist/, built by `npm run build`, which `npm ci` runs as `prepare`).
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/client/cli.js', import.meta.url);
try {
  await import(entry.href);
} catch (error) {
  // Only the entry itself missing means "not built"; a module missing inside dist/ is a broken build, shown as is.
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(`'${fileURLToPath(entry)}'`)) {
    process.stderr.write('ferry: the package is not built; run `npm run build` (npm ci builds it too)\n');
    process.exit(1);
  }
  throw error;
}
