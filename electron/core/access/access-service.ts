import type { Actor } from '@shared/domain/actor';
import type { Role } from '@shared/domain/common';
import type { Logger } from '../ports';
import { forbidden, notFound } from '../errors';
import { roleAllows, scopesAllow, type Operation } from './policy';

/** What a principal holds in one workspace: a role (people) or scopes (API keys). null = nothing there. */
export type Grant = { role: Role } | { scopes: readonly string[] } | null;
export type GrantResolver = (actor: Actor, workspaceId: string) => Grant;

/**
 * Answers "may this actor do this operation in this workspace?" from the one POLICY table.
 * The local OS user and the app itself are admins everywhere; other kinds of actor are resolved by resolvers
 * their capability registers (users, API keys). An actor with no grant in a workspace gets 403 there:
 * that is workspace isolation.
 *
 * What must stay true: `assert` passes only for a workspace that exists. Admins of every workspace (the local user,
 * the system, the owner key) hold a grant in any id, so for them an unknown workspace is a 404 here, before a
 * service writes a row that points at no workspace (a foreign-key failure, which was a 500). Everyone else has no
 * grant there and keeps getting the 403, which says nothing about whether it exists.
 */
export function createAccessService(deps: { logger: Logger; workspaceExists: (workspaceId: string) => boolean }) {
  const resolvers = new Map<Actor['kind'], GrantResolver>();
  resolvers.set('local', () => ({ role: 'admin' }));
  resolvers.set('system', () => ({ role: 'admin' }));

  function grantFor(actor: Actor, workspaceId: string): Grant {
    const r = resolvers.get(actor.kind);
    return r ? r(actor, workspaceId) : null;
  }

  function allowed(actor: Actor, workspaceId: string, op: Operation): boolean {
    const g = grantFor(actor, workspaceId);
    if (!g) return false;
    return 'role' in g ? roleAllows(g.role, op) : scopesAllow(g.scopes, op);
  }

  function assert(actor: Actor, workspaceId: string, op: Operation): void {
    if (allowed(actor, workspaceId, op)) {
      if (!deps.workspaceExists(workspaceId)) throw notFound('workspace');
      return;
    }
    deps.logger.log('warn', 'access denied', { actorKind: actor.kind, actorId: actor.id, op, workspaceId, origin: actor.origin });
    const g = grantFor(actor, workspaceId);
    throw forbidden(
      g === null
        ? 'you have no access to this workspace; check the workspace id and your credential'
        : `your ${'role' in g ? `role (${g.role})` : 'API key scopes'} do not allow ${op}`,
    );
  }

  return {
    allowed,
    assert,
    grantFor,
    registerResolver: (kind: Actor['kind'], resolver: GrantResolver) => void resolvers.set(kind, resolver),
  };
}
export type AccessService = ReturnType<typeof createAccessService>;
