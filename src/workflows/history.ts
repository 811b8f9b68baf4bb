import { workflowInfo } from '@temporalio/workflow';

/** Time to continue as new: the server suggests it, or this run's history reached the configured bound. */
export function historyIsLong(limit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= limit;
}
