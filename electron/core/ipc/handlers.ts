import type { Core } from '../index';
import type { Handlers } from './dispatch';
import { coreHandlers } from './core.ipc';
import { vaultHandlers } from './vault.ipc';
import { datastoreHandlers } from './datastores.ipc';
import { connectionsHandlers } from './connections.ipc';
import { identityHandlers } from './identity.ipc';
import { secretsHandlers } from './secrets.ipc';
import { oauthHandlers } from './oauth.ipc';

/** Every channel's handler as one plain object: main's handle() and the headless bridge loop over it. */
export function createHandlers(core: Core): Handlers {
  return {
    ...coreHandlers(core),
    ...vaultHandlers(core),
    ...datastoreHandlers(core),
    ...connectionsHandlers(core),
    ...identityHandlers(core),
    ...secretsHandlers(core),
    ...oauthHandlers(core),
  };
}
