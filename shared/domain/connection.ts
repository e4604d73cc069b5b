import { z } from 'zod';
import { IdSchema, TimestampSchema, pageOf } from './common';
import { nameSchema } from './names';
import { AUTH_TYPES, CONNECTION_STATUSES, MAX_CREDENTIAL_LENGTH, PROVIDERS, SETTING_MAX } from './connection.catalog';

/**
 * Connections: the connection model and its inputs, on top of the catalog of the 12 integrations of the docs
 * (connection.catalog.ts, re-exported here). Credentials are write-only: no output schema below has a field for one.
 */
export * from './connection.catalog';

export const ProviderSchema = z.enum(PROVIDERS, { error: `provider must be one of: ${PROVIDERS.join(', ')}` });
export const AuthTypeSchema = z.enum(AUTH_TYPES, { error: 'authType must be oauth2, apikey or serviceaccount' });
export const ConnectionStatusSchema = z.enum(CONNECTION_STATUSES);

// ---------- model ----------

export const TEST_OUTCOMES = ['valid', 'invalid_credential', 'insufficient_scope', 'rate_limited', 'provider_error', 'unreachable'] as const;
export const TestOutcomeSchema = z.enum(TEST_OUTCOMES);
export type TestOutcome = z.infer<typeof TestOutcomeSchema>;

/** What a live test tells the admin (providers.md). Never contains a provider body. */
export const ConnectionTestResultSchema = z.object({
  outcome: TestOutcomeSchema,
  ok: z.boolean(),
  message: z.string(),
  httpStatus: z.number().int().nullable(),
  latencyMs: z.number().int().nonnegative(),
  testedAt: TimestampSchema,
  retryAfterSeconds: z.number().int().nonnegative().nullable(),
  /** Method and URL called (no credential is ever part of a URL). */
  endpoint: z.string(),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResultSchema>;

export const ConnectionErrorSchema = z.object({ code: z.string(), message: z.string(), at: TimestampSchema });
export type ConnectionError = z.infer<typeof ConnectionErrorSchema>;

export const SettingsSchema = z.record(z.string().max(64), z.string().max(SETTING_MAX));

/** What the list shows, to every role (viewers included): no settings, no credential. */
export const ConnectionSummarySchema = z.strictObject({
  id: IdSchema,
  name: z.string(),
  provider: ProviderSchema,
  authType: AuthTypeSchema,
  status: ConnectionStatusSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  statusChangedAt: TimestampSchema,
  /**
   * Present (true) only on an OAuth connection whose consent never completed: its status is `error` (it cannot be
   * used) but nothing failed, so screens show a neutral "Not authorized yet" rather than a red error.
   */
  awaitingAuthorization: z.literal(true).optional(),
});
export type ConnectionSummary = z.infer<typeof ConnectionSummarySchema>;

/** The full record (writers only). `hasCredential` says whether one is stored; its value is never returned. */
export const ConnectionSchema = ConnectionSummarySchema.extend({
  workspaceId: IdSchema,
  settings: SettingsSchema,
  hasCredential: z.boolean(),
  /** Set when the credential is kept as a vault secret instead of on the connection. */
  credentialSecretId: IdSchema.nullable(),
  /** The credential fields (catalog `credentialFields`) that are set, each sealed here or kept as a vault secret; never a value. */
  storedCredentialFields: z.record(z.string(), z.strictObject({ secretId: IdSchema.nullable() })),
  lastError: ConnectionErrorSchema.nullable(),
  lastTest: ConnectionTestResultSchema.nullable(),
});
export type Connection = z.infer<typeof ConnectionSchema>;

export const StatusChangeSchema = z.object({
  at: TimestampSchema,
  from: ConnectionStatusSchema.nullable(),
  to: ConnectionStatusSchema,
  reason: z.string(),
  actor: z.string(),
});
export type StatusChange = z.infer<typeof StatusChangeSchema>;

export const ReferrerSchema = z.object({ type: z.string(), id: z.string(), name: z.string().nullable() });

/** An OAuth connection's token bookkeeping (never the tokens): expiry, last/next refresh, last refresh error. */
export const RefreshStateSchema = z.enum(['ok', 'offline', 'error']);
export const OAuthTokenInfoSchema = z.object({
  tokenExpiresAt: TimestampSchema.nullable(),
  lastRefreshAt: TimestampSchema.nullable(),
  nextRefreshAt: TimestampSchema.nullable(),
  refreshState: RefreshStateSchema,
  lastRefreshError: z.object({ code: z.string(), message: z.string(), at: TimestampSchema }).nullable(),
});
export type OAuthTokenInfo = z.infer<typeof OAuthTokenInfoSchema>;

export const ConnectionDetailSchema = ConnectionSchema.extend({
  statusHistory: z.array(StatusChangeSchema),
  /** Who references this connection (e.g. workflow steps): deleting it needs `force`. */
  referencedBy: z.array(ReferrerSchema),
  /** OAuth 2.0 connections only. */
  oauth: OAuthTokenInfoSchema.nullable().optional(),
});
export type ConnectionDetail = z.infer<typeof ConnectionDetailSchema>;

export const ConnectionPageSchema = pageOf(ConnectionSummarySchema);

// ---------- inputs ----------

const NameSchema = nameSchema({ max: 100 });
const CredentialSchema = z.string().max(MAX_CREDENTIAL_LENGTH, `credential must be at most ${MAX_CREDENTIAL_LENGTH} characters`);
const SettingsInputSchema = z.record(z.string().max(64), z.string().max(SETTING_MAX, `settings values must be at most ${SETTING_MAX} characters`));
const FieldKeySchema = z.string().max(64);
const CredentialFieldValueSchema = z.string().max(MAX_CREDENTIAL_LENGTH, `credential fields must be at most ${MAX_CREDENTIAL_LENGTH} characters`);

export const ConnectionCreateSchema = z.strictObject({
  workspaceId: IdSchema,
  name: NameSchema,
  provider: ProviderSchema,
  authType: AuthTypeSchema,
  credential: CredentialSchema.optional(),
  credentialSecretId: IdSchema.optional(),
  settings: SettingsInputSchema.optional(),
  /** Write-only credential fields of the provider (catalog `credentialFields`); blank values are ignored. */
  credentialFields: z.record(FieldKeySchema, CredentialFieldValueSchema).optional(),
  /** The same fields kept as vault secrets instead (one source per field). */
  credentialFieldSecretIds: z.record(FieldKeySchema, IdSchema).optional(),
});
export type ConnectionCreate = z.infer<typeof ConnectionCreateSchema>;

/**
 * PATCH: any subset. `settings` merges (a null value removes a key); a new credential overwrites the old one.
 * `credentialFields` / `credentialFieldSecretIds` merge the same way: a value sets or replaces that field, null removes it.
 */
export const ConnectionUpdateSchema = z.strictObject({
  workspaceId: IdSchema,
  id: IdSchema,
  name: NameSchema.optional(),
  status: z.enum(['active', 'paused'], { error: 'status may be set to paused or active; error is managed by the platform' }).optional(),
  settings: z.record(z.string().max(64), z.string().max(SETTING_MAX).nullable()).optional(),
  credential: CredentialSchema.optional(),
  credentialSecretId: IdSchema.nullable().optional(),
  credentialFields: z.record(FieldKeySchema, CredentialFieldValueSchema.nullable()).optional(),
  credentialFieldSecretIds: z.record(FieldKeySchema, IdSchema.nullable()).optional(),
});
export type ConnectionUpdate = z.infer<typeof ConnectionUpdateSchema>;

export const ConnectionListQuerySchema = z.strictObject({
  workspaceId: IdSchema,
  provider: ProviderSchema.optional(),
  status: ConnectionStatusSchema.optional(),
  q: z.string().max(100).optional(),
  limit: z.number().int().min(1).max(500).optional(),
  /** The list's own nextCursor: it holds the last name shown, lower-cased, and its id, base64url. */
  cursor: z.string().max(4096).optional(),
});
export type ConnectionListQuery = z.infer<typeof ConnectionListQuerySchema>;

export const ConnectionRefSchema = z.strictObject({ workspaceId: IdSchema, id: IdSchema });
/**
 * Reading a connection's detail record. `openingId` names one opening of the detail view (the desktop makes one per
 * opening and sends it again on every reload of that view): the access is recorded once per opening and actor.
 * Without it every read is recorded.
 */
export const ConnectionGetSchema = z.strictObject({ workspaceId: IdSchema, id: IdSchema, openingId: IdSchema.optional() });
export type ConnectionGet = z.infer<typeof ConnectionGetSchema>;
export const ConnectionDeleteSchema = z.strictObject({ workspaceId: IdSchema, id: IdSchema, force: z.boolean().optional() });

/** "Test before saving": the same live test on an unsaved draft; nothing is stored. */
export const ConnectionTestDraftSchema = z.strictObject({
  workspaceId: IdSchema,
  provider: ProviderSchema,
  authType: AuthTypeSchema,
  credential: CredentialSchema.optional(),
  settings: SettingsInputSchema.optional(),
  credentialFields: z.record(FieldKeySchema, CredentialFieldValueSchema).optional(),
});
export type ConnectionTestDraft = z.infer<typeof ConnectionTestDraftSchema>;
