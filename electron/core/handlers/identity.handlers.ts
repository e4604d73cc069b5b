import type { Core } from '../index';
import type { Handlers } from './dispatch';
import { forbidden } from '../errors';

type IdentityChannels =
  | 'auth:login'
  | 'auth:me'
  | 'users:list'
  | 'users:create'
  | 'users:update'
  | 'users:delete'
  | 'apiKeys:list'
  | 'apiKeys:create'
  | 'apiKeys:delete'
  | 'settings:get'
  | 'settings:update';

/** Identity handlers: users, API keys, sign-in, settings. Access only through core.access and the POLICY table. */
export function identityHandlers(core: Core): Pick<Handlers, IdentityChannels> {
  const { access, users, apiKeys, settings, workspaces } = core;
  return {
    // Public: the caller has no credential yet. The throttle keys on the client address (actor.origin).
    'auth:login': (input, { actor }) => users.login(input.username, input.password, actor.origin),
    'auth:me': (input, { actor }) => {
      const g = access.grantFor(actor, input.workspaceId);
      return {
        actor: { kind: actor.kind, id: actor.id, name: actor.name },
        workspaceId: input.workspaceId,
        role: g && 'role' in g ? g.role : null,
        scopes: g && 'scopes' in g ? [...g.scopes] : null,
      };
    },
    'users:list': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'user.manage');
      return users.list(input);
    },
    'users:create': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'user.manage');
      return users.create(input, actor);
    },
    'users:update': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'user.manage');
      if (input.password !== undefined) {
        users.get(input.workspaceId, input.id); // 404 here before anything is said about other workspaces
        // A password opens every workspace the user belongs to, so changing it takes user.manage in all of them.
        for (const ws of users.workspacesOf(input.id)) {
          if (!access.allowed(actor, ws, 'user.manage')) {
            throw forbidden('this user also has a role in a workspace you do not administer; only an admin of all their workspaces can change their password');
          }
        }
      }
      return users.update(input, actor);
    },
    'users:delete': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'user.manage');
      return users.remove(input, actor);
    },
    'apiKeys:list': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'apikey.manage');
      return apiKeys.list(input);
    },
    'apiKeys:create': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'apikey.manage');
      return apiKeys.create(input, actor);
    },
    'apiKeys:delete': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'apikey.manage');
      return apiKeys.remove(input, actor);
    },
    // Not secret (a switch and a port), and every signed-in screen shows it.
    'settings:get': () => settings.view(),
    'settings:update': (input, { actor }) => {
      // App-wide settings are administered from the Default workspace, like creating workspaces.
      const ws = workspaces.defaultWorkspace().id;
      access.assert(actor, ws, 'settings.manage');
      return settings.update(input, ws, actor);
    },
  };
}
