/**
 * The innermost cause of a Temporal failure: what an activity or workflow threw, not its wrappers ("Workflow
 * execution failed", "Activity task failed", "Child Workflow execution failed").
 */
export function rootCauseMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
