import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { finished, Transform, type Readable, type TransformCallback } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type ServerSideEncryption } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { abortError } from './body-reader';
import type { BodySource, ObjectBackend, PutOptions } from './backend-port';

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
  /** Parts in flight at once. The part buffers (partSize × queueSize) are all the memory an upload holds. */
  queueSize?: number;
  /** Server-side encryption on every write; 'AES256' by default. */
  serverSideEncryption?: ServerSideEncryption;
  /** Fail fast on an unreachable endpoint instead of the SDK's long default retries. */
  maxAttempts?: number;
};

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 4;
/** Read size of a local file: the SDK's Upload gathers these into parts. */
const FILE_READ_BYTES = 1024 * 1024;

/**
 * Objects in an S3 bucket under an optional prefix; the locator is the full S3 key, so the bucket stays usable
 * by other S3 tools. Every request is the SDK's own (its signing, endpoint rules, retries and error types); writes go
 * through lib-storage's `Upload`, which sends a body smaller than one part as a single PutObject and larger ones as a
 * multipart upload of `partSize` parts, `queueSize` at a time (so memory is about partSize × queueSize, whatever the
 * body's size or pace). A cancelled or failed multipart upload is aborted before `put` rejects, so no parts are left
 * behind to be billed.
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
    // The SDK asks for "100-continue" on bodies over 2 MB and sends each such request on a new, non-keep-alive
    // connection, waiting a round trip before the body. Every part would pay that; credentials and bucket are
    // already checked by CreateMultipartUpload before the first part is sent.
    expectContinueHeader: false,
    // Requests without per-call options reuse the resolved middleware stack instead of rebuilding it per request.
    cacheMiddleware: true,
  });
  const prefix = o.prefix ?? '';
  const sse = o.serverSideEncryption ?? 'AES256';
  const partSize = o.partSize ?? DEFAULT_PART_SIZE;
  const queueSize = Math.max(1, o.queueSize ?? DEFAULT_QUEUE_SIZE);
  const s3Key = (key: string) => prefix + key;

  async function put(key: string, source: BodySource, opts: PutOptions): Promise<{ locator: string }> {
    const Key = s3Key(key);
    if (opts.signal?.aborted) throw abortError();
    if (source.kind === 'file' && source.size < partSize) {
      const data = await readSmallFile(source.path, source.size, partSize);
      if (data) {
        await putSmall(Key, data, opts);
        return { locator: Key };
      }
      // The file grew past one part since it was looked at: it goes multipart, read from the start.
    }
    const body = source.kind === 'file' ? fs.createReadStream(source.path, { highWaterMark: FILE_READ_BYTES }) : source.body;
    const tap = tapBody(body, opts.onData);
    // Cancelling fails the body Upload reads, so Upload stops, aborts the multipart upload and only then rejects.
    const onAbort = () => tap.fail(abortError());
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const upload = new Upload({
      client,
      params: { Bucket: o.bucket, Key, Body: tap.stream, ContentType: opts.contentType, ServerSideEncryption: sse },
      partSize,
      queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (e) {
      // Whatever the server answered meanwhile, a cancelled put reports the cancellation.
      if (opts.signal?.aborted) throw abortError(e);
      throw e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      tap.release();
      // A file stream is ours to close; a caller's stream is left to the caller (an HTTP request still answers).
      if (source.kind === 'file') body.destroy();
    }
    if (opts.signal?.aborted) {
      // Completed just as it was cancelled: the caller asked for no object, so there is none.
      await remove(Key);
      throw abortError();
    }
    return { locator: Key };
  }

  /**
   * A whole small file in one PutObject, without Upload's stream and part machinery: dropping hundreds of small
   * files is bound by per-object cost. The SDK's client sends it (its signing, retries and errors), and a cancel
   * aborts the request itself.
   */
  async function putSmall(Key: string, data: Buffer, opts: PutOptions): Promise<void> {
    opts.onData?.(data);
    try {
      await client.send(new PutObjectCommand({ Bucket: o.bucket, Key, Body: data, ContentLength: data.length, ContentType: opts.contentType, ServerSideEncryption: sse }), {
        abortSignal: opts.signal,
      });
    } catch (e) {
      if (opts.signal?.aborted) throw abortError(e);
      throw e;
    }
    if (opts.signal?.aborted) {
      await remove(Key);
      throw abortError();
    }
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

/**
 * The file's bytes if it holds less than `limit` (read to its end, whatever `hint` said), else null. One positioned
 * read in the common case: the buffer is one byte larger than the hint, so the end is seen without a second read.
 */
async function readSmallFile(file: string, hint: number, limit: number): Promise<Buffer | null> {
  const fh = await fsp.open(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(Math.min(hint, limit) + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      n += bytesRead;
      // A short read that reaches the size seen is the end of a regular file; a read of nothing is the end of any.
      if (bytesRead === 0 || (n < buf.length && n >= hint)) return buf.subarray(0, n);
      if (n < buf.length) continue;
      if (n >= limit) return null;
      const grown = Buffer.allocUnsafe(Math.min(buf.length * 2, limit));
      buf.copy(grown, 0, 0, n);
      buf = grown;
    }
  } finally {
    await fh.close();
  }
}

/**
 * The body as Upload reads it: every chunk is shown to onData on its way (its throw fails the body with that error),
 * and the body's failure or premature close fails it too. The caller's stream is piped, never destroyed: `release`
 * detaches it and leaves it paused, with an error listener so a late failure is not an unhandled error.
 */
function tapBody(body: Readable, onData?: (chunk: Buffer) => void) {
  const stream = new Transform({
    // About one file read ahead of what Upload has gathered, so reading overlaps sending.
    highWaterMark: FILE_READ_BYTES,
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        onData?.(chunk);
      } catch (e) {
        return cb(e as Error);
      }
      cb(null, chunk);
    },
  });
  const fail = (e: Error) => {
    if (!stream.destroyed) stream.destroy(e);
  };
  // finished() reports an error, or a close before the end (ERR_STREAM_PREMATURE_CLOSE): a cut-short body must not
  // pass as a whole one.
  const stopWatching = finished(body, { writable: false }, (e) => e && fail(e));
  if (body.readableEnded) stream.end();
  else body.pipe(stream);
  const ignore = () => undefined;
  return {
    stream,
    fail,
    release() {
      stopWatching();
      body.unpipe(stream);
      body.on('error', ignore);
      if (!body.readableEnded) body.pause();
    },
  };
}
