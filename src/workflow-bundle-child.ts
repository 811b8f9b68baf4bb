/**
 * Builds the workflow bundle in a process of its own (see cachedWorkflowBundle), into the path given, or into
 * the cache when run by hand, e.g. while building an image:
 *
 *   node dist/workflow-bundle-child.js
 */
import { buildWorkflowBundle, workflowBundleCachePath } from './workflow-bundle.js';

await buildWorkflowBundle(process.argv[2] ?? (await workflowBundleCachePath()));
