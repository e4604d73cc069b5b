import type { Role } from '@shared/domain/common';
import type { Core } from '../index';
import type { Handlers } from './dispatch';

type CoreChannels = 'session:info' | 'workspaces:list' | 'workspaces:create' | 'workspaces:rename' | 'audit:list';

/** Foundation handlers. Thin: parsed input → access check → service. */
export function coreHandlers(core: Core): Pick<Handlers, CoreChannels> {
  const { access, workspaces, audit, config } = core;
  return {
    'session:info': (_input, { actor }) => {
      const roles: Record<string, Role> = {};
      for (const ws of workspaces.list()) {
        const g = access.grantFor(actor, ws.id);
        if (g && 'role' in g) roles[ws.id] = g.role;
        else if (g) roles[ws.id] = g.scopes.includes('admin') ? 'admin' : 'viewer';
      }
      return { actor, roles, mode: config.mode, version: config.version };
    },
    'workspaces:list': (_input, { actor }) => workspaces.list().filter((w) => access.grantFor(actor, w.id) !== null),
    'workspaces:create': (input, { actor }) => {
      // Creating a workspace is an admin act in the workspace the caller administers (the default one).
      access.assert(actor, workspaces.defaultWorkspace().id, 'workspace.create');
      return workspaces.create(input.name, actor);
    },
    'workspaces:rename': (input, { actor }) => {
      access.assert(actor, input.id, 'workspace.rename');
      return workspaces.rename(input.id, input.name, actor);
    },
    'audit:list': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'audit.read');
      return audit.list(input);
    },
  };
}
