import type { RestRoute } from './rest-router';
import { workspaceRoutes } from './workspaces.routes';
import { datastoreRoutes } from './datastores.routes';

/** Every REST route table. Each capability adds `<domain>.routes.ts` and spreads it here. */
export const REST_ROUTES: readonly RestRoute[] = [...workspaceRoutes, ...datastoreRoutes];
