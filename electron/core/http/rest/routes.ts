import type { RestRoute } from './rest-router';
import { workspaceRoutes } from './workspaces.routes';
import { identityRoutes } from './identity.routes';
import { auditRoutes } from './audit.routes';
import { connectionRoutes } from './connections.routes';
import { datastoreRoutes } from './datastores.routes';
import { secretRoutes } from './secrets.routes';
import { oauthRoutes } from './oauth.routes';
import { workflowRoutes } from './workflows.routes';
import { runRoutes } from './runs.routes';

/** Every REST route table. Each capability adds `<domain>.routes.ts` and spreads it here. */
export const REST_ROUTES: readonly RestRoute[] = [
  ...workspaceRoutes,
  ...identityRoutes,
  ...auditRoutes,
  ...connectionRoutes,
  ...oauthRoutes,
  ...secretRoutes,
  ...datastoreRoutes,
  ...workflowRoutes,
  ...runRoutes,
];
