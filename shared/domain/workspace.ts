import { z } from 'zod';
import { IdSchema, TimestampSchema } from './common';

export const WorkspaceNameSchema = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(80, 'name must be at most 80 characters')
  .regex(/^[^\p{Cc}]+$/u, 'name must not contain control characters');

export const WorkspaceSchema = z.object({
  id: IdSchema,
  name: z.string(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Workspace = z.infer<typeof WorkspaceSchema>;

export const WorkspaceCreateSchema = z.strictObject({ name: WorkspaceNameSchema });
export const WorkspaceRenameSchema = z.strictObject({ id: IdSchema, name: WorkspaceNameSchema });
