import type { Migration } from '../db/database';

/** Identity (100–199): local users with a role per workspace, API keys (hashes only), the sealed JWT signing key. */
export const identityMigration: Migration = {
  version: 100,
  name: 'identity: users, memberships, api keys, signing key',
  up: (db) => {
    db.exec(`
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        -- scrypt$N$r$p$salt$hash (base64url): parameters travel with each hash so they can be raised later.
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX users_username ON users (username COLLATE NOCASE);

      CREATE TABLE memberships (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('admin','editor','viewer')),
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, workspace_id)
      );
      CREATE INDEX memberships_ws ON memberships (workspace_id, user_id);

      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        -- SHA-256 of the key: the key is 256 random bits, so a slow hash adds nothing; the key itself is never stored.
        key_hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT
      );
      CREATE INDEX api_keys_ws_created ON api_keys (workspace_id, created_at, id);

      -- The JWT signing key, sealed by the vault (AAD 'identity:jwt-signing-key'); never stored in plaintext.
      CREATE TABLE signing_keys (
        id TEXT PRIMARY KEY,
        sealed BLOB NOT NULL,
        created_at TEXT NOT NULL
      );
    `);
  },
};
