import { hash32, intBetween, pick, unit } from '../emulators/prng.js';

/**
 * Invoices and bank payments with the truth known: which payment pays which invoice, and how much. Generated a
 * case at a time from (seed, case index), in date order, with the noise real bank data has. A case is one
 * situation: an invoice paid exactly, a reference mistyped or missing, a payment split in two or settling
 * several invoices, a few cents off, paid before it was invoiced, a payment exported twice, two invoices a
 * payment cannot be told apart between (a tie, for review), an invoice unpaid, a payment for no invoice.
 */

export interface Customer {
  id: number;
  name: string;
  iban: string;
}

export interface Invoice {
  id: number;
  number: string;
  customerId: number;
  customerName: string;
  amountCents: number;
  issuedOn: string;
  dueOn: string;
}

export interface Payment {
  id: number;
  /** The remittance reference the payer typed, or null. */
  reference: string | null;
  payerName: string;
  /** The payer's account, when the bank export carries it. */
  payerIban: string | null;
  amountCents: number;
  paidOn: string;
  description: string;
}

/** A true allocation: this payment pays this much of this invoice. */
export interface Allocation {
  invoiceId: number;
  paymentId: number;
  amountCents: number;
}

export const CASE_KINDS = [
  'exact',
  'reference-mistyped',
  'reference-missing',
  'partial',
  'combined',
  'rounding',
  'prepayment',
  'duplicate',
  'tie',
  'unpaid',
  'stray',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** How often each case occurs, in order; the shares add up to 1. */
export const CASE_SHARES: Readonly<Record<CaseKind, number>> = {
  exact: 0.53,
  'reference-mistyped': 0.08,
  'reference-missing': 0.1,
  partial: 0.05,
  combined: 0.05,
  rounding: 0.04,
  prepayment: 0.02,
  duplicate: 0.02,
  tie: 0.02,
  unpaid: 0.05,
  stray: 0.04,
};

export interface MatchingCase {
  index: number;
  kind: CaseKind;
  invoices: Invoice[];
  payments: Payment[];
  truth: Allocation[];
  /** A tie: the truth is known, but nothing in the data tells the candidates apart; it belongs in review. */
  review: boolean;
}

const TRADES = [
  'Bakkerij',
  'Garage',
  'Hoveniersbedrijf',
  'Installatiebedrijf',
  'Studio',
  'Transport',
  'Schilders',
];
const SURNAMES = [
  'Jansen',
  'de Vries',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  'Bos',
  'Vos',
];
const FORMS = ['B.V.', 'B.V.', 'V.O.F.', '', 'Holding B.V.'];
const START_MS = Date.parse('2024-01-01T00:00:00Z');
const DAY_MS = 24 * 3600 * 1000;
/** Days the cases of a generated ledger span. */
const SPAN_DAYS = 730;

/** Customers of a ledger of `invoices`: about one per 25 invoices, at least 50. */
export const customerCount = (invoices: number) => Math.max(50, Math.ceil(invoices / 25));

export function customerOf(seed: number, id: number): Customer {
  const form = pick(FORMS, seed, id, 3);
  const name = `${pick(TRADES, seed, id, 1)} ${pick(SURNAMES, seed, id, 2)}${form ? ` ${form}` : ''}`;
  const account = String(hash32(seed, id, 4)).padStart(10, '0');
  return { id, name, iban: `NL${String(10 + (hash32(seed, id, 5) % 90))}FRRY${account}` };
}

/** The name as a payer's bank shows it: as is, or with a typo, initials, another legal form, other case. */
function payerNameOf(customer: Customer, ...parts: number[]): string {
  const name = customer.name;
  switch (intBetween(0, 5, ...parts)) {
    case 0: {
      // Two neighbouring letters swapped.
      const at = intBetween(1, Math.max(1, name.length - 3), ...parts, 1);
      return name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2);
    }
    case 1:
      return name.replace(/\bB\.V\.$/, 'BV').replace(/\bV\.O\.F\.$/, 'VOF');
    case 2:
      return name.toUpperCase();
    case 3: {
      // The trade abbreviated to its initial: "B. Jansen B.V."
      const [first, ...rest] = name.split(' ');
      return `${(first as string)[0]}. ${rest.join(' ')}`;
    }
    default:
      return name;
  }
}

/** A reference as a payer mistypes it: two digits swapped, a character dropped, or spaces and lower case. */
function mistyped(reference: string, ...parts: number[]): string {
  const digits = [...reference].map((char, at) => (/\d/.test(char) ? at : -1)).filter((at) => at >= 0);
  const at = digits[intBetween(0, digits.length - 2, ...parts, 1)] as number;
  switch (intBetween(0, 2, ...parts)) {
    case 0:
      return reference[at + 1] === reference[at]
        ? reference.slice(0, at) + reference.slice(at + 1)
        : reference.slice(0, at) + reference[at + 1] + reference[at] + reference.slice(at + 2);
    case 1:
      return reference.slice(0, at) + reference.slice(at + 1);
    default:
      return ` ${reference.toLowerCase().replace(/-/g, ' ')} `;
  }
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function kindOf(seed: number, index: number): CaseKind {
  let u = unit(seed, index, 0);
  for (const kind of CASE_KINDS) {
    u -= CASE_SHARES[kind];
    if (u < 0) return kind;
  }
  return 'exact';
}

/**
 * The cases of a ledger of `invoices` invoices (the last case may bring the total a little over), with invoice
 * and payment ids numbered from 1 in the order they come. Memory stays flat however many: each case is made
 * from (seed, index) and the running ids.
 */
export function* generateMatchingCases(options: { seed: number; invoices: number }): Generator<MatchingCase> {
  const { seed } = options;
  const customers = customerCount(options.invoices);
  // Cases per invoice, on average, to spread dates evenly: an unpaid or a stray case counts too.
  const expectedCases = Math.max(1, Math.round(options.invoices / 1.07));
  let invoiceId = 0;
  let paymentId = 0;
  for (let index = 0; invoiceId < options.invoices; index++) {
    const kind = kindOf(seed, index);
    const customer = customerOf(seed, hash32(seed, index, 1) % customers);
    const dayMs =
      START_MS + Math.floor((Math.min(index, expectedCases) / expectedCases) * SPAN_DAYS) * DAY_MS;
    const invoice = (amountCents: number, offsetDays = 0): Invoice => {
      invoiceId++;
      const issued = dayMs + offsetDays * DAY_MS;
      return {
        id: invoiceId,
        number: `INV-${new Date(issued).getUTCFullYear()}-${String(invoiceId).padStart(7, '0')}`,
        customerId: customer.id,
        customerName: customer.name,
        amountCents,
        issuedOn: isoDay(issued),
        dueOn: isoDay(issued + 30 * DAY_MS),
      };
    };
    const payment = (amountCents: number, reference: string | null, afterDays: number, n = 0): Payment => {
      paymentId++;
      const iban = unit(seed, index, 10, n) < 0.7 ? customer.iban : null;
      return {
        id: paymentId,
        reference,
        payerName: payerNameOf(customer, seed, index, 11, n),
        payerIban: iban,
        amountCents,
        paidOn: isoDay(dayMs + afterDays * DAY_MS),
        description: reference ? `Betaling ${reference}` : `Betaling ${customer.name}`,
      };
    };
    const amount = (n = 0) => intBetween(1_000, 500_000, seed, index, 20, n);
    const later = (n = 0) => intBetween(3, 40, seed, index, 21, n);
    const made = (
      invoices: Invoice[],
      payments: Payment[],
      truth: Allocation[],
      review = false,
    ): MatchingCase => ({
      index,
      kind,
      invoices,
      payments,
      truth,
      review,
    });
    const paidBy = (
      inv: Invoice,
      pay: Payment,
      cents = Math.min(inv.amountCents, pay.amountCents),
    ): Allocation => ({
      invoiceId: inv.id,
      paymentId: pay.id,
      amountCents: cents,
    });

    switch (kind) {
      case 'exact':
      case 'reference-mistyped':
      case 'reference-missing':
      case 'prepayment': {
        const inv = invoice(amount());
        const reference =
          kind === 'reference-missing'
            ? null
            : kind === 'reference-mistyped'
              ? mistyped(inv.number, seed, index, 30)
              : inv.number;
        const pay = payment(
          inv.amountCents,
          reference,
          kind === 'prepayment' ? -intBetween(1, 10, seed, index, 31) : later(),
        );
        yield made([inv], [pay], [paidBy(inv, pay)]);
        break;
      }
      case 'partial': {
        const inv = invoice(amount());
        const first = Math.round(inv.amountCents * (0.3 + 0.4 * unit(seed, index, 32)));
        const a = payment(first, inv.number, later(), 0);
        const b = payment(inv.amountCents - first, inv.number, later(1) + 10, 1);
        yield made([inv], [a, b], [paidBy(inv, a), paidBy(inv, b)]);
        break;
      }
      case 'combined': {
        const count = intBetween(2, 3, seed, index, 33);
        const invoices = Array.from({ length: count }, (_, n) => invoice(amount(n), n * 3));
        const total = invoices.reduce((sum, inv) => sum + inv.amountCents, 0);
        const reference = unit(seed, index, 34) < 0.5 ? invoices.map((inv) => inv.number).join(' ') : null;
        const pay = payment(total, reference, later() + 6);
        yield made(
          invoices,
          [pay],
          invoices.map((inv) => paidBy(inv, pay, inv.amountCents)),
        );
        break;
      }
      case 'rounding': {
        const inv = invoice(amount());
        const off = intBetween(1, 5, seed, index, 35) * (unit(seed, index, 36) < 0.5 ? -1 : 1);
        const pay = payment(inv.amountCents + off, unit(seed, index, 37) < 0.5 ? inv.number : null, later());
        yield made([inv], [pay], [paidBy(inv, pay)]);
        break;
      }
      case 'duplicate': {
        // The bank export holds the payment twice: the second pays nothing.
        const inv = invoice(amount());
        const pay = payment(inv.amountCents, inv.number, later());
        paymentId++;
        yield made([inv], [pay, { ...pay, id: paymentId }], [paidBy(inv, pay)]);
        break;
      }
      case 'tie': {
        // Two invoices of one customer for the same amount, days apart; the payment names neither.
        const cents = amount();
        const invoices = [invoice(cents), invoice(cents, 2)];
        const pay = payment(cents, null, later() + 2);
        const paid = invoices[intBetween(0, 1, seed, index, 38)] as Invoice;
        yield made(invoices, [pay], [paidBy(paid, pay)], true);
        break;
      }
      case 'unpaid':
        yield made([invoice(amount())], [], []);
        break;
      case 'stray': {
        // A refund or a payment for something never invoiced.
        yield made([], [payment(amount(), null, later())], []);
        break;
      }
    }
  }
}
