import { z } from 'zod';
import { IdSchema, TimestampSchema, pageOf } from './common';
import { nameSchema } from './names';
import { SettingsSchema } from './connection';
import { OAUTH_PROVIDERS } from './oauth.catalog';

// The token bookkeeping is part of a connection's detail record, so it is declared with it.
export { OAuthTokenInfoSchema, RefreshStateSchema, type OAuthTokenInfo } from './connection';

/**
 * OAuth 2.0 connections: the provider's OAuth app registered by the admin, the consent flow, and the refresh health.
 * No output schema here has a field for a token or a client secret: they are write-only and live in the vault.
 */
export * from './oauth.catalog';
export const OAuthProviderSchema = z.enum(OAUTH_PROVIDERS, {
  error: `provider must be an OAuth 2.0 provider: ${OAUTH_PROVIDERS.join(', ')}`,
});

const isLoopbackHost = (h: string) => h === '127.0.0.1' || h === 'localhost' || h === '[::1]';

/** https, or http only on loopback (tests and local gateways): a client secret never travels in clear over a network. */
export const BaseUrlSchema = z
  .string()
  .trim()
  .max(500)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
    } catch {
      return false;
    }
  }, 'baseUrl must be an https URL (http only for 127.0.0.1 / localhost)')
  .transform((s) => s.replace(/\/+$/, ''));

export const OAuthSettingsSchema = z.strictObject({ baseUrl: BaseUrlSchema.optional() });

const ScopeSchema = z
  .string()
  .trim()
  .min(1, 'a scope must not be empty')
  .max(200)
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope must not contain spaces, quotes or backslashes');
const ClientIdSchema = z.string().trim().min(1, 'clientId is required').max(500);
const ClientSecretSchema = z.string().min(1, 'clientSecret must not be empty').max(4000);

export const OAuthAppSchema = z.object({
  id: IdSchema,
  workspaceId: IdSchema,
  provider: OAuthProviderSchema,
  clientId: z.string(),
  /** Whether a client secret is stored; the secret itself is write-only. */
  hasClientSecret: z.boolean(),
  scopes: z.array(z.string()),
  settings: z.object({ baseUrl: z.string().optional() }),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type OAuthApp = z.infer<typeof OAuthAppSchema>;
export const OAuthAppPageSchema = pageOf(OAuthAppSchema);

export const OAuthAppCreateSchema = z.strictObject({
  workspaceId: IdSchema,
  provider: OAuthProviderSchema,
  clientId: ClientIdSchema,
  clientSecret: ClientSecretSchema.optional(),
  scopes: z.array(ScopeSchema).max(100).default([]),
  settings: OAuthSettingsSchema.optional(),
});
export const OAuthAppUpdateSchema = z.strictObject({
  workspaceId: IdSchema,
  id: IdSchema,
  clientId: ClientIdSchema.optional(),
  /** A new secret replaces the old one; null removes it (public client). */
  clientSecret: ClientSecretSchema.nullable().optional(),
  scopes: z.array(ScopeSchema).max(100).optional(),
  settings: OAuthSettingsSchema.optional(),
});
export const OAuthAppRefSchema = z.strictObject({ workspaceId: IdSchema, id: IdSchema });
export const OAuthAppListSchema = z.strictObject({
  workspaceId: IdSchema,
  provider: OAuthProviderSchema.optional(),
  limit: z.number().int().min(1).max(500).optional(),
  cursor: z.string().max(200).optional(),
});

const ConnectionNameSchema = nameSchema({ max: 120 });

export const AuthorizeStartSchema = z.strictObject({
  workspaceId: IdSchema,
  name: ConnectionNameSchema,
  provider: OAuthProviderSchema,
  /** The connection's own settings (e.g. Okta's orgUrl, scopes), checked against the provider catalog. */
  settings: SettingsSchema.optional(),
});
export const ReauthorizeSchema = z.strictObject({ workspaceId: IdSchema, id: IdSchema });
export const AuthorizeStartedSchema = z.object({ flowId: IdSchema, authorizationUrl: z.string() });
export type AuthorizeStarted = z.infer<typeof AuthorizeStartedSchema>;

export const FlowRefSchema = z.strictObject({ workspaceId: IdSchema, flowId: IdSchema });
export const FlowStateSchema = z.enum(['pending', 'completed', 'failed']);
export const OAuthFlowErrorCodeSchema = z.enum([
  'access_denied',
  'state_mismatch',
  'provider_error',
  'redirect_uri_mismatch',
  'timeout',
  'token_endpoint_unreachable',
  'exchange_failed',
  'cancelled',
]);
export const FlowStatusSchema = z.object({
  state: FlowStateSchema,
  connectionId: IdSchema.optional(),
  error: z.object({ code: OAuthFlowErrorCodeSchema, message: z.string() }).optional(),
});
export type FlowStatus = z.infer<typeof FlowStatusSchema>;

/** Token bookkeeping of one OAuth connection, as GET /connections/{id} shows it. Never a token. */
export const TokenInfoRefSchema = z.strictObject({ workspaceId: IdSchema, connectionId: IdSchema });

export const RefreshHealthSchema = z.object({
  providers: z.array(
    z.object({
      provider: OAuthProviderSchema,
      connections: z.number().int(),
      refreshesOk: z.number().int(),
      refreshesFailed: z.number().int(),
      connectionsInError: z.number().int(),
      offline: z.number().int(),
      nextRefreshAt: TimestampSchema.nullable(),
    }),
  ),
  /** The soonest refreshes across providers, so the admin sees what happens next. */
  upcoming: z.array(z.object({ connectionId: IdSchema, name: z.string(), provider: OAuthProviderSchema, nextRefreshAt: TimestampSchema })),
});
export type RefreshHealth = z.infer<typeof RefreshHealthSchema>;
