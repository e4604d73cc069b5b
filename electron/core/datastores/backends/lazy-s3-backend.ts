import type { BackendHousekeeping, ObjectBackend } from './backend-port';
import type { S3BackendOptions } from './s3-backend';

/**
 * The AWS SDK takes about half a second to load, and most installations never use an S3 datastore: the real
 * backend (and the SDK) loads on the first S3 operation instead of at start. Behaviour is the real backend's;
 * `locatorFor` must stay the same mapping as s3-backend's (prefix + key).
 */
export function openLazyS3Backend(o: S3BackendOptions): ObjectBackend {
  let real: Promise<ObjectBackend> | null = null;
  const load = () => (real ??= import('./s3-backend').then((m) => m.openS3Backend(o)));
  return {
    type: 's3',
    put: async (key, source, opts) => (await load()).put(key, source, opts),
    get: async (locator) => (await load()).get(locator),
    remove: async (locator) => (await load()).remove(locator),
    test: async () => (await load()).test(),
    presignPut: async (key, contentType, expiresIn) => (await load()).presignPut!(key, contentType, expiresIn),
    head: async (key) => (await load()).head!(key),
    locatorFor: (key) => (o.prefix ?? '') + key,
    // s3-backend.ts DEFAULT_PART_SIZE, said here too so that knowing it does not load the SDK.
    partSize: o.partSize ?? 8 * 1024 * 1024,
    abortMultipart: async (s3Key, uploadId) => (await load()).abortMultipart!(s3Key, uploadId),
    close: () => void real?.then((b) => b.close()),
  };
}

/**
 * An S3 datastore leaves nothing to recover (a failed multipart upload is aborted before its put returns; bytes of
 * a replaced or deleted object are removed then, or logged for the admin), and its bucket is the admin's: deleting
 * the datastore leaves the bucket as it is, so there is nothing to mark or to verify before touching it.
 */
export const s3Housekeeping: BackendHousekeeping = {
  verify: async () => ({ ours: true }),
  mark: async () => undefined,
  recover: async () => ({ temp: 0, orphans: 0 }),
  dispose: async () => null,
};
