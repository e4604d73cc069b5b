import { z } from 'zod';
import { SCOPES } from '../access/policy';
import { IdSchema, PageQuerySchema, RoleSchema, TimestampSchema, pageOf } from './common';
import { ActorKindSchema } from './actor';
import { nameSchema } from './names';

export const UsernameSchema = z
  .string()
  .trim()
  .min(1, 'username is required')
  .max(64, 'username must be at most 64 characters')
  .regex(/^[A-Za-z0-9._@-]+$/, 'username may contain letters, digits and . _ @ - only');

/** Length only: a passphrase of any characters is fine; 12 is the floor NIST SP 800-63B suggests for admin accounts. */
export const PasswordSchema = z
  .string()
  .min(12, 'password must be at least 12 characters')
  .max(1024, 'password must be at most 1024 characters');

/** A local user as seen from one workspace: their role there. Never carries the password hash. */
export const UserSchema = z.object({
  id: IdSchema,
  username: z.string(),
  role: RoleSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type User = z.infer<typeof UserSchema>;
export const UserPageSchema = pageOf(UserSchema);

export const UserListSchema = PageQuerySchema.extend({ workspaceId: IdSchema });
export const UserCreateSchema = z.strictObject({
  workspaceId: IdSchema,
  username: UsernameSchema,
  password: PasswordSchema,
  role: RoleSchema,
});
export const UserUpdateSchema = z
  .strictObject({ workspaceId: IdSchema, id: IdSchema, role: RoleSchema.optional(), password: PasswordSchema.optional() })
  .refine((v) => v.role !== undefined || v.password !== undefined, { message: 'send role, password or both', path: ['role'] });
export const UserDeleteSchema = z.strictObject({ workspaceId: IdSchema, id: IdSchema });

export const ScopeSchema = z.enum(SCOPES);

/** An API key's metadata. The key itself is shown once, at creation, and stored only as a hash. */
export const ApiKeySchema = z.object({
  id: IdSchema,
  name: z.string(),
  workspaceId: IdSchema,
  scopes: z.array(ScopeSchema),
  createdAt: TimestampSchema,
  lastUsedAt: TimestampSchema.nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;
export const ApiKeyPageSchema = pageOf(ApiKeySchema);
export const ApiKeyCreatedSchema = z.object({ id: IdSchema, name: z.string(), workspaceId: IdSchema, scopes: z.array(ScopeSchema), key: z.string() });

export const ApiKeyNameSchema = nameSchema({ max: 80 });
export const ApiKeyListSchema = PageQuerySchema.extend({ workspaceId: IdSchema });
export const ApiKeyCreateSchema = z.strictObject({
  workspaceId: IdSchema,
  name: ApiKeyNameSchema,
  scopes: z.array(ScopeSchema).min(1, 'choose at least one scope').max(SCOPES.length),
});
export const ApiKeyDeleteSchema = z.strictObject({ workspaceId: IdSchema, id: IdSchema });

export const LoginSchema = z.strictObject({
  username: z.string().min(1, 'username is required').max(64, 'username must be at most 64 characters'),
  password: z.string().min(1, 'password is required').max(1024, 'password must be at most 1024 characters'),
});
export const LoginResultSchema = z.object({ token: z.string(), expiresAt: TimestampSchema });

/** GET /me: who the credential is and what it holds in the chosen workspace. */
export const MeSchema = z.object({
  actor: z.object({ kind: ActorKindSchema, id: z.string(), name: z.string() }),
  workspaceId: IdSchema,
  role: RoleSchema.nullable(),
  scopes: z.array(z.string()).nullable(),
});
export const MeQuerySchema = z.strictObject({ workspaceId: IdSchema });
