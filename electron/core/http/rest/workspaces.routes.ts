import type { RestRoute } from './rest-router';

/** REST for the foundation's resources. */
export const workspaceRoutes: readonly RestRoute[] = [
  { method: 'GET', path: '/workspaces', channel: 'workspaces:list', input: () => undefined },
  { method: 'POST', path: '/workspaces', channel: 'workspaces:create', input: (r) => r.body, status: 201 },
];
