import { z } from 'zod';

export const IdSchema = z.uuid();
export const TimestampSchema = z.iso.datetime();
export const RoleSchema = z.enum(['admin', 'editor', 'viewer']);
export type Role = z.infer<typeof RoleSchema>;

/** Keyset-paginated list, the one shape every list endpoint returns. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const PageQuerySchema = z.strictObject({
  limit: z.number().int().min(1).max(500).optional(),
  cursor: z.string().max(200).optional(),
});

/** Channels that act inside a workspace carry its id explicitly, so every call is attributable. */
export const WorkspaceScopedSchema = z.strictObject({ workspaceId: IdSchema });
