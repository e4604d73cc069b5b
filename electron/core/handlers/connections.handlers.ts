import type { Core } from '../index';
import type { Handlers } from './dispatch';

type ConnectionChannels =
  | 'connections:list'
  | 'connections:get'
  | 'connections:create'
  | 'connections:update'
  | 'connections:delete'
  | 'connections:test'
  | 'connections:testDraft'
  | 'connections:credential';

/** Connections: parsed input → service. The service checks access (POLICY) itself, for every transport. */
export function connectionsHandlers(core: Core): Pick<Handlers, ConnectionChannels> {
  const { connections, oauth } = core;
  return {
    'connections:list': (input, { actor }) => connections.list(input, actor),
    'connections:get': (input, { actor }) => {
      const detail = connections.detail(input.workspaceId, input.id, actor, input.openingId);
      // An OAuth connection's detail also shows its token bookkeeping (never the tokens); checked by the token service.
      return { ...detail, oauth: detail.authType === 'oauth2' ? oauth.tokens.info(input.workspaceId, detail.id, actor) : null };
    },
    'connections:create': (input, { actor }) => connections.create(input, actor),
    'connections:update': (input, { actor }) => connections.update(input, actor),
    'connections:delete': (input, { actor }) => connections.remove(input.workspaceId, input.id, input.force ?? false, actor),
    'connections:test': (input, { actor }) => connections.test(input.workspaceId, input.id, actor),
    'connections:testDraft': (input, { actor }) => connections.testDraft(input, actor),
    'connections:credential': (input, { actor }) => connections.useCredential(input.workspaceId, input.id, actor),
  };
}
