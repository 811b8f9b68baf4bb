/** The kinds of input a match run reads. No imports: the match workflow's bundle takes this file. */
export const INPUT_KINDS = ['customers', 'invoices', 'payments'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];
