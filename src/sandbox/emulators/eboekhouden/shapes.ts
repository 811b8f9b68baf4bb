/** e-Boekhouden REST API v1 resources, shaped as the API sends them (the fields ferry reads, and a few more). */

/** 0 opening balance, 1 invoice received, 2 invoice sent, 3 invoice payment received, 4 invoice payment sent,
 * 5 money received, 6 money spent, 7 general journal. */
export type MutationType = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface MutationRow {
  ledgerId: number;
  vatCode: string;
  /** Excluding VAT when the mutation is `inExVat: 'EX'`. */
  amount: number;
  description: string;
  /** A payment's row names the invoice it settles. */
  invoiceNumber?: string;
}

export interface MutationVat {
  vatCode: string;
  amount: number;
}

/** `GET /v1/mutation/{id}`: the whole mutation. */
export interface Mutation {
  id: number;
  type: MutationType;
  /** 'YYYY-MM-DD' */
  date: string;
  description: string;
  termOfPayment: number;
  /** The bank account (payments, money), the debtors or creditors account (invoices). */
  ledgerId: number;
  relationId?: number;
  inExVat: 'IN' | 'EX';
  /** An invoice's number; a payment's settled invoices, comma-separated. */
  invoiceNumber?: string;
  entryNumber: string;
  rows: MutationRow[];
  vat: MutationVat[];
}

/** `GET /v1/mutation`: a list item, a summary of the mutation. */
export interface MutationSummary {
  id: number;
  type: MutationType;
  date: string;
  invoiceNumber?: string;
  ledgerId: number;
  amount: number;
  entryNumber: string;
}

export interface Ledger {
  id: number;
  code: string;
  description: string;
  /** BAL, VW, FIN, DEB, CRED, … */
  category: string;
}

export interface Relation {
  id: number;
  /** B: business, P: person. */
  type: 'B' | 'P';
  code: string;
  name: string;
  email?: string;
}
