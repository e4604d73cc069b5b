import type { Migration } from '../db/database';
import { addNameKeyColumn } from '../db/name-key-backfill';

/** Foundation (1–99): workspaces, the first audit log and settings; one migration, as released (never edited). */
export const foundationMigration: Migration = {
  version: 1,
  name: 'foundation: workspaces, audit log',
  up: (db) => {
    db.exec(`
      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX workspaces_name ON workspaces (name COLLATE NOCASE);

      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        workspace_id TEXT,
        action TEXT NOT NULL,
        risk TEXT NOT NULL CHECK (risk IN ('low','medium','high')),
        actor_kind TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        origin TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        target_name TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('success','failure','denied')),
        details TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_ws_seq ON audit_events (workspace_id, seq);
      CREATE INDEX audit_ws_action_seq ON audit_events (workspace_id, action, seq);
      CREATE INDEX audit_ws_risk_seq ON audit_events (workspace_id, risk, seq);

      -- The audit log is append-only: no code path may rewrite history.
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `);
  },
};

/**
 * Workspace names are unique by nameKey (NFKC + full case folding) instead of ASCII-only NOCASE. The NOCASE index
 * stays (a name equal under NOCASE is equal under nameKey too); list order is unchanged.
 */
export const workspaceNameKeyMigration: Migration = {
  version: 4,
  name: 'foundation: workspace names unique in all of Unicode, ignoring case',
  up: (db, log) => addNameKeyColumn(db, { table: 'workspaces', scope: null, order: 'created_at, rowid', index: 'workspaces_name_key' }, log),
};
