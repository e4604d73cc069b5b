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

/** OAuth: parsed input → service. The services check access (POLICY) themselves, for every transport. */
export function oauthHandlers(core: Core): Pick<Handlers, OAuthChannels> {
  const { apps, flows, tokens } = core.oauth;
  return {
    'oauthApps:list': (input, { actor }) => apps.list(input, actor),
    'oauthApps:create': (input, { actor }) => apps.create(input, actor),
    'oauthApps:update': (input, { actor }) => apps.update(input, actor),
    'oauthApps:delete': (input, { actor }) => apps.remove(input.workspaceId, input.id, actor),
    'oauth:authorize': (input, { actor }) => flows.start(input, actor),
    'oauth:reauthorize': (input, { actor }) => flows.reauthorize(input.workspaceId, input.id, actor),
    'oauth:flowStatus': (input, { actor }) => flows.status(input.workspaceId, input.flowId, actor),
    'oauth:flowCancel': (input, { actor }) => flows.cancel(input.workspaceId, input.flowId, actor),
    'oauth:health': (input, { actor }) => tokens.health(input.workspaceId, actor),
  };
}
