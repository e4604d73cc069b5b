import { z } from 'zod';
import { IdSchema, TimestampSchema, pageOf } from './common';
import { ActorKindSchema } from './actor';
import { AUDIT_ACTIONS, RISKS, type AuditAction } from './audit.catalog';

export * from './audit.catalog';

export const RiskSchema = z.enum(RISKS);

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
