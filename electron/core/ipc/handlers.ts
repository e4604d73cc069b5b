import type { Core } from '../index';
import type { Handlers } from './dispatch';
import { coreHandlers } from './core.ipc';
import { connectionsHandlers } from './connections.ipc';
import { oauthHandlers } from './oauth.ipc';

/** Every channel's handler as one plain object: main's handle() and the headless bridge loop over it. */
export function createHandlers(core: Core): Handlers {
  return {
    ...coreHandlers(core),
    ...connectionsHandlers(core),
    // after connections: wraps connections:get to add the OAuth token bookkeeping
    ...oauthHandlers(core, connectionsHandlers(core)),
  };
}
