import type { Migration } from '../db/database';

export const referencesMigration: Migration = {
  version: 2,
  name: 'foundation: reference index',
  up: (db) => {
    db.exec(`
      CREATE TABLE resource_references (
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        from_type TEXT NOT NULL,
        from_id TEXT NOT NULL,
        from_name TEXT,
        to_type TEXT NOT NULL,
        to_id TEXT NOT NULL,
        PRIMARY KEY (to_type, to_id, from_type, from_id)
      );
      CREATE INDEX refs_from ON resource_references (from_type, from_id);
    `);
  },
};
