import type { Core } from '../index';
import type { Handlers } from './dispatch';

type OAuthChannels =
  | 'oauthApps:list'
  | 'oauthApps:create'
  | 'oauthApps:update'
  | 'oauthApps:delete'
  | 'oauth:authorize'
  | 'oauth:reauthorize'
  | 'oauth:flowStatus'
  | 'oauth:flowCancel'
  | 'oauth:health';

/**
 * OAuth: parsed input → access check (POLICY) → service. Starting a consent flow creates a connection when it
 * completes, so it needs connection.create; re-authorizing is connection.update (the docs' "Edit / re-authorize").
 */
export function oauthHandlers(core: Core): Pick<Handlers, OAuthChannels> {
  const { access, oauth } = core;
  return {
    'oauthApps:list': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'oauthapp.list');
      return oauth.apps.list(input);
    },
    'oauthApps:create': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'oauthapp.manage');
      return oauth.apps.create(input, actor);
    },
    'oauthApps:update': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'oauthapp.manage');
      return oauth.apps.update(input, actor);
    },
    'oauthApps:delete': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'oauthapp.manage');
      return oauth.apps.remove(input.workspaceId, input.id, actor);
    },
    'oauth:authorize': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.create');
      return oauth.flows.start(input, actor);
    },
    'oauth:reauthorize': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.update');
      return oauth.flows.reauthorize(input.workspaceId, input.id, actor);
    },
    'oauth:flowStatus': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.list');
      return oauth.flows.status(input.workspaceId, input.flowId);
    },
    'oauth:flowCancel': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.update');
      return oauth.flows.cancel(input.workspaceId, input.flowId);
    },
    'oauth:health': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.list');
      return oauth.tokens.health(input.workspaceId);
    },
  };
}
