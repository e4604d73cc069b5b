import type { Actor } from '@shared/domain/actor';
import type { Role } from '@shared/domain/common';
import type { SessionInfo } from '@shared/ipc/core.contract';
import type { AccessService } from '../access/access-service';
import type { CoreConfig } from '../config';
import type { WorkspaceService } from '../workspaces/workspace-service';

/**
 * "Who am I": the caller's own grants, for the first screen (session:info) and REST's GET /me (auth:me).
 * Both are open to every caller, signed in or not: they describe only what the caller itself holds (an anonymous
 * caller holds nothing and is told so), never another principal's grants or any workspace's data. The data folder's
 * path is told only to an admin of the Default workspace (who administers the installation).
 */
export function createSessionService(deps: {
  access: Pick<AccessService, 'grantFor'>;
  workspaces: Pick<WorkspaceService, 'list' | 'defaultWorkspace'>;
  config: Pick<CoreConfig, 'mode' | 'version' | 'dataDir'>;
}) {
  const { access, workspaces, config } = deps;

  /** The caller and its role in each workspace it holds a grant in (an API key's scopes read as admin or viewer). */
  function info(actor: Actor): SessionInfo {
    const roles: Record<string, Role> = {};
    for (const ws of workspaces.list(actor)) {
      const g = access.grantFor(actor, ws.id);
      if (g && 'role' in g) roles[ws.id] = g.role;
      else if (g) roles[ws.id] = g.scopes.includes('admin') ? 'admin' : 'viewer';
    }
    // The data folder's path is for the administrators of the installation (the vault's recovery sheet names it).
    const dataDir = roles[workspaces.defaultWorkspace().id] === 'admin' ? config.dataDir : null;
    return { actor, roles, mode: config.mode, version: config.version, dataDir };
  }

  /** What the caller holds in one workspace: a role, scopes, or neither. */
  function me(actor: Actor, workspaceId: string) {
    const g = access.grantFor(actor, workspaceId);
    return {
      actor: { kind: actor.kind, id: actor.id, name: actor.name },
      workspaceId,
      role: g && 'role' in g ? g.role : null,
      scopes: g && 'scopes' in g ? [...g.scopes] : null,
    };
  }

  return { info, me };
}
export type SessionService = ReturnType<typeof createSessionService>;
