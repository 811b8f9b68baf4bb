import type { Endpoint, EndpointCalls } from './call-tally.js';
import type { FieldValue } from './catalogue.js';
import type { FieldSummary, WriteStatus } from './ledger.js';
import type { Recommendation } from './recommend.js';
import type { StrategyChoice } from './strategy.js';

export interface FieldRunSummary {
  strategy?: StrategyChoice;
  outcomes: Record<WriteStatus, number>;
  fields: FieldSummary[];
  calls: Partial<Record<Endpoint, EndpointCalls>>;
  callsPerRecord: number;
  recommendation?: Recommendation;
}

const shown = (value: FieldValue): string =>
  value === null || value.length === 0
    ? '(empty)'
    : typeof value === 'string'
      ? JSON.stringify(value)
      : value.join('|');

/**
 * A field migration's run for people: what it did (or, dry, would do) per record and per field, with a few records
 * before → after. Field values appear here and in the database only, never in Temporal.
 */
export function describeRun(summary: FieldRunSummary): string[] {
  const { outcomes } = summary;
  const dry = outcomes.planned > 0 || (outcomes.written === 0 && outcomes.pending === 0);
  const changing = dry ? outcomes.planned : outcomes.written;
  const total = changing + outcomes.unchanged + outcomes.failed + outcomes.pending;
  const verb = changing === 0 ? 'need a change' : dry ? 'would change' : 'changed';
  const lines = [
    ...(summary.strategy ? [`strategy ${summary.strategy.why}`] : []),
    `${changing} of ${total} records ${verb} (${outcomes.unchanged} already as planned` +
      `${outcomes.failed ? `, ${outcomes.failed} refused: ferry dlq list` : ''})`,
  ];
  for (const field of summary.fields) {
    const label = field.name === field.field ? field.name : `${field.name} (${field.field})`;
    lines.push(`  ${label}: ${field.records} records`);
    for (const example of field.sample) {
      lines.push(`    #${example.key}: ${shown(example.before)} → ${shown(example.after)}`);
    }
  }
  const calls = Object.entries(summary.calls);
  if (calls.length > 0) {
    const limited = calls.reduce((sum, [, entry]) => sum + (entry?.rateLimited ?? 0), 0);
    lines.push(
      `requests: ${calls.map(([endpoint, entry]) => `${endpoint} ${entry?.calls}`).join(', ')}; ` +
        `${summary.callsPerRecord} per record; ${limited} answered 429`,
    );
  }
  if (summary.recommendation) {
    lines.push(`next time: ${summary.recommendation.why}`);
    for (const note of summary.recommendation.notes) lines.push(`  ${note}`);
  }
  if (dry && changing > 0) lines.push('nothing was written: run again with --apply to write');
  return lines;
}
