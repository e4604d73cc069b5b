import type { RestRoute } from './rest-router';

/** REST for secrets, the docs' paths. Values go in (create, rotate) and come out only from /reveal. */
export const secretRoutes: readonly RestRoute[] = [
  { method: 'POST', path: '/secrets', channel: 'secrets:create', request: { body: true }, status: 201, summary: 'Store a secret (a value, or one the app generates)' },
  { method: 'GET', path: '/secrets', channel: 'secrets:list', request: { query: ['search', 'limit', 'cursor'] }, summary: 'Secrets of the workspace by name (metadata only)' },
  { method: 'GET', path: '/secrets/:id', channel: 'secrets:get', summary: 'A secret with its versions, schedule and references (no value)' },
  { method: 'PATCH', path: '/secrets/:id', channel: 'secrets:update', request: { body: true }, summary: 'Rename, describe or schedule a secret' },
  { method: 'POST', path: '/secrets/:id/rotate', channel: 'secrets:rotate', request: { body: true }, summary: 'A new version (value optional for generated secrets)' },
  { method: 'POST', path: '/secrets/:id/rollback', channel: 'secrets:rollback', request: { body: true }, summary: 'Roll back to a kept version (admin)' },
  { method: 'POST', path: '/secrets/:id/reveal', channel: 'secrets:reveal', summary: 'The value (admin or secrets:read; audited as secret.accessed)' },
  { method: 'DELETE', path: '/secrets/:id', channel: 'secrets:delete', request: { query: ['force'] }, status: 204, summary: 'Delete a secret (force=true clears its references)' },
];
