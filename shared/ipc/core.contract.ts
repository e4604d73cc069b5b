import { z } from 'zod';
import { ActorSchema } from '../domain/actor';
import { AuditExportQuerySchema, AuditExportSchema, AuditPageSchema, AuditQuerySchema } from '../domain/audit';
import { RoleSchema } from '../domain/common';
import { WorkspaceCreateSchema, WorkspaceRenameSchema, WorkspaceSchema } from '../domain/workspace';
import { VaultStatusSchema } from '../domain/vault';

export const SessionInfoSchema = z.object({
  actor: ActorSchema,
  /** The caller's role in each workspace it can see. */
  roles: z.record(z.string(), RoleSchema),
  mode: z.enum(['desktop', 'headless']),
  version: z.string(),
  /** Where the app keeps its data; only for an admin of the Default workspace (null for everyone else). */
  dataDir: z.string().nullable(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/**
 * What the first screen waits for, in one round trip: exactly what session:info, workspaces:list and vault:status
 * answer the same caller (the handler calls those three), so it sees nothing they would not show it.
 */
export const BootstrapSchema = z.object({
  session: SessionInfoSchema,
  workspaces: z.array(WorkspaceSchema),
  vault: VaultStatusSchema,
});
export type Bootstrap = z.infer<typeof BootstrapSchema>;

/** Foundation channels: session, workspaces, audit. */
export const coreContract = {
  'session:info': { input: z.undefined(), output: SessionInfoSchema },
  'app:bootstrap': { input: z.undefined(), output: BootstrapSchema },
  'workspaces:list': { input: z.undefined(), output: z.array(WorkspaceSchema) },
  'workspaces:create': { input: WorkspaceCreateSchema, output: WorkspaceSchema },
  'workspaces:rename': { input: WorkspaceRenameSchema, output: WorkspaceSchema },
  'audit:list': { input: AuditQuerySchema, output: AuditPageSchema },
  /** Every event the filters match, as one CSV or JSON file (same access as audit:list). */
  'audit:export': { input: AuditExportQuerySchema, output: AuditExportSchema },
} as const;
