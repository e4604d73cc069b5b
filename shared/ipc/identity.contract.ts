import { z } from 'zod';
import {
  ApiKeyCreateSchema,
  ApiKeyCreatedSchema,
  ApiKeyDeleteSchema,
  ApiKeyListSchema,
  ApiKeyPageSchema,
  LoginResultSchema,
  LoginSchema,
  MeQuerySchema,
  MeSchema,
  UserCreateSchema,
  UserDeleteSchema,
  UserListSchema,
  UserPageSchema,
  UserSchema,
  UserUpdateSchema,
} from '../domain/identity';
import { SettingsUpdateSchema, SettingsViewSchema } from '../domain/settings';

const Deleted = z.object({ id: z.string() });

/** Identity: local users, API keys, sign-in, and the app settings (REST API switch). */
export const identityContract = {
  'auth:login': { input: LoginSchema, output: LoginResultSchema },
  'auth:me': { input: MeQuerySchema, output: MeSchema },
  'users:list': { input: UserListSchema, output: UserPageSchema },
  'users:create': { input: UserCreateSchema, output: UserSchema },
  'users:update': { input: UserUpdateSchema, output: UserSchema },
  'users:delete': { input: UserDeleteSchema, output: Deleted },
  'apiKeys:list': { input: ApiKeyListSchema, output: ApiKeyPageSchema },
  'apiKeys:create': { input: ApiKeyCreateSchema, output: ApiKeyCreatedSchema },
  'apiKeys:delete': { input: ApiKeyDeleteSchema, output: Deleted },
  'settings:get': { input: z.undefined(), output: SettingsViewSchema },
  'settings:update': { input: SettingsUpdateSchema, output: SettingsViewSchema },
} as const;
