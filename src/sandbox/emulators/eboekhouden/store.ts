import { isoDate } from '../formats.js';
import { type BookShape, firstIndexOnOrAfter, generateMutation } from './generator.js';
import type { Mutation } from './shapes.js';

/**
 * Generated mutations kept for the detail requests that follow their listing: a page lists 100, each needs its
 * rows and VAT for its amount, and its detail request comes soon after. Bounded, so the store stays O(1).
 */
const RECENT_MUTATIONS = 4096;

/**
 * An administration that changes over time: the generated mutations, edits made to some of them since, and
 * mutations booked after the period (dated the day they are booked). Only edits and new mutations are stored.
 */
export class MutationStore {
  private readonly edited = new Map<number, Mutation>();
  private readonly booked: Mutation[] = [];
  /**
   * Recently generated mutations by id, oldest first (never edited ones: edits are looked up first). Every mutation
   * the store hands out is frozen alike: generated and kept, edited or booked.
   */
  private readonly recent = new Map<number, Mutation>();

  constructor(readonly shape: BookShape) {}

  get size(): number {
    return this.shape.mutations + this.booked.length;
  }

  /**
   * The mutation with this id as it is now, or undefined. `keep: false` for a scan over many (a filtered listing):
   * it would push out the recent ones that detail requests are about to ask for.
   */
  get(id: number, { keep = true } = {}): Mutation | undefined {
    if (!Number.isInteger(id) || id < 1 || id > this.size) return undefined;
    return this.edited.get(id) ?? this.booked[id - 1 - this.shape.mutations] ?? this.generated(id, keep);
  }

  /** Mutation `id` as generated: from the recent ones, or generated (and kept: a frozen object, it is shared). */
  private generated(id: number, keep: boolean): Mutation {
    const kept = this.recent.get(id);
    if (kept) return kept;
    if (!keep) return generateMutation(this.shape, id - 1);
    const mutation = deepFreeze(generateMutation(this.shape, id - 1));
    if (this.recent.size >= RECENT_MUTATIONS) this.recent.delete(this.recent.keys().next().value as number);
    this.recent.set(id, mutation);
    return mutation;
  }

  /** Ids from the first dated on or after `from` (inclusive) to the last dated before `to` (exclusive). */
  idRange(from?: string, to?: string): { first: number; last: number } {
    const firstBase = from ? firstIndexOnOrAfter(this.shape, from) : 0;
    const endBase = to ? firstIndexOnOrAfter(this.shape, to) : this.shape.mutations;
    let first = firstBase + 1;
    let last = endBase;
    // Booked mutations come after the period, in date order.
    const booked = this.booked.filter(
      (mutation) => (!from || mutation.date >= from) && (!to || mutation.date < to),
    );
    if (booked.length > 0) {
      if (firstBase >= this.shape.mutations) first = (booked[0] as Mutation).id;
      last = (booked[booked.length - 1] as Mutation).id;
    }
    return { first, last };
  }

  /** Changes a mutation as a bookkeeper does: a description, and the amount of its first row. */
  edit(id: number): Mutation | undefined {
    const mutation = this.get(id);
    if (!mutation) return undefined;
    const [first, ...rest] = mutation.rows;
    const changed: Mutation = {
      ...mutation,
      description: `${mutation.description} (gewijzigd)`,
      rows: first ? [{ ...first, amount: Math.round((first.amount + 1) * 100) / 100 }, ...rest] : [],
    };
    this.edited.set(id, deepFreeze(changed));
    return changed;
  }

  /** Books `count` new mutations today, each a copy of a generated one with a new id and date. */
  book(count: number, date = isoDate(Date.now())): number[] {
    const ids: number[] = [];
    for (let n = 0; n < count; n++) {
      const id = this.size + 1;
      const template = generateMutation(this.shape, (id * 7919) % this.shape.mutations);
      // An invoice number is unique in an administration (MUT_019): a new invoice gets its own.
      const invoice = template.type === 1 || template.type === 2;
      const invoiceNumber = invoice ? `NEW-${id}` : template.invoiceNumber;
      this.booked.push(
        deepFreeze({
          ...template,
          id,
          date,
          entryNumber: String(id),
          ...(invoiceNumber ? { invoiceNumber } : {}),
        }),
      );
      ids.push(id);
    }
    return ids;
  }
}

/** Freezes a mutation and its rows and VAT lines: a caller that changed one would change it for every request. */
function deepFreeze(mutation: Mutation): Mutation {
  for (const row of mutation.rows) Object.freeze(row);
  for (const vat of mutation.vat) Object.freeze(vat);
  Object.freeze(mutation.rows);
  Object.freeze(mutation.vat);
  return Object.freeze(mutation);
}
