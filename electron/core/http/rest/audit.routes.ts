import type { RestRoute } from './rest-router';

/** The audit log over REST (audit:read scope or admin role), newest first, keyset-paginated. */
export const auditRoutes: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/audit-events',
    channel: 'audit:list',
    request: { query: 'strict' },
    summary: 'Audit events of the workspace, newest first',
  },
];
