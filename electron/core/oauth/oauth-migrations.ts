import type { Migration } from '../db/database';

/** OAuth apps and per-connection token bookkeeping (500–599). */
export const oauthMigration: Migration = {
  version: 500,
  name: 'oauth: apps, sealed refresh tokens, refresh schedule and leases',
  up: (db) => {
    db.exec(`
      CREATE TABLE oauth_apps (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        provider TEXT NOT NULL,
        client_id TEXT NOT NULL,
        -- vault-sealed, AAD oauthapp:<id>:client_secret; NULL for a public (PKCE-only) client
        client_secret_sealed BLOB,
        scopes TEXT NOT NULL DEFAULT '[]',
        settings TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      -- one OAuth app per provider and workspace
      CREATE UNIQUE INDEX oauth_apps_ws_provider ON oauth_apps (workspace_id, provider);

      CREATE TABLE oauth_tokens (
        connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        provider TEXT NOT NULL,
        -- vault-sealed refresh token, AAD connection:<id>:refresh_token. The access token is never stored.
        refresh_sealed BLOB,
        -- bumped on every refresh-token change; a process compares it to know a sibling rotated the token
        generation INTEGER NOT NULL DEFAULT 0,
        token_expires_at INTEGER,
        lifetime_s INTEGER,
        last_refresh_at INTEGER,
        next_refresh_at INTEGER,
        refresh_state TEXT NOT NULL DEFAULT 'ok' CHECK (refresh_state IN ('ok', 'offline', 'error')),
        last_error_code TEXT,
        last_error_message TEXT,
        last_error_at INTEGER,
        refreshes_ok INTEGER NOT NULL DEFAULT 0,
        refreshes_failed INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        -- single flight across processes: whoever holds an unexpired lease refreshes, the others wait and re-read
        lease_owner TEXT,
        lease_expires_at INTEGER,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX oauth_tokens_due ON oauth_tokens (next_refresh_at) WHERE next_refresh_at IS NOT NULL;
      CREATE INDEX oauth_tokens_ws ON oauth_tokens (workspace_id, provider);
    `);
  },
};
