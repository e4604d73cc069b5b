import type { RestRoute } from './rest-router';
import { workspaceRoutes } from './workspaces.routes';
import { datastoreRoutes } from './datastores.routes';
import { connectionRoutes } from './connections.routes';

/** Every REST route table. Each capability adds `<domain>.routes.ts` and spreads it here. */
export const REST_ROUTES: readonly RestRoute[] = [...workspaceRoutes, ...connectionRoutes, ...datastoreRoutes];
