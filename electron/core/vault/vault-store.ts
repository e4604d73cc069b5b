import BetterSqlite3 from 'better-sqlite3';
import { migrate, type Db, type Migration } from '../db/database';
import { createTransactor } from '../db/transactor';

export type VaultMode = 'keychain' | 'passphrase';

/** The vault's one metadata row (vault_meta, id = 1): how the master key is protected, and its check value. */
export type Meta = {
  installation_id: string;
  mode: VaultMode;
  kek_id: string;
  kek_check: Buffer;
  kdf: string | null;
  wrapped_kek: Buffer | null;
  keychain_account: string | null;
  created_at: string;
  rotated_at: string | null;
};

/** A data key as stored: wrapped by the master key (envelope v1, AAD "dek:<id>"). */
export type WrappedDataKey = { id: string; wrapped: Buffer; active: boolean };

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The reads and the re-protection a restore needs from the decrypted copy of a backup, before it goes live. */
export type ScratchVault = {
  /** SQLite's own integrity check of the copy. */
  intact(): boolean;
  /** Brings the copy to this app's schema (throws for a database written by a newer app). */
  migrate(migrations: readonly Migration[]): void;
  meta(): Meta | undefined;
  dataKeys(): Array<{ id: string; wrapped: Buffer }>;
  protectWithKeychain(account: string): void;
  protectWithPassphrase(kdf: string, wrappedKek: Buffer): void;
  /** Leaves one self-contained file (no WAL) so it can be attached. */
  settle(): void;
  close(): void;
};

/**
 * All SQL of the vault: the master key's metadata, the wrapped data keys, and the whole-database operations of
 * backup and restore (an online snapshot, and the replacement of every table's rows from a restored copy).
 *
 * What must stay true:
 * - There is at most one vault_meta row; `insertMeta` and `replaceMasterKey` run inside the caller's transaction
 *   with its audit row.
 * - `addActiveDataKey` deactivates the previous key in the same statement group: exactly one key is active.
 * - `replaceAllFrom` replaces every table in ONE transaction, so any failure restores nothing, and every service's
 *   prepared statements keep working on the same connection (no file is swapped under it).
 */
export function createVaultStore(db: Db) {
  const meta = db.prepare('SELECT * FROM vault_meta WHERE id = 1');
  const dataKeys = db.prepare('SELECT id, wrapped, active FROM vault_data_keys');
  const deactivate = db.prepare('UPDATE vault_data_keys SET active = 0 WHERE active = 1');
  const insertKey = db.prepare('INSERT INTO vault_data_keys (id, wrapped, kek_id, active, created_at) VALUES (?, ?, ?, 1, ?)');
  const rewrapKey = db.prepare('UPDATE vault_data_keys SET wrapped = ?, kek_id = ? WHERE id = ?');
  const insertMeta = db.prepare(
    `INSERT INTO vault_meta (id, installation_id, mode, kek_id, kek_check, kdf, wrapped_kek, keychain_account, created_at)
     VALUES (1, @installation_id, @mode, @kek_id, @kek_check, @kdf, @wrapped_kek, @keychain_account, @created_at)`,
  );
  const rewrapPassphrase = db.prepare('UPDATE vault_meta SET kdf = ?, wrapped_kek = ? WHERE id = 1 AND kek_id = ?');
  const replaceKek = db.prepare(
    'UPDATE vault_meta SET kek_id = ?, kek_check = ?, keychain_account = ?, kdf = ?, wrapped_kek = ?, rotated_at = ? WHERE id = 1',
  );
  const tx = createTransactor(db);

  /** Every table's rows of the live db replaced by the attached `restored` db's, in the caller's transaction. */
  function copyAllTables(): number {
    const tables = (db.prepare(`SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as Array<{ name: string }>).map(
      (t) => t.name,
    );
    const restoredTables = new Set((db.prepare(`SELECT name FROM restored.sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>).map((t) => t.name));
    const virtual = new Set(
      (db.prepare(`SELECT name FROM main.sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'`).all() as Array<{ name: string }>).map((t) => t.name),
    );
    // A virtual table's shadow tables follow from its own contents.
    const isShadow = (t: string) => [...virtual].some((v) => t.startsWith(`${v}_`));
    const copied = tables.filter((t) => !isShadow(t));
    // Append-only guards (the audit log's triggers) would refuse the replacement; they come back in the same transaction.
    const triggers = db.prepare(`SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger'`).all() as Array<{ name: string; sql: string }>;
    for (const t of triggers) db.exec(`DROP TRIGGER main.${quote(t.name)}`);
    for (const t of copied) db.exec(`DELETE FROM main.${quote(t)}`);
    if (restoredTables.has('sqlite_sequence')) {
      db.exec('DELETE FROM main.sqlite_sequence');
      db.exec('INSERT INTO main.sqlite_sequence SELECT * FROM restored.sqlite_sequence');
    }
    for (const t of copied) {
      if (!restoredTables.has(t)) continue;
      const cols = (db.prepare(`PRAGMA main.table_info(${quote(t)})`).all() as Array<{ name: string }>).map((c) => quote(c.name)).join(', ');
      db.exec(`INSERT INTO main.${quote(t)} (${cols}) SELECT ${cols} FROM restored.${quote(t)}`);
    }
    for (const t of triggers) db.exec(t.sql);
    return copied.length;
  }

  return {
    ...tx,
    meta: (): Meta | undefined => meta.get() as Meta | undefined,
    dataKeys: (): WrappedDataKey[] => (dataKeys.all() as Array<{ id: string; wrapped: Buffer; active: number }>).map((r) => ({ id: r.id, wrapped: r.wrapped, active: r.active === 1 })),
    insertMeta: (m: Omit<Meta, 'rotated_at'>): void => void insertMeta.run(m),
    /** A new data key becomes the active one; the previous one stays (old values still open with it). */
    addActiveDataKey(id: string, wrapped: Buffer, kekId: string, createdAt: string): void {
      deactivate.run();
      insertKey.run(id, wrapped, kekId, createdAt);
    },
    rewrapDataKey: (id: string, wrapped: Buffer, kekId: string): void => void rewrapKey.run(wrapped, kekId, id),
    /** Passphrase mode: a new wrap of the same master key (raised KDF cost); a no-op if the key changed meanwhile. */
    rewrapPassphrase: (kekId: string, kdf: string, wrappedKek: Buffer): void => void rewrapPassphrase.run(kdf, wrappedKek, kekId),
    /** A new master key: its id, check value and protection (keychain account, or passphrase wrap). */
    replaceMasterKey(k: { kekId: string; kekCheck: Buffer; keychainAccount: string | null; kdf: string | null; wrappedKek: Buffer | null; rotatedAt: string }): void {
      replaceKek.run(k.kekId, k.kekCheck, k.keychainAccount, k.kdf, k.wrappedKek, k.rotatedAt);
    },

    /** SQLite's online backup of the live database into `file`: a consistent snapshot while the app keeps running. */
    snapshotTo: async (file: string): Promise<void> => void (await db.backup(file)),

    /** Opens the decrypted copy of a backup (a file of its own, never the live database). */
    openScratch(file: string): ScratchVault {
      const sdb = new BetterSqlite3(file);
      return {
        intact: () => sdb.pragma('integrity_check', { simple: true }) === 'ok',
        migrate: (migrations) => migrate(sdb, migrations),
        meta: () => sdb.prepare('SELECT * FROM vault_meta WHERE id = 1').get() as Meta | undefined,
        dataKeys: () => sdb.prepare('SELECT id, wrapped FROM vault_data_keys').all() as Array<{ id: string; wrapped: Buffer }>,
        protectWithKeychain: (account) =>
          void sdb.prepare(`UPDATE vault_meta SET mode = 'keychain', kdf = NULL, wrapped_kek = NULL, keychain_account = ? WHERE id = 1`).run(account),
        protectWithPassphrase: (kdf, wrappedKek) =>
          void sdb.prepare(`UPDATE vault_meta SET mode = 'passphrase', kdf = ?, wrapped_kek = ?, keychain_account = NULL WHERE id = 1`).run(kdf, wrappedKek),
        settle: () => void sdb.pragma('journal_mode = DELETE'),
        close: () => sdb.close(),
      };
    },

    /**
     * Replaces the contents of every table of the live database with those of the database file `file`, in ONE
     * transaction. `verify` runs inside it after the copy, with the restored meta row and the number of tables: it
     * checks the restored rows and records the audit event; if it throws, nothing is restored.
     */
    replaceAllFrom(file: string, verify: (restored: { meta: Meta; tables: number }) => void): void {
      db.exec(`ATTACH DATABASE '${file.replaceAll("'", "''")}' AS restored`);
      try {
        tx.transaction(() => {
          db.pragma('defer_foreign_keys = ON');
          const tables = copyAllTables();
          verify({ meta: meta.get() as Meta, tables });
        });
      } finally {
        db.exec('DETACH DATABASE restored');
      }
    },
  };
}
export type VaultStore = ReturnType<typeof createVaultStore>;
