import type { Db } from '../db/database';

export type Reference = { fromType: string; fromId: string; fromName: string | null };

/**
 * Who references what (a connection → the secret holding its credential; later, workflow steps → connections).
 * Deleting a referenced resource must show these and require confirmation (the docs' warning). Writers call
 * `set` inside the transaction that creates or changes the referencing record, and `clearFrom` when it goes away.
 */
export function createReferenceIndex(deps: { db: Db }) {
  const { db } = deps;
  return {
    set(workspaceId: string, from: { type: string; id: string; name?: string | null }, to: { type: string; id: string }): void {
      db.prepare(
        `INSERT INTO resource_references (workspace_id, from_type, from_id, from_name, to_type, to_id) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (to_type, to_id, from_type, from_id) DO UPDATE SET from_name = excluded.from_name`,
      ).run(workspaceId, from.type, from.id, from.name ?? null, to.type, to.id);
    },
    /** Removes every reference made by `from` (it was deleted, or is about to be re-set). */
    clearFrom(from: { type: string; id: string }): void {
      db.prepare('DELETE FROM resource_references WHERE from_type = ? AND from_id = ?').run(from.type, from.id);
    },
    referencesTo(to: { type: string; id: string }): Reference[] {
      return (
        db
          .prepare('SELECT from_type, from_id, from_name FROM resource_references WHERE to_type = ? AND to_id = ? ORDER BY from_type, from_name')
          .all(to.type, to.id) as Array<{ from_type: string; from_id: string; from_name: string | null }>
      ).map((r) => ({ fromType: r.from_type, fromId: r.from_id, fromName: r.from_name }));
    },
  };
}
export type ReferenceIndex = ReturnType<typeof createReferenceIndex>;
