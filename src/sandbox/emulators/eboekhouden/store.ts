import { type BookShape, firstIndexOnOrAfter, generateMutation } from './generator.js';
import type { Mutation } from './shapes.js';

/**
 * An administration that changes over time: the generated mutations, edits made to some of them since, and
 * mutations booked after the period (dated the day they are booked). Only edits and new mutations are stored.
 */
export class MutationStore {
  private readonly edited = new Map<number, Mutation>();
  private readonly booked: Mutation[] = [];

  constructor(readonly shape: BookShape) {}

  get size(): number {
    return this.shape.mutations + this.booked.length;
  }

  /** The mutation with this id as it is now, or undefined. */
  get(id: number): Mutation | undefined {
    if (!Number.isInteger(id) || id < 1 || id > this.size) return undefined;
    return (
      this.edited.get(id) ??
      this.booked[id - 1 - this.shape.mutations] ??
      generateMutation(this.shape, id - 1)
    );
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
    this.edited.set(id, changed);
    return changed;
  }

  /** Books `count` new mutations today, each a copy of a generated one with a new id and date. */
  book(count: number, date = new Date().toISOString().slice(0, 10)): number[] {
    const ids: number[] = [];
    for (let n = 0; n < count; n++) {
      const id = this.size + 1;
      const template = generateMutation(this.shape, (id * 7919) % this.shape.mutations);
      // An invoice number is unique in an administration (MUT_019): a new invoice gets its own.
      const invoice = template.type === 1 || template.type === 2;
      const invoiceNumber = invoice ? `NEW-${id}` : template.invoiceNumber;
      this.booked.push({
        ...template,
        id,
        date,
        entryNumber: String(id),
        ...(invoiceNumber ? { invoiceNumber } : {}),
      });
      ids.push(id);
    }
    return ids;
  }
}
