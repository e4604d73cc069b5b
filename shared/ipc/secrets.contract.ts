import { z } from 'zod';
import {
  SecretCreateSchema,
  SecretDeleteSchema,
  SecretDetailSchema,
  SecretListQuerySchema,
  SecretPageSchema,
  SecretRefSchema,
  SecretRevealSchema,
  SecretRollbackSchema,
  SecretRotateSchema,
  SecretSchema,
  SecretUpdateSchema,
} from '../domain/secret';

/** Secrets. Only `secrets:reveal` ever returns a value; every other output is metadata (strict schemas). */
export const secretsContract = {
  'secrets:list': { input: SecretListQuerySchema, output: SecretPageSchema },
  'secrets:get': { input: SecretRefSchema, output: SecretDetailSchema },
  'secrets:create': { input: SecretCreateSchema, output: SecretSchema },
  'secrets:update': { input: SecretUpdateSchema, output: SecretSchema },
  'secrets:rotate': { input: SecretRotateSchema, output: SecretSchema },
  'secrets:rollback': { input: SecretRollbackSchema, output: SecretSchema },
  'secrets:reveal': { input: SecretRefSchema, output: SecretRevealSchema },
  'secrets:delete': { input: SecretDeleteSchema, output: z.strictObject({ id: z.string(), deleted: z.literal(true) }) },
} as const;
