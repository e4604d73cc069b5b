import { z } from 'zod';
import { IdSchema, TimestampSchema, pageOf } from './common';
import { nameSchema } from './names';
import { ReferrerSchema } from './connection';
import { S3_BUCKET_MAX, S3_BUCKET_MIN, S3_MESSAGES, S3_REGION_PATTERN } from './s3-backend.catalog';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const encoder = new TextEncoder();
export const utf8Length = (s: string): number => encoder.encode(s).length;

/** Longest object key, in UTF-8 bytes (the S3 limit). */
export const MAX_KEY_BYTES = 1024;

/**
 * Object keys: a flat namespace of path-like strings, matched exactly (separators, case and Unicode form
 * included). Keys are never used as file names, so they only have to be valid, bounded UTF-8 without NUL.
 */
export const ObjectKeySchema = z
  .string()
  .min(1, 'key is required')
  .refine((k) => !k.includes('\0'), 'key must not contain NUL characters')
  .refine((k) => !LONE_SURROGATE.test(k), 'key must be valid Unicode (no lone surrogates)')
  .refine((k) => utf8Length(k) <= MAX_KEY_BYTES, `key must be at most ${MAX_KEY_BYTES} UTF-8 bytes`);

export const ContentTypeSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;.*)?$/, 'contentType must be a MIME type such as text/csv');

/** Datastore names follow the one name rule set (shared/domain/names.ts) and are unique per workspace by nameKey. */
export const DatastoreNameSchema = nameSchema({ max: 80 });

export const FilesystemBackendInputSchema = z.strictObject({
  type: z.literal('filesystem'),
  /**
   * An absolute folder an admin picked (admin only: it is a filesystem permission); default: a managed folder under
   * the data dir. The service checks it (normalised, no NUL, not under /proc, /sys or /dev, a folder or creatable in
   * an existing one, not in the data dir, not another datastore's) and answers 400 on backend.path.
   */
  path: z.string().min(1).max(4096).optional(),
});

export const S3BackendInputSchema = z.strictObject({
  type: z.literal('s3'),
  // An S3 endpoint is an http(s) URL (file:, javascript: and the like would only fail later, at every object call).
  endpoint: z.url({ protocol: /^https?$/, error: S3_MESSAGES.endpoint }).max(2048).optional(),
  // AWS and S3-compatible region names: lowercase letters, digits and dashes (us-east-1, eu-central-2, garage).
  region: z.string().min(1, S3_MESSAGES.regionRequired).max(64).regex(S3_REGION_PATTERN, S3_MESSAGES.regionCharacters),
  bucket: z.string().min(S3_BUCKET_MIN, S3_MESSAGES.bucketLength).max(S3_BUCKET_MAX, S3_MESSAGES.bucketLength),
  prefix: z.string().max(512).optional(),
  forcePathStyle: z.boolean().optional(),
  accessKeyId: z.string().min(1, S3_MESSAGES.accessKeyIdRequired).max(256),
  /** Write-only: goes to the vault, never returned. */
  secretAccessKey: z.string().min(1, S3_MESSAGES.secretAccessKeyRequired).max(1024),
});

export const BackendInputSchema = z.discriminatedUnion('type', [FilesystemBackendInputSchema, S3BackendInputSchema]);
export type BackendInput = z.infer<typeof BackendInputSchema>;

/** What is shown of a backend: never the secret access key. */
export const BackendInfoSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('filesystem'), path: z.string(), encrypted: z.boolean() }),
  z.object({
    type: z.literal('s3'),
    endpoint: z.string().nullable(),
    region: z.string(),
    bucket: z.string(),
    prefix: z.string(),
    forcePathStyle: z.boolean(),
    accessKeyId: z.string(),
  }),
]);
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

export const DatastoreSchema = z.object({
  id: IdSchema,
  workspaceId: IdSchema,
  name: z.string(),
  description: z.string().nullable(),
  backend: BackendInfoSchema,
  objectCount: z.number().int().nonnegative(),
  bytesUsed: z.number().int().nonnegative(),
  /**
   * What stops the datastore from working, when the app knows (e.g. its folder does not carry its mark: an admin
   * re-attaches it); null when nothing is known to be wrong (or the vault is locked, so the folder is not checked yet).
   */
  problem: z.string().nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  /** "Used by": what references the datastore (workflow steps). In the detail (get) only; lists leave it out. */
  referencedBy: z.array(ReferrerSchema).optional(),
});
export type Datastore = z.infer<typeof DatastoreSchema>;

/**
 * What deleting a datastore did. `problem` is set when its files were left untouched (its folder does not carry its
 * mark, so they may be someone else's): the rows are gone, the folder is as it was.
 */
export const DatastoreDeletedSchema = z.object({ deleted: z.literal(true), objectsDeleted: z.number().int(), problem: z.string().optional() });

export const DatastoreObjectSchema = z.object({
  key: z.string(),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  uploadedBy: z.string(),
});
export type DatastoreObject = z.infer<typeof DatastoreObjectSchema>;

export const ObjectListSchema = pageOf(DatastoreObjectSchema).extend({
  /** Folder-style groups when a delimiter was given (S3's CommonPrefixes). */
  prefixes: z.array(z.string()),
});
export type ObjectList = z.infer<typeof ObjectListSchema>;

const Ws = { workspaceId: IdSchema };
const DsRef = { workspaceId: IdSchema, datastoreId: IdSchema };

export const DatastoreCreateSchema = z.strictObject({
  ...Ws,
  name: DatastoreNameSchema,
  description: z.string().trim().max(1000).optional(),
  backend: BackendInputSchema.optional(),
});
export type DatastoreCreate = z.infer<typeof DatastoreCreateSchema>;

export const DatastoreRefSchema = z.strictObject(DsRef);
export const DatastoreDeleteSchema = z.strictObject({ ...DsRef, force: z.boolean().optional() });
export const DatastoreListSchema = z.strictObject({
  ...Ws,
  limit: z.number().int().min(1).max(500).optional(),
  cursor: z.string().max(200).optional(),
});

export const ObjectListQuerySchema = z.strictObject({
  ...DsRef,
  prefix: z.string().max(1024).optional(),
  delimiter: z.string().min(1).max(8).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  // Room for the cursor of any key: 1024 UTF-8 bytes, each control character six in JSON, then base64.
  cursor: z.string().max(12_000).optional(),
});
export type ObjectListQuery = z.infer<typeof ObjectListQuerySchema>;

export const ObjectRefSchema = z.strictObject({ ...DsRef, key: ObjectKeySchema });

/** Small text bodies over JSON (the storage step's `put`, quick notes). Files go through the streaming routes. */
export const ObjectPutTextSchema = z.strictObject({
  ...DsRef,
  key: ObjectKeySchema,
  content: z.string().max(512 * 1024),
  contentType: ContentTypeSchema.optional(),
});

export const ObjectPreviewSchema = z.object({
  object: DatastoreObjectSchema,
  /** base64 of the first bytes; `truncated` when the object is longer. */
  base64: z.string(),
  truncated: z.boolean(),
});

/** "Save as…" in the desktop app: where the object went, or saved:false when the admin cancelled the dialog. */
export const ObjectSaveAsSchema = z.object({ saved: z.boolean(), path: z.string().nullable(), size: z.number().int().nonnegative() });
export type ObjectSaveAs = z.infer<typeof ObjectSaveAsSchema>;

export const UploadUrlRequestSchema = z.strictObject({
  ...DsRef,
  key: ObjectKeySchema,
  contentType: ContentTypeSchema.default('application/octet-stream'),
  /**
   * Seconds the URL stays valid: 1 minute to 7 days, default 15 minutes. S3 URLs at most 1 hour: they go straight to
   * S3, so they cannot be made single-use or revoked (filesystem URLs are both).
   */
  expiresIn: z.number().int().min(60).max(7 * 24 * 3600).optional(),
  /** Largest body the URL accepts (filesystem backend). */
  maxBytes: z.number().int().min(1).optional(),
});
export const UploadUrlSchema = z.object({
  url: z.string(),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()),
  expiresAt: TimestampSchema,
});
export type UploadUrl = z.infer<typeof UploadUrlSchema>;

export const UploadFromPathSchema = z.strictObject({
  ...DsRef,
  key: ObjectKeySchema,
  path: z.string().min(1).max(4096),
  contentType: ContentTypeSchema.optional(),
  uploadId: z.string().min(1).max(64).optional(),
});
export const UploadCancelSchema = z.strictObject({ uploadId: z.string().min(1).max(64) });

export const StorageUsageSchema = z.object({
  workspaceId: IdSchema,
  bytesUsed: z.number().int().nonnegative(),
  objectCount: z.number().int().nonnegative(),
  datastores: z.array(z.object({ id: IdSchema, name: z.string(), bytesUsed: z.number().int(), objectCount: z.number().int() })),
});

export const BackendTestResultSchema = z.object({ ok: z.boolean(), message: z.string(), latencyMs: z.number() });

export const StorageStepSchema = z.strictObject({
  action: z.enum(['get', 'put']),
  workspaceId: IdSchema,
  datastoreId: IdSchema,
  key: ObjectKeySchema,
  content: z.string().max(512 * 1024).optional(),
  contentType: ContentTypeSchema.optional(),
});
export const StorageStepOutputSchema = z.object({
  fileContent: z.string().optional(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string().optional(),
});
