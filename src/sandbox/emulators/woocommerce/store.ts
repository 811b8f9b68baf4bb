import type { WooOrder } from '../../../connectors/woocommerce/order-shape.js';
import {
  baseModifiedAtMs,
  baseStatus,
  corruptOrder,
  createdAtMs,
  generateOrder,
  MAX_MODIFY_DELAY_MS,
  malformedKind,
  type OrderState,
  type StoreShape,
} from './order-generator.js';

interface Revision {
  revision: number;
  modifiedMs: number;
  status: string;
}

/**
 * A WooCommerce store of any size in O(changes) memory: base orders are generated from (seed, index), and
 * only orders created, modified or trashed while the emulator runs are remembered.
 */
export class OrderStore {
  private readonly createdAfterStart: number[] = [];
  private readonly revisions = new Map<number, Revision>();
  private readonly trashedSorted: number[] = [];
  private lastMutationMs = 0;
  malformedRecordRate = 0;

  constructor(readonly shape: StoreShape) {}

  /** Orders ever created, trashed ones included; order ids are 1..size. */
  get size(): number {
    return this.shape.baseCount + this.createdAfterStart.length;
  }

  createdMs(index: number): number {
    if (index < this.shape.baseCount) return createdAtMs(this.shape, index);
    return this.createdAfterStart[index - this.shape.baseCount] as number;
  }

  state(index: number): OrderState {
    const createdMs = this.createdMs(index);
    const revision = this.revisions.get(index);
    if (revision)
      return {
        createdMs,
        modifiedMs: revision.modifiedMs,
        status: revision.status,
        revision: revision.revision,
      };
    const fresh = index >= this.shape.baseCount;
    return {
      createdMs,
      modifiedMs: fresh ? createdMs : baseModifiedAtMs(this.shape, index, createdMs),
      status: fresh ? 'processing' : baseStatus(this.shape, index),
      revision: 0,
    };
  }

  order(index: number): WooOrder {
    const order = generateOrder(this.shape, index, this.state(index));
    const kind = malformedKind(this.shape, index, this.malformedRecordRate);
    return kind ? corruptOrder(order, kind) : order;
  }

  isTrashed(index: number): boolean {
    return this.revisions.get(index)?.status === 'trash';
  }

  /** Trashed indices in ascending order, for counting without a scan. */
  get trashed(): readonly number[] {
    return this.trashedSorted;
  }

  /** Indices whose modification time no longer follows from their creation time. */
  revisedIndices(): IterableIterator<number> {
    return this.revisions.keys();
  }

  /** A store clock that never runs backwards and never lands inside the generated history. */
  private tick(): number {
    const floor = this.shape.endMs + MAX_MODIFY_DELAY_MS + 1000;
    const now = Math.floor(Date.now() / 1000) * 1000;
    this.lastMutationMs = Math.max(now, floor, this.lastMutationMs);
    return this.lastMutationMs;
  }

  create(count: number): number[] {
    const ids: number[] = [];
    for (let n = 0; n < count; n++) {
      this.createdAfterStart.push(this.tick());
      ids.push(this.size);
    }
    return ids;
  }

  /** Applies the next deterministic edit to an order and moves its date_modified_gmt. */
  modify(id: number): WooOrder | undefined {
    const index = id - 1;
    if (!this.exists(index)) return undefined;
    const current = this.state(index);
    const status = current.status === 'processing' ? 'completed' : current.status;
    this.revisions.set(index, { revision: current.revision + 1, modifiedMs: this.tick(), status });
    return this.order(index);
  }

  trash(id: number): WooOrder | undefined {
    const index = id - 1;
    if (!this.exists(index)) return undefined;
    const current = this.state(index);
    if (current.status !== 'trash') {
      this.revisions.set(index, { revision: current.revision, modifiedMs: this.tick(), status: 'trash' });
      const at = lowerBound(this.trashedSorted, index);
      this.trashedSorted.splice(at, 0, index);
    }
    return this.order(index);
  }

  exists(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.size;
  }
}

/** First position in a sorted array whose value is >= target. */
export function lowerBound(sorted: readonly number[], target: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
