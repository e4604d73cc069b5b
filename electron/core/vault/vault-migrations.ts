import type { Migration } from '../db/database';

/** Vault core tables (200). The vault/secrets capability adds 201+. */
export const vaultCoreMigration: Migration = {
  version: 200,
  name: 'vault: master key metadata and wrapped data keys',
  up: (db) => {
    db.exec(`
      CREATE TABLE vault_meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        installation_id TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('keychain', 'passphrase')),
        kek_id TEXT NOT NULL,
        -- A known plaintext sealed under the master key: proves a key (or passphrase) is the right one.
        kek_check BLOB NOT NULL,
        -- Passphrase mode only: KDF parameters (JSON) and the master key wrapped by the derived key.
        kdf TEXT,
        wrapped_kek BLOB,
        created_at TEXT NOT NULL,
        rotated_at TEXT
      );
      CREATE TABLE vault_data_keys (
        id TEXT PRIMARY KEY,
        wrapped BLOB NOT NULL,
        kek_id TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
    `);
  },
};
