#!/usr/bin/env node
// The CLI runs the compiled package (dist/, built by `npm run build`, which `npm ci` runs as `prepare`).
try {
  await import('../dist/client/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/client/cli.js')) {
    process.stderr.write('ferry: the package is not built; run `npm run build` (npm ci builds it too)\n');
    process.exit(1);
  }
  throw error;
}
