import { z } from 'zod';
import {
  BackendTestResultSchema,
  DatastoreCreateSchema,
  DatastoreDeleteSchema,
  DatastoreDeletedSchema,
  DatastoreListSchema,
  DatastoreObjectSchema,
  DatastoreRefSchema,
  DatastoreSchema,
  ObjectListQuerySchema,
  ObjectListSchema,
  ObjectPreviewSchema,
  ObjectPutTextSchema,
  ObjectRefSchema,
  ObjectSaveAsSchema,
  StorageStepOutputSchema,
  StorageStepSchema,
  StorageUsageSchema,
  UploadCancelSchema,
  UploadFromPathSchema,
  UploadUrlRequestSchema,
  UploadUrlSchema,
} from '../domain/datastore';
import { WorkspaceScopedSchema, pageOf } from '../domain/common';

/** Datastores: stores, objects, upload URLs, storage usage. File bodies travel over the streaming HTTP routes. */
export const datastoresContract = {
  'datastores:list': { input: DatastoreListSchema, output: pageOf(DatastoreSchema) },
  'datastores:get': { input: DatastoreRefSchema, output: DatastoreSchema },
  'datastores:create': { input: DatastoreCreateSchema, output: DatastoreSchema },
  'datastores:delete': { input: DatastoreDeleteSchema, output: DatastoreDeletedSchema },
  /** Admin only: marks the datastore's folder as its own again (after a restore); audited. */
  'datastores:reattach': { input: DatastoreRefSchema, output: DatastoreSchema },
  'datastores:test': { input: DatastoreRefSchema, output: BackendTestResultSchema },
  'datastores:usage': { input: WorkspaceScopedSchema, output: StorageUsageSchema },
  'datastores:objects:list': { input: ObjectListQuerySchema, output: ObjectListSchema },
  'datastores:objects:head': { input: ObjectRefSchema, output: DatastoreObjectSchema },
  'datastores:objects:preview': { input: ObjectRefSchema, output: ObjectPreviewSchema },
  'datastores:objects:saveAs': { input: ObjectRefSchema, output: ObjectSaveAsSchema },
  'datastores:objects:delete': { input: ObjectRefSchema, output: z.object({ deleted: z.literal(true) }) },
  'datastores:objects:putText': { input: ObjectPutTextSchema, output: DatastoreObjectSchema },
  'datastores:uploadUrl': { input: UploadUrlRequestSchema, output: UploadUrlSchema },
  'datastores:uploadFromPath': { input: UploadFromPathSchema, output: DatastoreObjectSchema },
  'datastores:cancelUpload': { input: UploadCancelSchema, output: z.object({ cancelled: z.boolean() }) },
  'datastores:storageStep': { input: StorageStepSchema, output: StorageStepOutputSchema },
} as const;
