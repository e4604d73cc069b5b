import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ObjectBackend, PutOptions } from './backend-port';

export type S3BackendOptions = {
  endpoint?: string | null;
  region: string;
  bucket: string;
  prefix?: string;
  forcePathStyle?: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /** Multipart part size in bytes (S3 minimum 5 MiB); bodies smaller than one part go as a single PUT. */
  partSize?: number;
  /** Parts in flight at once. Peak memory is about partSize × queueSize. */
  queueSize?: number;
  /** Server-side encryption on every write; 'AES256' by default. */
  serverSideEncryption?: ServerSideEncryption;
  /** Fail fast on an unreachable endpoint instead of the SDK's long default retries. */
  maxAttempts?: number;
};

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 4;

/**
 * Objects in an S3 bucket under an optional prefix; the locator is the full S3 key, so the bucket stays usable
 * by other S3 tools. Large bodies go multipart (lib-storage); a cancelled or failed multipart upload is aborted
 * before `put` returns, so no parts are left behind to be billed.
 */
export function openS3Backend(o: S3BackendOptions): ObjectBackend & { client: S3Client } {
  const client = new S3Client({
    region: o.region,
    endpoint: o.endpoint ?? undefined,
    forcePathStyle: o.forcePathStyle ?? false,
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
    maxAttempts: o.maxAttempts ?? 2,
    // Streaming bodies with the SDK's default checksums are framed as aws-chunked, which several S3-compatible
    // servers store verbatim (corrupting the object); SHA-256 integrity is checked by the app instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const prefix = o.prefix ?? '';
  const sse = o.serverSideEncryption ?? 'AES256';
  const s3Key = (key: string) => prefix + key;

  async function put(key: string, body: Readable, opts: PutOptions): Promise<{ locator: string }> {
    const upload = new Upload({
      client,
      params: { Bucket: o.bucket, Key: s3Key(key), Body: body, ContentType: opts.contentType, ServerSideEncryption: sse },
      partSize: o.partSize ?? DEFAULT_PART_SIZE,
      queueSize: o.queueSize ?? DEFAULT_QUEUE_SIZE,
      leavePartsOnError: false,
    });
    // Cancel by failing the body rather than upload.abort(): abort() rejects done() at once while parts may still
    // be in flight, whereas a failed body makes done() wait until AbortMultipartUpload has been sent.
    const onAbort = () => body.destroy(Object.assign(new Error('upload cancelled'), { name: 'AbortError' }));
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } catch (e) {
      // Whatever the abort itself answered, a cancelled put reports the cancellation.
      if (opts.signal?.aborted) throw Object.assign(new Error('upload cancelled'), { name: 'AbortError', cause: e });
      throw e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (opts.signal?.aborted) {
      // Completed just as it was cancelled: the caller asked for no object, so there is none.
      await remove(s3Key(key));
      throw Object.assign(new Error('upload cancelled'), { name: 'AbortError' });
    }
    return { locator: s3Key(key) };
  }

  async function get(locator: string): Promise<Readable> {
    const r = await client.send(new GetObjectCommand({ Bucket: o.bucket, Key: locator }));
    return r.Body as Readable;
  }

  async function remove(locator: string): Promise<void> {
    await client.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: locator }));
  }

  async function test(): Promise<void> {
    const key = `${prefix}.provenance-probe-${randomBytes(6).toString('hex')}`;
    const probe = randomBytes(64);
    await client.send(new PutObjectCommand({ Bucket: o.bucket, Key: key, Body: probe, ServerSideEncryption: sse }));
    try {
      const r = await client.send(new GetObjectCommand({ Bucket: o.bucket, Key: key }));
      const back = Buffer.from(await r.Body!.transformToByteArray());
      if (!back.equals(probe)) throw new Error('the probe object read back differently');
    } finally {
      await remove(key);
    }
  }

  async function presignPut(key: string, contentType: string, expiresIn: number) {
    const cmd = new PutObjectCommand({ Bucket: o.bucket, Key: s3Key(key), ContentType: contentType, ServerSideEncryption: sse });
    const url = await getSignedUrl(client, cmd, { expiresIn, signableHeaders: new Set(['content-type', 'x-amz-server-side-encryption']) });
    return { url, headers: { 'content-type': contentType, 'x-amz-server-side-encryption': sse } };
  }

  async function head(key: string) {
    try {
      const r = await client.send(new HeadObjectCommand({ Bucket: o.bucket, Key: s3Key(key) }));
      return { size: r.ContentLength ?? 0, contentType: r.ContentType ?? null };
    } catch (e) {
      const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404) return null;
      throw e;
    }
  }

  return {
    type: 's3',
    client,
    put,
    get,
    remove,
    test,
    presignPut,
    head,
    locatorFor: s3Key,
    close: () => client.destroy(),
  };
}
