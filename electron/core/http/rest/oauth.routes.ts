import type { RestRoute } from './rest-router';
import { pageQuery } from './rest-router';

const bodyObject = (b: unknown): Record<string, unknown> => (b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {});

/** REST for OAuth apps and the consent flow (issue 7). The UI uses the same channels over IPC. */
export const oauthRoutes: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/oauth-apps',
    channel: 'oauthApps:list',
    input: (r) => ({ workspaceId: r.workspaceId, ...pageQuery(r.query), ...(typeof r.query.provider === 'string' && r.query.provider ? { provider: r.query.provider } : {}) }),
  },
  { method: 'POST', path: '/oauth-apps', channel: 'oauthApps:create', input: (r) => ({ ...bodyObject(r.body), workspaceId: r.workspaceId }), status: 201 },
  { method: 'PATCH', path: '/oauth-apps/:id', channel: 'oauthApps:update', input: (r) => ({ ...bodyObject(r.body), workspaceId: r.workspaceId, id: r.params.id }) },
  { method: 'DELETE', path: '/oauth-apps/:id', channel: 'oauthApps:delete', input: (r) => ({ workspaceId: r.workspaceId, id: r.params.id }), status: 204 },
  { method: 'POST', path: '/connections/authorize', channel: 'oauth:authorize', input: (r) => ({ ...bodyObject(r.body), workspaceId: r.workspaceId }), status: 201 },
  { method: 'GET', path: '/connections/authorize/:flowId', channel: 'oauth:flowStatus', input: (r) => ({ workspaceId: r.workspaceId, flowId: r.params.flowId }) },
  { method: 'POST', path: '/connections/:id/authorize', channel: 'oauth:reauthorize', input: (r) => ({ workspaceId: r.workspaceId, id: r.params.id }), status: 201 },
  { method: 'GET', path: '/connections/oauth-health', channel: 'oauth:health', input: (r) => ({ workspaceId: r.workspaceId }) },
];
