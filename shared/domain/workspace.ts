import { z } from 'zod';
import { IdSchema, TimestampSchema } from './common';
import { nameSchema } from './names';

export const WorkspaceNameSchema = nameSchema({ max: 80 });

export const WorkspaceSchema = z.object({
  id: IdSchema,
  name: z.string(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Workspace = z.infer<typeof WorkspaceSchema>;

export const WorkspaceCreateSchema = z.strictObject({ name: WorkspaceNameSchema });
export const WorkspaceRenameSchema = z.strictObject({ id: IdSchema, name: WorkspaceNameSchema });
