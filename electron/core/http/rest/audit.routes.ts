import type { RestRoute } from './rest-router';

/** The audit log over REST (audit:read scope or admin role): newest first, keyset-paginated, or all at once as a file. */
export const auditRoutes: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/audit-events',
    channel: 'audit:list',
    request: { query: 'strict' },
    summary: 'Audit events of the workspace, newest first',
  },
  {
    method: 'GET',
    path: '/audit-events/export',
    channel: 'audit:export',
    request: { query: 'strict' },
    summary: 'Every audit event the filters match, as one CSV or JSON file (in `content`, with a file name and media type)',
  },
];
