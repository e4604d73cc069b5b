import type { Core } from '../index';
import type { Handlers } from './dispatch';

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

/** Identity handlers: users, API keys, sign-in, settings. Parsed input → service; the services check the caller. */
export function identityHandlers(core: Core): Pick<Handlers, IdentityChannels> {
  const { session, users, apiKeys, settings } = core;
  return {
    // Public: the caller has no credential yet. The throttle keys on the client address (actor.origin).
    'auth:login': (input, { actor }) => users.login(input.username, input.password, actor.origin),
    'auth:me': (input, { actor }) => session.me(actor, input.workspaceId),
    'users:list': (input, { actor }) => users.list(input, actor),
    'users:create': (input, { actor }) => users.create(input, actor),
    'users:update': (input, { actor }) => users.update(input, actor),
    'users:delete': (input, { actor }) => users.remove(input, actor),
    'apiKeys:list': (input, { actor }) => apiKeys.list(input, actor),
    'apiKeys:create': (input, { actor }) => apiKeys.create(input, actor),
    'apiKeys:delete': (input, { actor }) => apiKeys.remove(input, actor),
    // Not secret (a switch and a port), and every signed-in screen shows it.
    'settings:get': () => settings.view(),
    'settings:update': (input, { actor }) => settings.update(input, actor),
  };
}
