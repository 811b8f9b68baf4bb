import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { FerryError } from '../errors.js';
import { type MatchDeclarationInput, matchDeclarationSchema } from '../matching/declaration.js';
import type { match } from '../workflows/match.js';

/** A match run's workflow id: time-ordered, so `ferry list` and the Web UI show the latest first. */
export const matchRunId = () => `ferry/match/${new Date().toISOString()}`;

/** Validates a declaration (every problem named at once) before Temporal is contacted. */
export function parseMatchDeclaration(declaration: unknown) {
  const parsed = matchDeclarationSchema.safeParse(declaration);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`,
    );
    throw new FerryError(
      `The match declaration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n- ${problems.join('\n- ')}`,
    );
  }
  return parsed.data;
}

export async function startMatch(
  client: Client,
  taskQueue: string,
  declaration: MatchDeclarationInput,
  id = matchRunId(),
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof match>> {
  const { inputs, rules, partitions, concurrency } = parseMatchDeclaration(declaration);
  return client.workflow.start('match', {
    taskQueue,
    workflowId: id,
    args: [{ inputs, rules, partitions, concurrency }],
  });
}
