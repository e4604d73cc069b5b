import type { Migration } from '../db/database';

/**
 * The audit row is written inside the transaction of every change, and a reveal's latency is mostly that row.
 * Each b-tree a row touches is another WAL frame per commit, so the log itself keeps only its rowid order
 * (seq, never reused: rows are never deleted) and the lookups live in `audit_index`, a derived copy of the
 * filter columns that the audit service brings up to date after commits and always before it answers a query.
 * Event ids are random UUIDs; their uniqueness no longer costs an index per write.
 */
export const leanAuditMigration: Migration = {
  version: 3,
  name: 'foundation: lean audit log, catch-up index',
  up: (db) => {
    db.exec(`
      CREATE TABLE audit_events_v3 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
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
      INSERT INTO audit_events_v3 SELECT seq, id, at, workspace_id, action, risk, actor_kind, actor_id, actor_name, origin,
        target_type, target_id, target_name, outcome, details FROM audit_events ORDER BY seq;
      DROP TABLE audit_events;
      ALTER TABLE audit_events_v3 RENAME TO audit_events;
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

      CREATE TABLE audit_index (
        seq INTEGER PRIMARY KEY,
        workspace_id TEXT,
        action TEXT NOT NULL,
        risk TEXT NOT NULL,
        target_id TEXT NOT NULL,
        outcome TEXT NOT NULL
      );
      CREATE INDEX audit_index_ws_seq ON audit_index (workspace_id, seq);
      CREATE INDEX audit_index_ws_action_seq ON audit_index (workspace_id, action, seq);
      CREATE INDEX audit_index_ws_risk_seq ON audit_index (workspace_id, risk, seq);
      CREATE INDEX audit_index_target ON audit_index (target_id, action, seq);
      INSERT INTO audit_index SELECT seq, workspace_id, action, risk, target_id, outcome FROM audit_events;
    `);
  },
};

/**
 * The same log with its two CHECKs written as OR-ed equalities instead of `IN ('…','…','…')`. SQLite compiles a
 * CHECK into every INSERT, and an IN list of more than two constants into an ephemeral b-tree built afresh on each
 * execution: ~1.1 µs per CHECK per row, about a sixth of a secret reveal's app overhead over its floor
 * (bench/secrets.bench.mjs). The accepted values are exactly the same, so every stored row still satisfies them.
 * SQLite cannot alter a CHECK, so the table is rebuilt as migration 3 did: rows keep their seq (audit_index and page
 * cursors refer to it), and the append-only triggers are created again on the new table.
 */
export const auditCheapChecksMigration: Migration = {
  version: 5,
  name: 'foundation: audit log CHECKs without per-insert IN lists',
  up: (db) => {
    db.exec(`
      CREATE TABLE audit_events_v5 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        at TEXT NOT NULL,
        workspace_id TEXT,
        action TEXT NOT NULL,
        -- Equalities, not IN (…): see above.
        risk TEXT NOT NULL CHECK (risk = 'low' OR risk = 'medium' OR risk = 'high'),
        actor_kind TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        origin TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        target_name TEXT,
        outcome TEXT NOT NULL CHECK (outcome = 'success' OR outcome = 'failure' OR outcome = 'denied'),
        details TEXT NOT NULL DEFAULT '{}'
      );
      INSERT INTO audit_events_v5 (seq, id, at, workspace_id, action, risk, actor_kind, actor_id, actor_name, origin,
        target_type, target_id, target_name, outcome, details)
      SELECT seq, id, at, workspace_id, action, risk, actor_kind, actor_id, actor_name, origin,
        target_type, target_id, target_name, outcome, details FROM audit_events ORDER BY seq;
      DROP TABLE audit_events;
      ALTER TABLE audit_events_v5 RENAME TO audit_events;
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    `);
  },
};
