import type { RestRoute } from './rest-router';

/** REST for OAuth apps and the consent flow (issue 7). The UI uses the same channels over IPC. */
export const oauthRoutes: readonly RestRoute[] = [
  { method: 'GET', path: '/oauth-apps', channel: 'oauthApps:list', request: { query: ['provider', 'limit', 'cursor'] }, summary: 'OAuth apps of the workspace (no client secret)' },
  { method: 'POST', path: '/oauth-apps', channel: 'oauthApps:create', request: { body: true }, status: 201, summary: 'Register an OAuth app for a provider' },
  { method: 'PATCH', path: '/oauth-apps/:id', channel: 'oauthApps:update', request: { body: true }, summary: 'Change an OAuth app' },
  { method: 'DELETE', path: '/oauth-apps/:id', channel: 'oauthApps:delete', status: 204, summary: 'Remove an OAuth app' },
  { method: 'POST', path: '/connections/authorize', channel: 'oauth:authorize', request: { body: true }, status: 201, summary: "Start a consent flow; open authorizationUrl in a browser" },
  { method: 'GET', path: '/connections/authorize/:flowId', channel: 'oauth:flowStatus', summary: 'Where a consent flow is' },
  { method: 'POST', path: '/connections/:id/authorize', channel: 'oauth:reauthorize', status: 201, summary: 'Consent again for a connection, keeping its id' },
  { method: 'GET', path: '/connections/oauth-health', channel: 'oauth:health', summary: 'Token refresh health of the OAuth connections' },
];
