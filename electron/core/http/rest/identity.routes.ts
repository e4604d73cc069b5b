import type { RestRoute } from './rest-router';

/** REST for identity: sign-in, the caller, users (admin), API keys (admin), app settings (admin). */
export const identityRoutes: readonly RestRoute[] = [
  { method: 'POST', path: '/auth/login', channel: 'auth:login', request: { body: true }, public: true, summary: 'Sign in as a local user; returns a short-lived JWT' },
  { method: 'GET', path: '/me', channel: 'auth:me', request: { query: 'strict' }, summary: 'Who the credential is and what it holds in the workspace' },

  { method: 'GET', path: '/users', channel: 'users:list', request: { query: 'strict' }, summary: 'Users with a role in the workspace' },
  { method: 'POST', path: '/users', channel: 'users:create', request: { body: true }, status: 201, summary: 'Create a user with a role in the workspace' },
  { method: 'PATCH', path: '/users/:id', channel: 'users:update', request: { body: true }, summary: "Change a user's role in the workspace, or their password" },
  { method: 'DELETE', path: '/users/:id', channel: 'users:delete', status: 204, summary: 'Remove a user from the workspace' },

  { method: 'GET', path: '/api-keys', channel: 'apiKeys:list', request: { query: 'strict' }, summary: 'API keys of the workspace (never the key itself)' },
  {
    method: 'POST',
    path: '/api-keys',
    channel: 'apiKeys:create',
    // The body may name the key's workspace; otherwise it is the request's. Either way the caller must administer it.
    request: { body: { allow: ['workspaceId'] } },
    status: 201,
    summary: 'Create an API key; the key is in this response only',
  },
  { method: 'DELETE', path: '/api-keys/:id', channel: 'apiKeys:delete', status: 204, summary: 'Revoke an API key' },

  { method: 'GET', path: '/settings', channel: 'settings:get', summary: 'App settings (REST API switch and port)' },
  { method: 'PATCH', path: '/settings', channel: 'settings:update', request: { body: true }, summary: 'Change app settings (admin)' },
];
