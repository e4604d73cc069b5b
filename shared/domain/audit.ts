import { z } from 'zod';
import { IdSchema, TimestampSchema, pageOf } from './common';
import { ActorKindSchema } from './actor';

export const RiskSchema = z.enum(['low', 'medium', 'high']);
export type Risk = z.infer<typeof RiskSchema>;

/**
 * Every audit action the app emits, with its risk. One table so the UI filter, the docs' events
 * (secret.accessed and connection.accessed are high) and the writers cannot drift apart.
 */
export const AUDIT_ACTIONS = {
  'workspace.created': 'medium',
  'workspace.renamed': 'low',
  'user.created': 'medium',
  'user.updated': 'medium',
  'user.deleted': 'medium',
  'user.login_failed': 'medium',
  'apikey.created': 'high',
  'apikey.deleted': 'medium',
  'vault.initialized': 'high',
  'vault.unlocked': 'medium',
  'vault.locked': 'low',
  'vault.unlock_failed': 'high',
  'vault.key_rotated': 'high',
  'vault.backup_exported': 'high',
  'vault.backup_restored': 'high',
  'secret.created': 'medium',
  'secret.updated': 'medium',
  'secret.rotated': 'medium',
  'secret.rolled_back': 'medium',
  'secret.deleted': 'medium',
  'secret.accessed': 'high',
  'connection.created': 'medium',
  'connection.updated': 'medium',
  'connection.deleted': 'medium',
  'connection.tested': 'low',
  'connection.accessed': 'high',
  'connection.refresh_failed': 'high',
  'oauthapp.created': 'medium',
  'oauthapp.updated': 'medium',
  'oauthapp.deleted': 'medium',
  'datastore.created': 'medium',
  'datastore.deleted': 'medium',
  'datastore.object_uploaded': 'low',
  'datastore.object_deleted': 'medium',
  'datastore.upload_url_created': 'medium',
  'settings.updated': 'low',
} as const satisfies Record<string, Risk>;
export type AuditAction = keyof typeof AUDIT_ACTIONS;
export const AuditActionSchema = z.enum(Object.keys(AUDIT_ACTIONS) as [AuditAction, ...AuditAction[]]);

export const AuditOutcomeSchema = z.enum(['success', 'failure', 'denied']);

export const AuditEventSchema = z.object({
  id: IdSchema,
  at: TimestampSchema,
  workspaceId: IdSchema.nullable(),
  action: AuditActionSchema,
  risk: RiskSchema,
  actor: z.object({ kind: ActorKindSchema, id: z.string(), name: z.string() }),
  origin: z.string(),
  target: z.object({ type: z.string(), id: z.string(), name: z.string().nullable() }),
  outcome: AuditOutcomeSchema,
  details: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const AuditQuerySchema = z.strictObject({
  workspaceId: IdSchema,
  action: AuditActionSchema.optional(),
  risk: RiskSchema.optional(),
  actor: z.string().max(200).optional(),
  from: TimestampSchema.optional(),
  to: TimestampSchema.optional(),
  limit: z.number().int().min(1).max(500).optional(),
  cursor: z.string().max(200).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;
export const AuditPageSchema = pageOf(AuditEventSchema);
