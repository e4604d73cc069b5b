import { randomUUID } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import type { Workspace } from '@shared/domain/workspace';
import type { Db } from '../db/database';
import type { AuditService } from '../audit/audit-service';
import type { EventBus } from '../events/event-bus';
import type { Clock } from '../ports';
import { conflict, notFound } from '../errors';

type Row = { id: string; name: string; created_at: string; updated_at: string };
const toWorkspace = (r: Row): Workspace => ({ id: r.id, name: r.name, createdAt: r.created_at, updatedAt: r.updated_at });

export const DEFAULT_WORKSPACE_NAME = 'Default';

/** Workspaces: the unit of isolation. Every other resource row carries a workspace_id. */
export function createWorkspaceService(deps: { db: Db; clock: Clock; audit: Pick<AuditService, 'record'>; bus: EventBus }) {
  const { db, clock, audit, bus } = deps;

  const byName = db.prepare('SELECT id FROM workspaces WHERE name = ? COLLATE NOCASE');
  const byId = db.prepare('SELECT * FROM workspaces WHERE id = ?');

  function get(id: string): Workspace {
    const row = byId.get(id) as Row | undefined;
    if (!row) throw notFound('workspace');
    return toWorkspace(row);
  }

  function list(): Workspace[] {
    return (db.prepare('SELECT * FROM workspaces ORDER BY created_at, name').all() as Row[]).map(toWorkspace);
  }

  function create(name: string, actor: Actor): Workspace {
    const ws = db.transaction(() => {
      if (byName.get(name)) throw conflict(`a workspace named "${name}" already exists`, 'name');
      const now = clock.now().toISOString();
      const row: Row = { id: randomUUID(), name, created_at: now, updated_at: now };
      db.prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (@id, @name, @created_at, @updated_at)').run(row);
      audit.record({ workspaceId: row.id, action: 'workspace.created', actor, target: { type: 'workspace', id: row.id, name } });
      return toWorkspace(row);
    })();
    bus.emit('workspaces:changed', { workspaceId: ws.id });
    return ws;
  }

  function rename(id: string, name: string, actor: Actor): Workspace {
    const ws = db.transaction(() => {
      const before = get(id);
      const other = byName.get(name) as { id: string } | undefined;
      if (other && other.id !== id) throw conflict(`a workspace named "${name}" already exists`, 'name');
      const now = clock.now().toISOString();
      db.prepare('UPDATE workspaces SET name = ?, updated_at = ? WHERE id = ?').run(name, now, id);
      audit.record({
        workspaceId: id,
        action: 'workspace.renamed',
        actor,
        target: { type: 'workspace', id, name },
        details: { from: before.name, to: name },
      });
      return get(id);
    })();
    bus.emit('workspaces:changed', { workspaceId: id });
    return ws;
  }

  /** First run: the "Default" workspace, so the app is usable at once. */
  function ensureDefault(system: Actor): Workspace {
    const existing = db.prepare('SELECT * FROM workspaces ORDER BY created_at LIMIT 1').get() as Row | undefined;
    return existing ? toWorkspace(existing) : create(DEFAULT_WORKSPACE_NAME, system);
  }

  function defaultWorkspace(): Workspace {
    const row = db.prepare('SELECT * FROM workspaces ORDER BY created_at LIMIT 1').get() as Row | undefined;
    if (!row) throw notFound('workspace');
    return toWorkspace(row);
  }

  return { get, list, create, rename, ensureDefault, defaultWorkspace };
}
export type WorkspaceService = ReturnType<typeof createWorkspaceService>;
