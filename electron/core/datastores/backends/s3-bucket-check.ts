import { randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { BUCKET_CHECK_TIMEOUT_MS, BucketCheckError, type BucketCheckStep, type BucketTarget } from './s3-bucket-check-error';


type SdkError = { name?: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string | undefined> } };
const status = (e: unknown) => (e as SdkError).$metadata?.httpStatusCode;
const regionOf = (e: unknown) => (e as SdkError).$response?.headers?.['x-amz-bucket-region'];
const isAbort = (e: unknown) => (e as SdkError).name === 'AbortError' || (e as { code?: string }).code === 'ABORT_ERR';

/**
 * Checks that a datastore can use its bucket, as S3 consoles and backup tools do before they save a target:
 * HeadBucket (it exists, in this region, and these credentials reach it), ListObjectsV2 of the prefix (the
 * object browser lists it), then a write probe (a small object written, read back and deleted). Each request gets
 * at most BUCKET_CHECK_TIMEOUT_MS, so a blackholed endpoint cannot hold a create for the SDK's long defaults.
 *
 * What must stay true: the probe is deleted whatever happens after it was written, and every failure is a
 * BucketCheckError naming its step (the wording is backend-errors.ts's).
 */
export async function checkBucket(client: S3Client, o: BucketTarget & { prefix: string; sse: ServerSideEncryption }): Promise<void> {
  const target: BucketTarget = { bucket: o.bucket, region: o.region, endpoint: o.endpoint };
  const send = async <T>(step: BucketCheckStep, run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await run(AbortSignal.timeout(BUCKET_CHECK_TIMEOUT_MS));
    } catch (e) {
      if (isAbort(e) || (e as SdkError).name === 'TimeoutError') throw new BucketCheckError(target, 'timeout', e);
      throw e instanceof BucketCheckError ? e : new BucketCheckError(target, step, e, regionOf(e));
    }
  };
  const Bucket = o.bucket;
  try {
    await send('bucket', (abortSignal) => client.send(new HeadBucketCommand({ Bucket }), { abortSignal }));
  } catch (e) {
    // A HEAD answer has no body, so no error code: a refusal is asked again as a GET, whose body says why
    // (InvalidAccessKeyId, SignatureDoesNotMatch, AuthorizationHeaderMalformed with the region...).
    if (e instanceof BucketCheckError && e.step === 'bucket' && [301, 400, 403].includes(status(e.cause) ?? 0)) {
      await send('bucket', (abortSignal) => client.send(new ListObjectsV2Command({ Bucket, MaxKeys: 1 }), { abortSignal })).catch((again: unknown) => {
        throw again instanceof BucketCheckError ? new BucketCheckError(target, 'bucket', again.cause, again.bucketRegion ?? e.bucketRegion) : again;
      });
    }
    throw e;
  }
  await send('list', (abortSignal) => client.send(new ListObjectsV2Command({ Bucket, Prefix: o.prefix, MaxKeys: 1 }), { abortSignal }));
  const Key = `${o.prefix}.provenance-probe-${randomBytes(6).toString('hex')}`;
  const probe = randomBytes(64);
  await send('write', (abortSignal) => client.send(new PutObjectCommand({ Bucket, Key, Body: probe, ServerSideEncryption: o.sse }), { abortSignal }));
  try {
    const back = await send('write', async (abortSignal) => {
      const r = await client.send(new GetObjectCommand({ Bucket, Key }), { abortSignal });
      return Buffer.from(await r.Body!.transformToByteArray());
    });
    if (!back.equals(probe)) throw new BucketCheckError(target, 'write', new Error('the probe object read back differently'));
  } finally {
    await send('write', (abortSignal) => client.send(new DeleteObjectCommand({ Bucket, Key }), { abortSignal }));
  }
}
