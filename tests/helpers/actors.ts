import type { Actor } from '@shared/domain/actor';
import type { Role } from '@shared/domain/common';
import type { Core } from '@core/index';

/**
 * Actors with a given role in given workspaces, for permission-matrix tests through the real dispatch path.
 * Registers a 'user' grant resolver on the core that answers from this in-memory map (it replaces whatever
 * resolver was registered for users; call it after createCore).
 */
export function roleActors(core: Core) {
  const grants = new Map<string, Map<string, Role>>();
  core.access.registerResolver('user', (actor, ws) => {
    const role = grants.get(actor.id)?.get(ws);
    return role ? { role } : null;
  });
  return (role: Role, workspaceId: string, id = `test-${role}`): Actor => {
    const m = grants.get(id) ?? new Map<string, Role>();
    m.set(workspaceId, role);
    grants.set(id, m);
    return { kind: 'user', id, name: id, origin: '127.0.0.1' };
  };
}
