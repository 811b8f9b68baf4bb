import { type Account, generateAccount } from './generator.js';

/**
 * An organisation's accounts that change over time: generated from (seed, index), with only the accounts
 * written since kept in memory.
 */
export class AccountStore {
  private readonly written = new Map<number, Account>();

  constructor(
    readonly seed: number,
    readonly size: number,
  ) {}

  get(id: number): Account | undefined {
    if (!Number.isInteger(id) || id < 1 || id > this.size) return undefined;
    return this.written.get(id) ?? generateAccount(this.seed, id - 1);
  }

  /** Stores an account as written now (its modification time moves). */
  put(account: Account): Account {
    const stored = { ...account, lastModifiedDateTime: new Date().toISOString() };
    this.written.set(account.id, stored);
    return stored;
  }

  *[Symbol.iterator](): Iterator<Account> {
    for (let id = 1; id <= this.size; id++) yield this.get(id) as Account;
  }
}
