import type { CsvTableDeclaration } from '../kit/csv/declaration.js';
import { INPUT_KINDS, type InputKind } from './input-kinds.js';
import type { MatchInputs, TableInputs } from './inputs.js';

/**
 * Inputs given as CSV files: each file is loaded (the kit's CSV load, durable and resumable) into a table of its
 * own before the run stages it. The table's columns are named by role (id, amount, paid_on, …), each read from
 * the header the declaration names, so any header will do and another file's headers load into the same table.
 * Plain functions without I/O: the match workflow calls them.
 */
export interface CsvInputLoad {
  kind: InputKind;
  file: string;
  target: CsvTableDeclaration;
}

/** The table a kind of input given as CSV is loaded into. */
export const csvInputTable = (kind: InputKind) => `match_csv_${kind}`;

type ColumnType = 'text' | 'date' | 'bigint' | 'decimal(16,2)';
/** A role of one kind of input: the declaration's key for it, the table's column, its type, whether it may be empty. */
interface Role {
  key: string;
  column: string;
  type: ColumnType | 'amount';
  optional?: boolean;
}

/** Ids are text (they are compared as text), amounts exact, dates dates. */
const ROLES: Record<InputKind, Role[]> = {
  customers: [
    { key: 'id', column: 'id', type: 'text' },
    { key: 'name', column: 'name', type: 'text' },
    { key: 'iban', column: 'iban', type: 'text', optional: true },
  ],
  invoices: [
    { key: 'id', column: 'id', type: 'text' },
    { key: 'number', column: 'number', type: 'text', optional: true },
    { key: 'customer', column: 'customer_id', type: 'text' },
    { key: 'amount', column: 'amount', type: 'amount' },
    { key: 'issuedOn', column: 'issued_on', type: 'date' },
  ],
  payments: [
    { key: 'id', column: 'id', type: 'text' },
    { key: 'amount', column: 'amount', type: 'amount' },
    { key: 'paidOn', column: 'paid_on', type: 'date' },
    { key: 'reference', column: 'reference', type: 'text', optional: true },
    { key: 'payerName', column: 'payer_name', type: 'text', optional: true },
    { key: 'payerIban', column: 'payer_iban', type: 'text', optional: true },
    { key: 'description', column: 'description', type: 'text', optional: true },
  ],
};

/** The roles a kind's declaration fills, with the header each is read from. */
function rolesGiven(inputs: MatchInputs, kind: InputKind): (Role & { header: string })[] {
  const declared = inputs[kind] as Record<string, string | undefined>;
  return ROLES[kind].flatMap((role) => {
    const header = declared[role.key];
    return header === undefined ? [] : [{ ...role, header }];
  });
}

/** The loads the inputs ask for, one per kind given as a CSV file. */
export function csvInputLoads(inputs: MatchInputs): CsvInputLoad[] {
  const amount: ColumnType = inputs.amountsIn === 'cents' ? 'bigint' : 'decimal(16,2)';
  return INPUT_KINDS.flatMap((kind) => {
    const file = inputs[kind].csv;
    if (file === undefined) return [];
    const columns: CsvTableDeclaration['columns'] = {};
    for (const role of rolesGiven(inputs, kind)) {
      const type = role.type === 'amount' ? amount : role.type;
      columns[role.column] = { type, from: role.header, nullable: role.optional === true };
    }
    return [{ kind, file, target: { table: csvInputTable(kind), columns, key: ['id'] } }];
  });
}

/** The inputs with every CSV file replaced by the table it is loaded into, its columns named by role. */
export function asTableInputs(inputs: MatchInputs): TableInputs {
  const tableOf = <K extends InputKind>(kind: K): TableInputs[K] => {
    const { table, csv, ...columns } = inputs[kind];
    if (csv === undefined) return { ...columns, table: table as string } as TableInputs[K];
    const byRole = Object.fromEntries(rolesGiven(inputs, kind).map((role) => [role.key, role.column]));
    return { ...byRole, table: csvInputTable(kind) } as TableInputs[K];
  };
  return {
    ...inputs,
    customers: tableOf('customers'),
    invoices: tableOf('invoices'),
    payments: tableOf('payments'),
  };
}
