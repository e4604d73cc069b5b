import { randomUUID } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import type { Workspace } from '@shared/domain/workspace';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import type { EventBus } from '../events/event-bus';
import type { Clock } from '../ports';
import { conflict, notFound } from '../errors';
import type { WorkspaceStore } from './workspace-store';

export const DEFAULT_WORKSPACE_NAME = 'Default';

/**
 * Workspaces: the unit of isolation. Every other resource row carries a workspace_id.
 *
 * User-facing methods take the actor and check it: `list` answers only the workspaces the actor holds a grant in;
 * creating is an admin act in the Default workspace (the one every administrator administers); renaming needs
 * `workspace.rename` in the workspace itself. `get`, `defaultWorkspace` and `ensureDefault` are internal: the
 * transports resolve a request's workspace with them before any check, and start-up creates the Default one.
 */
export function createWorkspaceService(deps: {
  store: WorkspaceStore;
  clock: Clock;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'assert' | 'grantFor'>;
  bus: EventBus;
}) {
  const { store, clock, audit, access, bus } = deps;

  /** Internal: a workspace by id, or NOT_FOUND. */
  function get(id: string): Workspace {
    const w = store.find(id);
    if (!w) throw notFound('workspace');
    return w;
  }

  /** The workspaces the actor holds a role or scopes in (none at all is an empty list, not an error). */
  function list(actor: Actor): Workspace[] {
    return store.all().filter((w) => access.grantFor(actor, w.id) !== null);
  }

  function insert(name: string, actor: Actor): Workspace {
    const ws = store.transaction(() => {
      if (store.idByName(name)) throw conflict(`a workspace named "${name}" already exists`, 'name');
      const now = clock.now().toISOString();
      const w: Workspace = { id: randomUUID(), name, createdAt: now, updatedAt: now };
      store.insert(w);
      audit.record({ workspaceId: w.id, action: 'workspace.created', actor, target: { type: 'workspace', id: w.id, name } });
      return w;
    });
    bus.emit('workspaces:changed', { workspaceId: ws.id });
    return ws;
  }

  function create(name: string, actor: Actor): Workspace {
    // Creating a workspace is an admin act in the workspace the caller administers (the default one).
    access.assert(actor, defaultWorkspace().id, 'workspace.create');
    return insert(name, actor);
  }

  function rename(id: string, name: string, actor: Actor): Workspace {
    access.assert(actor, id, 'workspace.rename');
    const ws = store.transaction(() => {
      const before = get(id);
      const other = store.idByName(name);
      if (other && other !== id) throw conflict(`a workspace named "${name}" already exists`, 'name');
      store.rename(id, name, clock.now().toISOString());
      audit.record({
        workspaceId: id,
        action: 'workspace.renamed',
        actor,
        target: { type: 'workspace', id, name },
        details: { from: before.name, to: name },
      });
      return get(id);
    });
    bus.emit('workspaces:changed', { workspaceId: id });
    return ws;
  }

  /** Internal, first run: the "Default" workspace, so the app is usable at once. No check: nothing to check against yet. */
  function ensureDefault(system: Actor): Workspace {
    return store.oldest() ?? insert(DEFAULT_WORKSPACE_NAME, system);
  }

  /** Internal: the Default (oldest) workspace, where installation-wide acts are checked. */
  function defaultWorkspace(): Workspace {
    const w = store.oldest();
    if (!w) throw notFound('workspace');
    return w;
  }

  return {
    // User-facing: each checks the actor.
    list,
    create,
    rename,
    // Internal (see above).
    get,
    ensureDefault,
    defaultWorkspace,
  };
}
export type WorkspaceService = ReturnType<typeof createWorkspaceService>;
