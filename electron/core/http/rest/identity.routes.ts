import { z } from 'zod';
import { ApiKeyNameSchema, LoginSchema, PasswordSchema, ScopeSchema, UsernameSchema } from '@shared/domain/identity';
import { RoleSchema } from '@shared/domain/common';
import { SettingsUpdateSchema } from '@shared/domain/settings';
import { bodyWith, listQuery, type RestRoute } from './rest-router';

const PageQuery = z.object({ limit: z.number().int().min(1).max(500).optional(), cursor: z.string().optional() });

/** REST for identity: sign-in, the caller, users (admin), API keys (admin), app settings (admin). */
export const identityRoutes: readonly RestRoute[] = [
  { method: 'POST', path: '/auth/login', channel: 'auth:login', input: (r) => r.body, public: true, body: LoginSchema, summary: 'Sign in as a local user; returns a short-lived JWT' },
  { method: 'GET', path: '/me', channel: 'auth:me', input: (r) => ({ ...listQuery(r.query), workspaceId: r.workspaceId }), summary: 'Who the credential is and what it holds in the workspace' },

  { method: 'GET', path: '/users', channel: 'users:list', input: (r) => ({ ...listQuery(r.query), workspaceId: r.workspaceId }), query: PageQuery, summary: 'Users with a role in the workspace' },
  {
    method: 'POST',
    path: '/users',
    channel: 'users:create',
    input: (r) => bodyWith(r.body, { workspaceId: r.workspaceId }),
    status: 201,
    body: z.strictObject({ username: UsernameSchema, password: PasswordSchema, role: RoleSchema }),
    summary: 'Create a user with a role in the workspace',
  },
  {
    method: 'PATCH',
    path: '/users/:id',
    channel: 'users:update',
    input: (r) => bodyWith(r.body, { workspaceId: r.workspaceId, id: r.params.id }),
    body: z.strictObject({ role: RoleSchema.optional(), password: PasswordSchema.optional() }),
    summary: "Change a user's role in the workspace, or their password",
  },
  { method: 'DELETE', path: '/users/:id', channel: 'users:delete', input: (r) => ({ workspaceId: r.workspaceId, id: r.params.id }), status: 204, summary: 'Remove a user from the workspace' },

  { method: 'GET', path: '/api-keys', channel: 'apiKeys:list', input: (r) => ({ ...listQuery(r.query), workspaceId: r.workspaceId }), query: PageQuery, summary: 'API keys of the workspace (never the key itself)' },
  {
    method: 'POST',
    path: '/api-keys',
    channel: 'apiKeys:create',
    // The body may name the key's workspace; otherwise it is the request's. Either way the caller must administer it.
    input: (r) => {
      const b = bodyWith(r.body, {});
      return { ...b, workspaceId: b.workspaceId ?? r.workspaceId };
    },
    status: 201,
    body: z.strictObject({ name: ApiKeyNameSchema, scopes: z.array(ScopeSchema).min(1), workspaceId: z.uuid().optional() }),
    summary: 'Create an API key; the key is in this response only',
  },
  { method: 'DELETE', path: '/api-keys/:id', channel: 'apiKeys:delete', input: (r) => ({ workspaceId: r.workspaceId, id: r.params.id }), status: 204, summary: 'Revoke an API key' },

  { method: 'GET', path: '/settings', channel: 'settings:get', input: () => undefined, summary: 'App settings (REST API switch and port)' },
  { method: 'PATCH', path: '/settings', channel: 'settings:update', input: (r) => r.body, body: SettingsUpdateSchema, summary: 'Change app settings (admin)' },
];
