import type { Migration } from '../db/database';
import { addNameKeyColumn } from '../db/name-key-backfill';

/** Secrets (250–299 are this capability's). */
export const secretsMigration: Migration = {
  version: 250,
  name: 'secrets: metadata, encrypted versions, rotation schedule',
  up: (db) => {
    db.exec(`
      CREATE TABLE secrets (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        -- NOCASE: "API_KEY" and "api_key" are one name; the unique index is also the list's keyset order.
        name TEXT NOT NULL COLLATE NOCASE,
        description TEXT NOT NULL DEFAULT '',
        value_type TEXT NOT NULL CHECK (value_type IN ('string', 'json')),
        version INTEGER NOT NULL,
        -- App-generated secrets: {"length":n,"alphabet":"…"}; the scheduler rotates these itself.
        generator TEXT,
        rotation_days INTEGER,
        -- When the scheduler next acts; NULL when no schedule, or when a manual rotation is already due.
        next_rotation_at TEXT,
        rotation_due_since TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_rotated_at TEXT
      );
      CREATE UNIQUE INDEX secrets_ws_name ON secrets (workspace_id, name);
      CREATE INDEX secrets_next_rotation ON secrets (next_rotation_at) WHERE next_rotation_at IS NOT NULL;

      -- Values exist only here, sealed by the vault with AAD "secret:<id>:v<version>".
      CREATE TABLE secret_versions (
        secret_id TEXT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        workspace_id TEXT NOT NULL,
        value_type TEXT NOT NULL CHECK (value_type IN ('string', 'json')),
        ciphertext BLOB NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('create', 'rotate', 'scheduled', 'rollback')),
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (secret_id, version)
      );
    `);
  },
};

/**
 * Secret names are unique per workspace by nameKey (NFKC + full case folding) instead of ASCII-only NOCASE. The
 * (workspace_id, name NOCASE) index stays: it is the list's keyset order, which does not change.
 */
export const secretNameKeyMigration: Migration = {
  version: 251,
  name: 'secrets: names unique in all of Unicode, ignoring case',
  up: (db, log) => addNameKeyColumn(db, { table: 'secrets', scope: 'workspace_id', order: 'created_at, rowid', index: 'secrets_ws_name_key' }, log),
};

/**
 * Search anywhere in a name: an FTS5 index of secret names with the trigram tokenizer (case-insensitive), which
 * answers "contains these characters" for queries of 3 characters or more. It is an external-content table over
 * `secrets` (the names are stored once), kept in step by triggers, so every write path — including a workspace's
 * cascade delete — updates it in the same transaction. Queries shorter than 3 characters cannot use trigrams: the
 * store matches those against the workspace's names itself (see secret-store.ts).
 */
export const secretNameSearchMigration: Migration = {
  version: 252,
  name: 'secrets: search anywhere in the name (FTS5 trigram index)',
  up: (db) => {
    db.exec(`
      CREATE VIRTUAL TABLE secrets_name_fts USING fts5(name, content='secrets', content_rowid='rowid', tokenize='trigram');
      INSERT INTO secrets_name_fts (secrets_name_fts) VALUES ('rebuild');
      CREATE TRIGGER secrets_name_fts_insert AFTER INSERT ON secrets BEGIN
        INSERT INTO secrets_name_fts (rowid, name) VALUES (new.rowid, new.name);
      END;
      CREATE TRIGGER secrets_name_fts_delete AFTER DELETE ON secrets BEGIN
        INSERT INTO secrets_name_fts (secrets_name_fts, rowid, name) VALUES ('delete', old.rowid, old.name);
      END;
      CREATE TRIGGER secrets_name_fts_rename AFTER UPDATE OF name ON secrets BEGIN
        INSERT INTO secrets_name_fts (secrets_name_fts, rowid, name) VALUES ('delete', old.rowid, old.name);
        INSERT INTO secrets_name_fts (rowid, name) VALUES (new.rowid, new.name);
      END;
    `);
  },
};

/** A rolled-back version says which version it restored (NULL for every other source, and for rollbacks made before). */
export const secretRestoredFromMigration: Migration = {
  version: 253,
  name: 'secrets: a rollback version records the version it came from',
  up: (db) => {
    db.exec('ALTER TABLE secret_versions ADD COLUMN restored_from INTEGER');
  },
};
