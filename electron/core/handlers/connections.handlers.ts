import type { Core } from '../index';
import type { Handlers } from './dispatch';

type ConnectionChannels =
  | 'connections:list'
  | 'connections:get'
  | 'connections:create'
  | 'connections:update'
  | 'connections:delete'
  | 'connections:test'
  | 'connections:testDraft';

/** Connections: parsed input → access check (POLICY) → service. Viewers may list and see status only. */
export function connectionsHandlers(core: Core): Pick<Handlers, ConnectionChannels> {
  const { access, connections } = core;
  return {
    'connections:list': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.list');
      return connections.list(input);
    },
    'connections:get': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.read_detail');
      const detail = connections.detail(input.workspaceId, input.id, actor);
      // An OAuth connection's detail also shows its token bookkeeping (never the tokens).
      return { ...detail, oauth: detail.authType === 'oauth2' ? core.oauth.tokens.info(detail.id) : null };
    },
    'connections:create': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.create');
      return connections.create(input, actor);
    },
    'connections:update': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.update');
      return connections.update(input, actor);
    },
    'connections:delete': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.delete');
      return connections.remove(input.workspaceId, input.id, input.force ?? false, actor);
    },
    'connections:test': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.test');
      return connections.test(input.workspaceId, input.id, actor);
    },
    'connections:testDraft': (input, { actor }) => {
      access.assert(actor, input.workspaceId, 'connection.test');
      access.assert(actor, input.workspaceId, 'connection.create');
      return connections.testDraft(input, actor);
    },
  };
}
