import type { Db } from '../db/database';

export type Reference = { fromType: string; fromId: string; fromName: string | null; workspaceId: string };
export type ResourceRef = { type: string; id: string };

/** All SQL of the reference index (`resource_references`): one row per (referrer, referenced) pair. */
export function createReferenceStore(db: Db) {
  const upsert = db.prepare(
    `INSERT INTO resource_references (workspace_id, from_type, from_id, from_name, to_type, to_id) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (to_type, to_id, from_type, from_id) DO UPDATE SET from_name = excluded.from_name`,
  );
  const deleteFrom = db.prepare('DELETE FROM resource_references WHERE from_type = ? AND from_id = ?');
  const deleteTo = db.prepare('DELETE FROM resource_references WHERE to_type = ? AND to_id = ?');
  const to = db.prepare('SELECT workspace_id, from_type, from_id, from_name FROM resource_references WHERE to_type = ? AND to_id = ? ORDER BY from_type, from_name');
  return {
    upsert(workspaceId: string, from: ResourceRef & { name?: string | null }, target: ResourceRef): void {
      upsert.run(workspaceId, from.type, from.id, from.name ?? null, target.type, target.id);
    },
    deleteFrom: (from: ResourceRef): void => void deleteFrom.run(from.type, from.id),
    deleteTo: (target: ResourceRef): void => void deleteTo.run(target.type, target.id),
    to: (target: ResourceRef): Reference[] =>
      (to.all(target.type, target.id) as Array<{ workspace_id: string; from_type: string; from_id: string; from_name: string | null }>).map((r) => ({
        workspaceId: r.workspace_id,
        fromType: r.from_type,
        fromId: r.from_id,
        fromName: r.from_name,
      })),
  };
}
export type ReferenceStore = ReturnType<typeof createReferenceStore>;
