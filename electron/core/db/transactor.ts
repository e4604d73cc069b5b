import type { Db } from './database';

/**
 * How a store opens transactions: the one place a capability's writes become atomic. Every store of the same
 * database shares one connection, so a service may call several stores (its own, the audit log's) inside one
 * `transaction(fn)` and they all commit or roll back together.
 *
 * What must stay true:
 * - `fn` is synchronous (better-sqlite3 transactions cannot span an await); do awaited work (hashing, the keychain,
 *   scrypt) before opening the transaction.
 * - A call inside an open transaction becomes a savepoint of it (better-sqlite3's nesting), so a store method that
 *   opens its own transaction still joins the caller's.
 * - The wrapper is built once per store: `db.transaction()` allocates, and hot paths (a secret's reveal) run here.
 */
export type Transactor = {
  /** BEGIN (deferred): the write lock is taken at the first write. */
  transaction<T>(fn: () => T): T;
  /** BEGIN IMMEDIATE: the write lock is taken before the first read (claims, get-or-create across processes). */
  immediate<T>(fn: () => T): T;
};

export function createTransactor(db: Db): Transactor {
  const run = db.transaction((fn: () => unknown) => fn());
  return {
    transaction: <T>(fn: () => T): T => run(fn) as T,
    immediate: <T>(fn: () => T): T => run.immediate(fn) as T,
  };
}
