import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { FerryError } from '../../errors.js';
import {
  formatAmount,
  LARGEST_OPEN_HEADERS,
  largestOpenRows,
  type MatchReport,
  matchReport,
} from '../../matching/report.js';
import { matchReportHtml } from '../../matching/report-html.js';
import { confirmReviewItem, openReviewItems, rejectReviewItem } from '../../matching/review.js';
import { upgradeMatchingSchema } from '../../matching/schema.js';
import { writeMatchingCsv } from '../../sandbox/matching/csv.js';
import { GENERATED_CSV_INPUTS, loadGeneratedLedger } from '../../sandbox/matching/tables.js';
import { type MatchProgress, matchProgressQuery } from '../../workflows/match-messages.js';
import { withDatabase } from '../database.js';
import { followToEnd } from '../follow.js';
import { declarationBase } from '../load-csv.js';
import { matchRunId, parseMatchDeclaration, prepareMatchInputs, startMatch } from '../match.js';
import { formatTable, note, printResult } from '../output.js';
import { readPlanFile } from '../plan-file.js';
import { withClient } from '../temporal.js';

function describeProgress(progress: MatchProgress): string {
  const matched = Object.values(progress.rules).reduce((sum, step) => sum + step.matched, 0);
  const parts = `${progress.partitions.done}/${progress.partitions.total} partitions`;
  const loads = Object.entries(progress.loaded ?? {}).map(
    ([kind, load]) => `${kind} ${load?.loaded ?? 0} lines loaded, ${load?.refused ?? 0} refused`,
  );
  return [
    `${progress.paused ? 'paused' : progress.phase}: ${parts}, ${progress.customers.matched} customers found, ${matched} matches`,
    ...(loads.length > 0 ? [`  from CSV: ${loads.join('; ')}`] : []),
  ].join('\n');
}

/** Where the lines a run's CSV loads refused are, each with its line number and reason. */
function refusedLinesHint(runId: string, progress: MatchProgress): string[] {
  return Object.entries(progress.loaded ?? {}).flatMap(([kind, load]) =>
    (load?.refused ?? 0) > 0
      ? [
          `${load?.refused} lines of the ${kind} file were refused: ferry dlq list --migration csv:match_csv_${kind} --run ${runId}/csv-${kind}`,
        ]
      : [],
  );
}

export async function runMatchStart(options: {
  config: string;
  partitions?: number;
  concurrency?: number;
  id?: string;
  wait: boolean;
  json: boolean;
}): Promise<void> {
  const file = (await readPlanFile(options.config)) as Record<string, unknown>;
  const parsed = parseMatchDeclaration({
    ...file,
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  });
  // Tables, files and columns the inputs name are checked before a run is started.
  const inputs = await withDatabase(async (db) => {
    await upgradeMatchingSchema(db);
    return prepareMatchInputs(db, parsed.inputs, declarationBase(options.config));
  });
  const declaration = { ...parsed, inputs };
  await withClient(async (client, config) => {
    const handle = await startMatch(client, config.taskQueue, declaration, options.id ?? matchRunId());
    if (!options.wait) {
      printResult(options.json, { runId: handle.workflowId }, () => handle.workflowId);
      return;
    }
    const progress = await followToEnd(handle, async () =>
      describeProgress(await handle.query(matchProgressQuery)),
    );
    const report = await withDatabase((db) => matchReport(db, handle.workflowId));
    printResult(options.json, { progress, report }, () =>
      [
        describeProgress(progress),
        ...refusedLinesHint(handle.workflowId, progress),
        formatReport(report),
      ].join('\n'),
    );
  });
}

export function formatReport(report: MatchReport): string {
  const lines = [
    `run ${report.runId}: ${report.matches.count} matches, ${formatAmount(report.matches.amountCents)} allocated (of ${report.staged.invoices} invoices, ${report.staged.payments} payments staged)`,
    '',
    formatTable(
      ['rule', 'matches', 'amount'],
      report.byRule.map((row) => [row.rule, String(row.matches), formatAmount(row.amountCents)]),
    ),
    '',
    formatTable(
      ['confidence', 'matches'],
      report.byConfidence.map((row) => [row.band, String(row.matches)]),
    ),
    '',
    `review: ${report.review.open} open, ${report.review.confirmed} confirmed, ${report.review.rejected} rejected`,
    '',
    `still open (ages as of ${report.asOf ?? '-'}; a match that leaves ${formatAmount(report.remnantCents)} or less settles):`,
    formatTable(
      ['', 'age', 'count', 'open'],
      report.unmatched.map((row) => [row.kind, row.age, String(row.count), formatAmount(row.openCents)]),
    ),
    '',
    'largest open invoices:',
    formatTable(LARGEST_OPEN_HEADERS, largestOpenRows(report)),
  ];
  return lines.join('\n');
}

export async function runMatchGenerate(options: {
  invoices: number;
  seed: number;
  csv?: string;
  json: boolean;
}) {
  if (options.csv) return generateCsvLedger(options.csv, options);
  const ledger = await withDatabase(async (db) => {
    const existing = await db.raw("select to_regclass('ledger_invoices') is not null as present");
    if ((existing.rows[0] as { present: boolean }).present) {
      throw new FerryError(
        'The database has a ledger_invoices table already: generate into an empty database',
      );
    }
    return loadGeneratedLedger(db, options);
  });
  printResult(options.json, ledger, () =>
    [
      `generated ${ledger.invoices} invoices, ${ledger.payments} payments, ${ledger.customers} customers (seed ${options.seed})`,
      'match them: ferry match start --config examples/match-generated.yaml',
    ].join('\n'),
  );
}

export async function runMatchReport(
  runId: string,
  options: { json: boolean; html?: string },
): Promise<void> {
  const report = await withDatabase(async (db) => {
    await upgradeMatchingSchema(db);
    return matchReport(db, runId);
  });
  if (
    report.matches.count === 0 &&
    report.review.open + report.review.confirmed + report.review.rejected === 0
  ) {
    note(`${runId} made no matches and listed nothing for review (is it a match run's id? see ferry list)`);
  }
  if (options.html) {
    await writeFile(options.html, matchReportHtml(report));
    note(`wrote ${options.html}`);
  }
  printResult(options.json, report, () => formatReport(report));
}

export async function runMatchReview(options: { limit: number; json: boolean }): Promise<void> {
  const items = await withDatabase(async (db) => {
    await upgradeMatchingSchema(db);
    return openReviewItems(db, options.limit);
  });
  printResult(options.json, { items }, () =>
    items.length === 0
      ? 'no open review items'
      : formatTable(
          ['id', 'payment', 'invoice', 'rule', 'score'],
          items.map((item) => [
            String(item.reviewId),
            item.paymentId,
            item.invoiceId,
            item.rule,
            item.score === null ? '-' : item.score.toFixed(3),
          ]),
        ),
  );
}

export async function runMatchDecision(
  reviewId: number,
  decision: 'confirm' | 'reject',
  options: { json: boolean },
): Promise<void> {
  await withDatabase(async (db) => {
    await upgradeMatchingSchema(db);
    if (decision === 'confirm') {
      const { amountCents } = await confirmReviewItem(db, reviewId);
      printResult(
        options.json,
        { reviewId, decision, amountCents },
        () => `confirmed ${reviewId}: ${formatAmount(amountCents)} allocated`,
      );
    } else {
      await rejectReviewItem(db, reviewId);
      printResult(options.json, { reviewId, decision }, () => `rejected ${reviewId}`);
    }
  });
}

/** The generated ledger as CSV files, and a declaration beside them that matches them (its paths relative). */
async function generateCsvLedger(dir: string, options: { invoices: number; seed: number; json: boolean }) {
  await mkdir(dir, { recursive: true });
  const files = await writeMatchingCsv(dir, options);
  const config = join(dir, 'match.yaml');
  await writeFile(
    config,
    `# The generated ledger's CSV files (ferry match generate --csv), matched with the default rules.\n${stringify({ inputs: GENERATED_CSV_INPUTS })}`,
  );
  printResult(options.json, { ...files, config }, () =>
    [
      `wrote ${files.customers.rows} customers, ${files.invoices.rows} invoices, ${files.payments.rows} payments (seed ${options.seed}) as CSV into ${dir}`,
      `match them: ferry match start --config ${config}`,
    ].join('\n'),
  );
}
