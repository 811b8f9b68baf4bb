import { isoDate } from '../formats.js';
import { intBetween, pick, unit } from '../prng.js';
import type { Ledger, Mutation, MutationRow, MutationSummary, MutationType, Relation } from './shapes.js';

/**
 * The fixed part of an administration: every mutation is a pure function of (shape, index), so millions of them
 * cost no memory and any one costs what the first does. Mutation i has id i + 1; dates grow with the index.
 */
export interface BookShape {
  seed: number;
  mutations: number;
  startMs: number;
  endMs: number;
}

/** Mutations at the very start open the books (type 0). */
const OPENING_MUTATIONS = 3;
/** How far back a payment looks for the invoices it settles. */
const PAYMENT_LOOKBACK = 60;

enum Salt {
  Type = 1,
  Relation,
  RowCount,
  RowLedger,
  RowVat,
  RowAmount,
  Credit,
  Settles,
  Term,
  Journal,
}

/** VAT codes and their rates; sales codes for invoices sent, purchase codes for invoices received. */
export const VAT_RATES: Readonly<Record<string, number>> = {
  HOOG_VERK_21: 0.21,
  LAAG_VERK_9: 0.09,
  VERL_VERK: 0,
  BU_EU_VERK: 0,
  GEEN: 0,
  HOOG_INK_21: 0.21,
  LAAG_INK_9: 0.09,
  VERL_INK: 0,
  BI_EU_INK: 0,
};
const SALES_VAT = ['HOOG_VERK_21', 'HOOG_VERK_21', 'LAAG_VERK_9', 'VERL_VERK', 'BU_EU_VERK', 'GEEN'];
const PURCHASE_VAT = ['HOOG_INK_21', 'HOOG_INK_21', 'LAAG_INK_9', 'VERL_INK', 'BI_EU_INK', 'GEEN'];

/** A small chart of accounts: balance, bank, debtors, creditors, revenue and cost ledgers. */
const CHART: readonly (readonly [code: string, description: string, category: string])[] = [
  ['0500', 'Eigen vermogen', 'BAL'],
  ['1100', 'Bank', 'FIN'],
  ['1110', 'Spaarrekening', 'FIN'],
  ['1300', 'Debiteuren', 'DEB'],
  ['1600', 'Crediteuren', 'CRED'],
  ['1500', 'Af te dragen btw', 'BAL'],
  ['1510', 'Te vorderen btw', 'BAL'],
  ...Array.from(
    { length: 12 },
    (_, n) => [`80${String(n * 10).padStart(2, '0')}`, `Omzet ${n + 1}`, 'VW'] as const,
  ),
  ...Array.from(
    { length: 20 },
    (_, n) => [`4${String(n * 50).padStart(3, '0')}`, `Kosten ${n + 1}`, 'VW'] as const,
  ),
];
export const LEDGERS: readonly Ledger[] = CHART.map(([code, description, category], index) => ({
  id: 1000 + index,
  code,
  description,
  category,
}));
const ledgerId = (code: string) => (LEDGERS.find((ledger) => ledger.code === code) as Ledger).id;
const BANK = ledgerId('1100');
const DEBTORS = ledgerId('1300');
const CREDITORS = ledgerId('1600');
const EQUITY = ledgerId('0500');
const REVENUE = LEDGERS.filter((ledger) => ledger.code.startsWith('80')).map((ledger) => ledger.id);
const COSTS = LEDGERS.filter((ledger) => ledger.code.startsWith('4')).map((ledger) => ledger.id);

const FIRST = ['Anna', 'Bram', 'Chantal', 'Daan', 'Eva', 'Floor', 'Gijs', 'Hanna', 'Iris', 'Joost'];
const LAST = ['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder'];
const FIRMS = ['Atlas', 'Boreal', 'Cobalt', 'Delta', 'Ember', 'Fjord', 'Granite', 'Harbor'];
const FORMS = ['B.V.', 'BV', 'V.O.F.', 'Holding B.V.', '& Zn.'];

/** A realistic number of relations: one per 40 mutations, at least 50. */
export function relationCount(shape: BookShape): number {
  return Math.max(50, Math.ceil(shape.mutations / 40));
}

export function generateRelation(shape: BookShape, index: number): Relation {
  const business = unit(shape.seed, index, Salt.Relation, 0) < 0.7;
  const name = business
    ? `${pick(FIRMS, shape.seed, index, Salt.Relation, 1)} ${pick(FORMS, shape.seed, index, Salt.Relation, 2)}`
    : `${pick(FIRST, shape.seed, index, Salt.Relation, 3)} ${pick(LAST, shape.seed, index, Salt.Relation, 4)}`;
  const id = index + 1;
  // Some relations have no e-mail address: e-Boekhouden leaves empty fields out.
  const email = unit(shape.seed, index, Salt.Relation, 5) < 0.8 ? `relatie${id}@example.nl` : undefined;
  return {
    id,
    type: business ? 'B' : 'P',
    code: `REL${String(id).padStart(5, '0')}`,
    name,
    ...(email ? { email } : {}),
  };
}

/** The date of mutation `index`: spread over the period in index order. */
export function mutationDate(shape: BookShape, index: number): string {
  const span = shape.endMs - shape.startMs;
  const ms = shape.startMs + Math.floor((index * span) / Math.max(1, shape.mutations));
  return isoDate(ms);
}

/** The first mutation index dated at or after `date` ('YYYY-MM-DD'): dates are monotone in the index. */
export function firstIndexOnOrAfter(shape: BookShape, date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  const span = shape.endMs - shape.startMs;
  let index = Math.max(0, Math.ceil(((ms - shape.startMs) * shape.mutations) / span) - 1);
  while (index < shape.mutations && mutationDate(shape, index) < date) index++;
  while (index > 0 && mutationDate(shape, index - 1) >= date) index--;
  return Math.min(index, shape.mutations);
}

export function mutationType(shape: BookShape, index: number): MutationType {
  if (index < OPENING_MUTATIONS) return 0;
  const draw = unit(shape.seed, index, Salt.Type);
  if (draw < 0.35) return 2;
  if (draw < 0.55) return 1;
  if (draw < 0.73) return 3;
  if (draw < 0.83) return 4;
  if (draw < 0.89) return 5;
  if (draw < 0.95) return 6;
  return 7;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const isInvoice = (type: MutationType) => type === 1 || type === 2;

function invoiceNumberOf(shape: BookShape, index: number, type: MutationType): string {
  const year = mutationDate(shape, index).slice(0, 4);
  return type === 2 ? `F${year}-${String(index + 1).padStart(7, '0')}` : `INK-${index + 1}`;
}

/** An invoice's rows (1 to 20, over several VAT codes; a credit note's amounts are negative) and its VAT. */
function invoiceRows(
  shape: BookShape,
  index: number,
  type: 1 | 2,
): { rows: MutationRow[]; vat: Map<string, number> } {
  const { seed } = shape;
  const credit = unit(seed, index, Salt.Credit) < 0.05 ? -1 : 1;
  const count = intBetween(1, 20, seed, index, Salt.RowCount);
  const rows: MutationRow[] = [];
  const vat = new Map<string, number>();
  for (let row = 0; row < count; row++) {
    const vatCode = pick(type === 2 ? SALES_VAT : PURCHASE_VAT, seed, index, row, Salt.RowVat);
    const amount = credit * round2(intBetween(100, 250_000, seed, index, row, Salt.RowAmount) / 100);
    rows.push({
      ledgerId: pick(type === 2 ? REVENUE : COSTS, seed, index, row, Salt.RowLedger),
      vatCode,
      amount,
      description: `${type === 2 ? 'Levering' : 'Inkoop'} ${row + 1}`,
    });
    vat.set(vatCode, round2((vat.get(vatCode) ?? 0) + amount * (VAT_RATES[vatCode] ?? 0)));
  }
  return { rows, vat };
}

/** What an invoice comes to, VAT included: what a payment of it pays. */
function invoiceTotal(shape: BookShape, index: number, type: 1 | 2): number {
  const { rows, vat } = invoiceRows(shape, index, type);
  const net = rows.reduce((sum, row) => sum + row.amount, 0);
  return round2(net + [...vat.values()].reduce((sum, tax) => sum + tax, 0));
}

/** The earlier invoices a payment settles: one to three of the right kind, found a bounded way back. */
function settledInvoices(shape: BookShape, index: number, invoiceType: 1 | 2): number[] {
  const wanted = intBetween(1, 3, shape.seed, index, Salt.Settles);
  const found: number[] = [];
  for (let back = 1; back <= PAYMENT_LOOKBACK && index - back >= 0 && found.length < wanted; back++) {
    const candidate = index - back;
    if (mutationType(shape, candidate) !== invoiceType) continue;
    if (unit(shape.seed, candidate, index, Salt.Settles) < 0.5) found.push(candidate);
  }
  return found.reverse();
}

function relationOf(shape: BookShape, index: number): number {
  return (
    1 + (Math.floor(unit(shape.seed, index, Salt.Relation) * relationCount(shape)) % relationCount(shape))
  );
}

/** Mutation `index` as `GET /v1/mutation/{id}` answers it. */
export function generateMutation(shape: BookShape, index: number): Mutation {
  const { seed } = shape;
  const id = index + 1;
  const date = mutationDate(shape, index);
  let type = mutationType(shape, index);
  const base = { id, date, entryNumber: String(id), inExVat: 'EX' as const, termOfPayment: 0 };
  if (isInvoice(type)) {
    const invoiceType = type as 1 | 2;
    const { rows, vat } = invoiceRows(shape, index, invoiceType);
    return {
      ...base,
      type,
      description: `${invoiceType === 2 ? 'Factuur' : 'Inkoopfactuur'} ${invoiceNumberOf(shape, index, type)}`,
      termOfPayment: pick([14, 30, 60], seed, index, Salt.Term),
      ledgerId: invoiceType === 2 ? DEBTORS : CREDITORS,
      relationId: relationOf(shape, index),
      invoiceNumber: invoiceNumberOf(shape, index, type),
      rows,
      vat: [...vat].map(([vatCode, amount]) => ({ vatCode, amount })),
    };
  }
  if (type === 3 || type === 4) {
    const invoiceType = type === 3 ? 2 : 1;
    const settled = settledInvoices(shape, index, invoiceType);
    if (settled.length > 0) {
      const numbers = settled.map((invoice) => invoiceNumberOf(shape, invoice, invoiceType));
      return {
        ...base,
        type,
        description: `Betaling ${numbers.join(', ')}`,
        ledgerId: BANK,
        relationId: relationOf(shape, settled[0] as number),
        invoiceNumber: numbers.join(','),
        rows: settled.map((invoice, row) => ({
          ledgerId: invoiceType === 2 ? DEBTORS : CREDITORS,
          vatCode: 'GEEN',
          amount: invoiceTotal(shape, invoice, invoiceType),
          description: `Betaling ${numbers[row]}`,
          invoiceNumber: numbers[row] as string,
        })),
        vat: [],
      };
    }
    // Nothing to settle nearby: the bank line stays unmatched money.
    type = type === 3 ? 5 : 6;
  }
  const rowCount = type === 7 ? intBetween(2, 4, seed, index, Salt.Journal) : type === 0 ? 3 : 1;
  const rows: MutationRow[] = Array.from({ length: rowCount }, (_, row) => ({
    ledgerId: type === 0 ? EQUITY : pick(type === 5 ? REVENUE : COSTS, seed, index, row, Salt.RowLedger),
    vatCode: 'GEEN',
    amount: round2(intBetween(100, 500_000, seed, index, row, Salt.RowAmount) / 100),
    description: `${type === 0 ? 'Beginbalans' : type === 7 ? 'Memoriaal' : 'Bank'} ${row + 1}`,
  }));
  return {
    ...base,
    type,
    description: type === 0 ? 'Beginbalans' : type === 7 ? 'Memoriaalboeking' : 'Banktransactie',
    ledgerId: type === 7 ? EQUITY : BANK,
    ...(type === 5 || type === 6 ? { relationId: relationOf(shape, index) } : {}),
    rows,
    vat: [],
  };
}

/** The mutation as `GET /v1/mutation` lists it: a summary; its rows need the detail request. */
export function summaryOf(mutation: Mutation): MutationSummary {
  const net = mutation.rows.reduce((sum, row) => sum + row.amount, 0);
  const tax = mutation.vat.reduce((sum, vat) => sum + vat.amount, 0);
  return {
    id: mutation.id,
    type: mutation.type,
    date: mutation.date,
    ...(mutation.invoiceNumber ? { invoiceNumber: mutation.invoiceNumber } : {}),
    ledgerId: mutation.ledgerId,
    amount: round2(net + tax),
    entryNumber: mutation.entryNumber,
  };
}
