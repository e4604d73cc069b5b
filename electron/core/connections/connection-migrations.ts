import type { Migration } from '../db/database';
import { addNameKeyColumn } from '../db/name-key-backfill';

/**
 * Connections (range 300–399). The credential is only ever stored sealed by the vault (AAD
 * `connection:<id>:credential`), or as a reference to a vault secret; no column holds plaintext.
 */
export const connectionsMigration: Migration = {
  version: 300,
  name: 'connections: connections, status history',
  up: (db) => {
    db.exec(`
      CREATE TABLE connections (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        provider TEXT NOT NULL,
        auth_type TEXT NOT NULL CHECK (auth_type IN ('oauth2','apikey','serviceaccount')),
        status TEXT NOT NULL CHECK (status IN ('active','paused','error')),
        settings TEXT NOT NULL DEFAULT '{}',
        credential_sealed BLOB,
        credential_secret_id TEXT,
        last_error_code TEXT,
        last_error_message TEXT,
        last_error_at TEXT,
        last_test TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        status_changed_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX connections_ws_name ON connections (workspace_id, name COLLATE NOCASE);
      CREATE INDEX connections_ws_provider ON connections (workspace_id, provider);

      CREATE TABLE connection_status_history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL,
        at TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        reason TEXT NOT NULL,
        actor TEXT NOT NULL
      );
      CREATE INDEX connection_status_history_conn ON connection_status_history (connection_id, seq);
    `);
  },
};

/**
 * The optional write-only parts of a credential (catalog `credentialFields`: Datadog's application key, an encrypted
 * Snowflake key's passphrase), one row per field that is set: either sealed by the vault (AAD
 * `connection:<id>:credential:<key>`) or a reference to a vault secret, never both, never plaintext.
 */
export const connectionCredentialFieldsMigration: Migration = {
  version: 301,
  name: 'connections: write-only credential fields',
  up: (db) => {
    db.exec(`
      CREATE TABLE connection_credential_fields (
        connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        sealed BLOB,
        secret_id TEXT,
        PRIMARY KEY (connection_id, key),
        CHECK ((sealed IS NULL) <> (secret_id IS NULL))
      ) WITHOUT ROWID;
    `);
  },
};

/**
 * Connection names are unique per workspace by nameKey (NFKC + full case folding) instead of ASCII-only NOCASE.
 * The NOCASE index stays; list order (lower(name), id) is unchanged.
 */
export const connectionNameKeyMigration: Migration = {
  version: 302,
  name: 'connections: names unique in all of Unicode, ignoring case',
  up: (db, log) => addNameKeyColumn(db, { table: 'connections', scope: 'workspace_id', order: 'created_at, rowid', index: 'connections_ws_name_key' }, log),
};
