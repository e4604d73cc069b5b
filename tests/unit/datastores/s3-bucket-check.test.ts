import { describe, expect, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { checkBucket } from '@core/datastores/backends/s3-bucket-check';
import { BucketCheckError, type BucketCheckStep } from '@core/datastores/backends/s3-bucket-check-error';
import { describeBucketCheck } from '@core/datastores/backend-errors';

/** The bucket check's steps and wording; s3rver (integration tests) has no policies, regions or read-only keys. */

type Sent = { command: string; input: Record<string, unknown> };
const sdkError = (name: string, status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, $response: { headers } });

/** A client that answers each command by its name; `fail` throws for that command. */
function fakeClient(fail: Partial<Record<string, unknown>> = {}, readBack?: (body: Buffer) => Buffer) {
  const sent: Sent[] = [];
  let stored: Buffer | null = null;
  const client = {
    send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const command = cmd.constructor.name;
      sent.push({ command, input: cmd.input });
      if (fail[command]) throw fail[command];
      if (command === 'PutObjectCommand') stored = cmd.input.Body as Buffer;
      if (command === 'GetObjectCommand') {
        const body = readBack ? readBack(stored!) : stored!;
        return { Body: { transformToByteArray: async () => new Uint8Array(body) } };
      }
      return {};
    },
  } as unknown as S3Client;
  return { client, sent };
}
const target = { bucket: 'b', region: 'eu-west-1', endpoint: null, prefix: 'p/', sse: 'AES256' as const };

describe('S3 bucket check', () => {
  it('heads the bucket, lists the prefix, writes a probe, reads it back and deletes it', async () => {
    const { client, sent } = fakeClient();
    await checkBucket(client, target);
    expect(sent.map((s) => s.command)).toEqual(['HeadBucketCommand', 'ListObjectsV2Command', 'PutObjectCommand', 'GetObjectCommand', 'DeleteObjectCommand']);
    expect(sent[1]!.input).toMatchObject({ Bucket: 'b', Prefix: 'p/', MaxKeys: 1 });
    expect(String(sent[2]!.input.Key)).toMatch(/^p\/\.provenance-probe-[0-9a-f]{12}$/);
    expect(sent[4]!.input.Key).toBe(sent[2]!.input.Key);
  });

  it('deletes the probe even when it reads back differently, and says the bucket did not keep it', async () => {
    const { client, sent } = fakeClient({}, (b) => Buffer.concat([b, Buffer.from('x')]));
    const e = await checkBucket(client, target).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BucketCheckError);
    expect((e as BucketCheckError).step).toBe('write');
    expect(sent.at(-1)!.command).toBe('DeleteObjectCommand');
    expect(describeBucketCheck(e as BucketCheckError).message).toBe('the bucket "b" did not keep a test object as written; check that it is writable and not read-only');
  });

  it('a refused HEAD is asked again as a GET listing, whose error code says why', async () => {
    const { client, sent } = fakeClient({ HeadBucketCommand: sdkError('Forbidden', 403), ListObjectsV2Command: sdkError('InvalidAccessKeyId', 403) });
    const e = (await checkBucket(client, target).catch((x: unknown) => x)) as BucketCheckError;
    expect(sent.map((s) => s.command)).toEqual(['HeadBucketCommand', 'ListObjectsV2Command']);
    expect(describeBucketCheck(e)).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'backend.accessKeyId', message: expect.stringContaining('does not accept this access key id') });
  });

  it('every reason in words an admin can act on, with the field to fix', () => {
    const say = (step: BucketCheckStep, cause: unknown, bucketRegion?: string) => describeBucketCheck(new BucketCheckError({ bucket: 'b', region: 'eu-west-1', endpoint: null }, step, cause, bucketRegion));
    expect(say('bucket', sdkError('NotFound', 404))).toMatchObject({ field: 'backend.bucket', message: 'there is no bucket "b" in AWS region "eu-west-1"; create it first or fix the bucket name' });
    expect(say('bucket', sdkError('PermanentRedirect', 301), 'us-east-2')).toMatchObject({
      field: 'backend.region',
      message: 'the bucket "b" is not in region "eu-west-1" (S3 says it is in "us-east-2"); set the region the bucket was created in, or the endpoint of your S3-compatible service',
    });
    expect(say('bucket', sdkError('AuthorizationHeaderMalformed', 400))).toMatchObject({ field: 'backend.region' });
    expect(say('bucket', sdkError('AccessDenied', 403))).toMatchObject({ field: 'backend.accessKeyId', message: expect.stringContaining('access to the bucket "b" is denied') });
    expect(say('list', sdkError('AccessDenied', 403))).toMatchObject({ field: 'backend.accessKeyId', message: expect.stringContaining('s3:ListBucket') });
    expect(say('write', sdkError('AccessDenied', 403))).toMatchObject({
      code: 'PRECONDITION_FAILED',
      field: 'backend.accessKeyId',
      message: 'the bucket "b" can be listed but not written with this access key; allow s3:PutObject, s3:GetObject and s3:DeleteObject on it',
    });
    expect(say('timeout', Object.assign(new Error('aborted'), { name: 'AbortError' }))).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'backend.endpoint', message: expect.stringContaining('did not answer within 10 s') });
    expect(say('bucket', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'backend.endpoint' });
    // Never an S3 body or code in the sentence.
    // Whatever S3 answered, a refused check is a 4xx: the settings are refused, the app did not fail (never a 5xx).
    expect(say('bucket', sdkError('InternalError', 500)).code).toBe('PRECONDITION_FAILED');
    expect(say('bucket', sdkError('InternalError', 500)).message).toBe('S3 did not accept the check of the bucket "b" in AWS region "eu-west-1"; check the endpoint, region and bucket name');
  });
});
