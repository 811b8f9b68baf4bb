import type { CsvTableDeclaration } from '../kit/csv/declaration.js';
import { INPUT_KINDS, type InputKind, type MatchInputs, type TableInputs } from './inputs.js';

/**
 * Inputs given as CSV files: each file is loaded (the kit's CSV load, durable and resumable) into a table of its
 * own before the run stages it, its columns typed by what the match reads from them. Plain functions without
 * I/O: the match workflow calls them.
 */
export interface CsvInputLoad {
  kind: InputKind;
  file: string;
  target: CsvTableDeclaration;
}

/** The table a kind of input given as CSV is loaded into. */
export const csvInputTable = (kind: InputKind) => `match_csv_${kind}`;

const text = 'text';
const optionalText = { type: 'text', nullable: true } as const;

/** Each column the match reads, typed: ids as text (they are compared as text), amounts exact, dates as dates. */
function columnsOf(inputs: MatchInputs, kind: InputKind): CsvTableDeclaration['columns'] {
  const amount = inputs.amountsIn === 'cents' ? 'bigint' : 'decimal(16,2)';
  if (kind === 'customers') {
    const { id, name, iban } = inputs.customers;
    return { [id]: text, [name]: text, ...(iban ? { [iban]: optionalText } : {}) };
  }
  if (kind === 'invoices') {
    const i = inputs.invoices;
    return {
      [i.id]: text,
      [i.number]: optionalText,
      [i.customer]: text,
      [i.amount]: amount,
      [i.issuedOn]: 'date',
    };
  }
  const p = inputs.payments;
  const optional = [p.reference, p.payerName, p.payerIban, p.description].filter(
    (column): column is string => column !== undefined,
  );
  return {
    [p.id]: text,
    [p.amount]: amount,
    [p.paidOn]: 'date',
    ...Object.fromEntries(optional.map((column) => [column, optionalText])),
  };
}

/** The loads the inputs ask for, one per kind given as a CSV file. */
export function csvInputLoads(inputs: MatchInputs): CsvInputLoad[] {
  return INPUT_KINDS.flatMap((kind) => {
    const file = inputs[kind].csv;
    if (file === undefined) return [];
    const { id } = inputs[kind];
    // The id is the key, never null, even where it is also an optional role's column (an invoice's number).
    const target = {
      table: csvInputTable(kind),
      columns: { ...columnsOf(inputs, kind), [id]: text },
      key: [id],
    };
    return [{ kind, file, target }];
  });
}

/** The inputs with every CSV file replaced by the table it is loaded into. */
export function asTableInputs(inputs: MatchInputs): TableInputs {
  const tableOf = <K extends InputKind>(kind: K) => {
    const { table, csv, ...columns } = inputs[kind];
    return { ...columns, table: csv === undefined ? (table as string) : csvInputTable(kind) };
  };
  return {
    ...inputs,
    customers: tableOf('customers'),
    invoices: tableOf('invoices'),
    payments: tableOf('payments'),
  };
}
