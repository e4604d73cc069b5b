import { z } from 'zod';
import { SCOPES } from '../access/policy';
import { IdSchema, PageQuerySchema, RoleSchema, TimestampSchema, pageOf } from './common';
import { ActorKindSchema } from './actor';
import { nameSchema } from './names';
import { IDENTITY_MESSAGES as M, PASSWORD_MAX, PASSWORD_MIN, USERNAME_MAX, USERNAME_PATTERN } from './identity.catalog';

export * from './identity.catalog';

export const UsernameSchema = z
  .string()
  .trim()
  .min(1, M.usernameRequired)
  .max(USERNAME_MAX, M.usernameTooLong)
  .regex(USERNAME_PATTERN, M.usernameCharacters);

/** Length only: a passphrase of any characters is fine (see identity.catalog.ts). */
export const PasswordSchema = z.string().min(PASSWORD_MIN, M.passwordTooShort).max(PASSWORD_MAX, M.passwordTooLong);

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
  scopes: z.array(ScopeSchema).min(1, M.scopesRequired).max(SCOPES.length),
});
export const ApiKeyDeleteSchema = z.strictObject({ workspaceId: IdSchema, id: IdSchema });

export const LoginSchema = z.strictObject({
  username: z.string().min(1, M.loginUsernameRequired).max(USERNAME_MAX, M.usernameTooLong),
  password: z.string().min(1, M.loginPasswordRequired).max(PASSWORD_MAX, M.passwordTooLong),
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
