import { z } from 'zod';
import { IdSchema, TimestampSchema, pageOf } from './common';
import { nameSchema } from './names';
import { GENERATOR_ALPHABETS, type GeneratorAlphabet } from './secret.catalog';

/** Largest value the vault accepts, measured on its stored form (UTF-8 text or compact JSON). */
export const SECRET_MAX_BYTES = 64 * 1024;
/** Encrypted versions kept per secret; older ones are deleted in the transaction that adds a new one. */
export const SECRET_VERSIONS_KEPT = 10;

export const SecretNameSchema = nameSchema({ max: 200 });

export const SecretDescriptionSchema = z.string().trim().max(2000, 'description must be at most 2000 characters');

/**
 * A value is a non-empty string, or a JSON object (structured credentials). zod messages never echo the input,
 * so a rejected value cannot leak through an error.
 */
export const SecretValueSchema = z.union(
  [z.string().min(1, 'value must not be empty'), z.record(z.string(), z.json())],
  { error: 'value must be a string or a JSON object' },
);
export type SecretValue = z.infer<typeof SecretValueSchema>;
export const SecretValueTypeSchema = z.enum(['string', 'json']);
export type SecretValueType = z.infer<typeof SecretValueTypeSchema>;

export * from './secret.catalog';
export const GeneratorSchema = z.strictObject({
  length: z.number().int().min(8, 'length must be at least 8').max(512, 'length must be at most 512'),
  alphabet: z.enum(Object.keys(GENERATOR_ALPHABETS) as [GeneratorAlphabet, ...GeneratorAlphabet[]]),
});
export type Generator = z.infer<typeof GeneratorSchema>;

export const RotationScheduleSchema = z.strictObject({
  everyDays: z.number().int().min(1, 'everyDays must be at least 1').max(3650, 'everyDays must be at most 3650'),
});

/** Metadata only: a strict object, so a value that slipped into an output fails the contract's parse. */
export const SecretSchema = z.strictObject({
  id: IdSchema,
  workspaceId: IdSchema,
  name: z.string(),
  description: z.string(),
  valueType: SecretValueTypeSchema,
  version: z.number().int(),
  generator: GeneratorSchema.nullable(),
  rotation: z
    .strictObject({ everyDays: z.number().int(), nextRotationAt: TimestampSchema.nullable(), dueSince: TimestampSchema.nullable() })
    .nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  lastRotatedAt: TimestampSchema.nullable(),
});
export type Secret = z.infer<typeof SecretSchema>;

export const SecretVersionSchema = z.strictObject({
  version: z.number().int(),
  valueType: SecretValueTypeSchema,
  source: z.enum(['create', 'rotate', 'scheduled', 'rollback']),
  /** A rollback's version: the version whose value it restored ("from version N"); null otherwise. */
  restoredFrom: z.number().int().nullable(),
  createdAt: TimestampSchema,
  createdBy: z.string(),
});
export type SecretVersion = z.infer<typeof SecretVersionSchema>;

export const SecretDetailSchema = z.strictObject({
  secret: SecretSchema,
  versions: z.array(SecretVersionSchema),
  references: z.array(z.strictObject({ fromType: z.string(), fromId: z.string(), fromName: z.string().nullable() })),
  lastAccess: z.strictObject({ at: TimestampSchema, actorName: z.string(), origin: z.string() }).nullable(),
});
export type SecretDetail = z.infer<typeof SecretDetailSchema>;

const Ws = { workspaceId: IdSchema };
/** Secret ids are UUIDs compared exactly (case-sensitive), as the docs say. */
const SecretId = z.string().min(1, 'id is required').max(100);

export const SecretCreateSchema = z
  .strictObject({
    ...Ws,
    name: SecretNameSchema,
    description: SecretDescriptionSchema.optional(),
    value: SecretValueSchema.optional(),
    generate: GeneratorSchema.optional(),
    rotation: RotationScheduleSchema.nullable().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.value === undefined && v.generate === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'value is required (or ask the app to generate one)' });
    }
    if (v.value !== undefined && v.generate !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['generate'], message: 'give either a value or generate, not both' });
    }
  });
export type SecretCreate = z.infer<typeof SecretCreateSchema>;

export const SecretListQuerySchema = z.strictObject({
  ...Ws,
  /**
   * Part of the name, anywhere in it, ignoring case (e.g. "db" finds "prod_db_password"). From 3 characters it is
   * looked up in a trigram index; 1–2 characters are matched by reading the workspace's names in order.
   */
  search: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).optional(),
  /** The list's own nextCursor: it holds the last name shown (up to 200 characters, some escaped in JSON), base64url. */
  cursor: z.string().max(4096).optional(),
});
export const SecretPageSchema = pageOf(SecretSchema);

export const SecretRefSchema = z.strictObject({ ...Ws, id: SecretId });
export const SecretUpdateSchema = z.strictObject({
  ...Ws,
  id: SecretId,
  name: SecretNameSchema.optional(),
  description: SecretDescriptionSchema.optional(),
  rotation: RotationScheduleSchema.nullable().optional(),
});
export type SecretUpdate = z.infer<typeof SecretUpdateSchema>;
/** Rotate: a new value; for a generated secret it may be left out and the app generates the next one. */
export const SecretRotateSchema = z.strictObject({ ...Ws, id: SecretId, value: SecretValueSchema.optional() });
export const SecretRollbackSchema = z.strictObject({ ...Ws, id: SecretId, version: z.number().int().min(1) });
export const SecretDeleteSchema = z.strictObject({ ...Ws, id: SecretId, force: z.boolean().optional() });
export const SecretRevealSchema = z.strictObject({
  value: SecretValueSchema,
  valueType: SecretValueTypeSchema,
  version: z.number().int(),
});
export type SecretReveal = z.infer<typeof SecretRevealSchema>;
