import type { Core } from '../index';
import type { Handlers } from './dispatch';
import { coreHandlers } from './core.handlers';
import { vaultHandlers } from './vault.handlers';
import { datastoreHandlers } from './datastores.handlers';
import { connectionsHandlers } from './connections.handlers';
import { identityHandlers } from './identity.handlers';
import { secretsHandlers } from './secrets.handlers';
import { oauthHandlers } from './oauth.handlers';
import { workflowsHandlers } from './workflows.handlers';

/** Every channel's handler as one plain object: main's handle() and the headless bridge loop over it. */
export function createHandlers(core: Core): Handlers {
  const handlers: Omit<Handlers, 'app:bootstrap'> = {
    ...coreHandlers(core),
    ...vaultHandlers(core),
    ...datastoreHandlers(core),
    ...connectionsHandlers(core),
    ...identityHandlers(core),
    ...secretsHandlers(core),
    ...oauthHandlers(core),
    ...workflowsHandlers(core),
  };
  return {
    ...handlers,
    // The first screen's data in one round trip, built from the three handlers it replaces (same caller, same
    // access checks, same answers), so the renderer's start waits for one request instead of three.
    'app:bootstrap': async (_input, ctx) => {
      const [session, workspaces, vault] = await Promise.all([
        handlers['session:info'](undefined, ctx),
        handlers['workspaces:list'](undefined, ctx),
        handlers['vault:status'](undefined, ctx),
      ]);
      return { session, workspaces, vault };
    },
  };
}
