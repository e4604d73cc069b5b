import { z } from 'zod';
import { ActorSchema } from '../domain/actor';
import { AuditPageSchema, AuditQuerySchema } from '../domain/audit';
import { RoleSchema } from '../domain/common';
import { WorkspaceCreateSchema, WorkspaceRenameSchema, WorkspaceSchema } from '../domain/workspace';

export const SessionInfoSchema = z.object({
  actor: ActorSchema,
  /** The caller's role in each workspace it can see. */
  roles: z.record(z.string(), RoleSchema),
  mode: z.enum(['desktop', 'headless']),
  version: z.string(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** Foundation channels: session, workspaces, audit. */
export const coreContract = {
  'session:info': { input: z.undefined(), output: SessionInfoSchema },
  'workspaces:list': { input: z.undefined(), output: z.array(WorkspaceSchema) },
  'workspaces:create': { input: WorkspaceCreateSchema, output: WorkspaceSchema },
  'workspaces:rename': { input: WorkspaceRenameSchema, output: WorkspaceSchema },
  'audit:list': { input: AuditQuerySchema, output: AuditPageSchema },
} as const;
