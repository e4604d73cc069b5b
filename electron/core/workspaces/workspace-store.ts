import type { Workspace } from '@shared/domain/workspace';
import { nameKey } from '@shared/domain/names';
import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

type Row = { id: string; name: string; created_at: string; updated_at: string };
const toWorkspace = (r: Row): Workspace => ({ id: r.id, name: r.name, createdAt: r.created_at, updatedAt: r.updated_at });

/**
 * All SQL of workspaces. Names are unique by `nameKey` (Unicode, ignoring case: shared/domain/names.ts), kept in
 * `name_key` beside the name and written with it, here only; the oldest workspace is the Default one.
 */
export function createWorkspaceStore(db: Db) {
  const byId = db.prepare('SELECT * FROM workspaces WHERE id = ?');
  const byKey = db.prepare('SELECT id FROM workspaces WHERE name_key = ?');
  const exists = db.prepare('SELECT 1 FROM workspaces WHERE id = ?').pluck();
  const all = db.prepare('SELECT * FROM workspaces ORDER BY created_at, name');
  const oldest = db.prepare('SELECT * FROM workspaces ORDER BY created_at LIMIT 1');
  const insert = db.prepare('INSERT INTO workspaces (id, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  const rename = db.prepare('UPDATE workspaces SET name = ?, name_key = ?, updated_at = ? WHERE id = ?');

  return {
    ...createTransactor(db),
    /** Whether a workspace exists: the access gate asks on every allowed check, so no row is read or mapped. */
    exists(id: string): boolean {
      return exists.get(id) !== undefined;
    },
    find(id: string): Workspace | undefined {
      const r = byId.get(id) as Row | undefined;
      return r && toWorkspace(r);
    },
    /** The id of the workspace whose name is this name (same `nameKey`). */
    idByName: (name: string): string | undefined => (byKey.get(nameKey(name)) as { id: string } | undefined)?.id,
    all: (): Workspace[] => (all.all() as Row[]).map(toWorkspace),
    oldest(): Workspace | undefined {
      const r = oldest.get() as Row | undefined;
      return r && toWorkspace(r);
    },
    insert: (w: Workspace): void => void insert.run(w.id, w.name, nameKey(w.name), w.createdAt, w.updatedAt),
    rename: (id: string, name: string, updatedAt: string): void => void rename.run(name, nameKey(name), updatedAt, id),
  };
}
export type WorkspaceStore = ReturnType<typeof createWorkspaceStore>;
