import { z } from 'zod';
import { IdSchema, TimestampSchema, pageOf } from './common';
import { ActorKindSchema } from './actor';
import { AUDIT_ACTIONS, AUDIT_EXPORT_FORMATS, AUDIT_OUTCOMES, RISKS, type AuditAction } from './audit.catalog';

export * from './audit.catalog';

export const RiskSchema = z.enum(RISKS);

export const AuditActionSchema = z.enum(Object.keys(AUDIT_ACTIONS) as [AuditAction, ...AuditAction[]]);

export const AuditOutcomeSchema = z.enum(AUDIT_OUTCOMES);

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

/** An export of the log: every event the filters match (no page size, no cursor), as one file. */
export const AuditExportQuerySchema = z.strictObject({
  workspaceId: IdSchema,
  format: z.enum(AUDIT_EXPORT_FORMATS),
  action: AuditActionSchema.optional(),
  risk: RiskSchema.optional(),
  actor: z.string().max(200).optional(),
  from: TimestampSchema.optional(),
  to: TimestampSchema.optional(),
});
export type AuditExportQuery = z.infer<typeof AuditExportQuerySchema>;

/** The exported file: its suggested name and media type, how many events it holds, and its text. */
export const AuditExportSchema = z.object({
  format: z.enum(AUDIT_EXPORT_FORMATS),
  filename: z.string(),
  contentType: z.string(),
  count: z.number().int().nonnegative(),
  content: z.string(),
});
export type AuditExport = z.infer<typeof AuditExportSchema>;
