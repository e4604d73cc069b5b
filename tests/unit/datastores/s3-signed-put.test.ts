import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { encodeKey, learnTarget, PROBE_KEY } from '@core/datastores/backends/s3-signed-put';

const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const presign = (client: S3Client, Bucket: string, Key: string) => getSignedUrl(client, new PutObjectCommand({ Bucket, Key }), { expiresIn: 60 });

const KEYS = [
  'plain.csv',
  'a/b/c.txt',
  "reports/Q1 2026 (final)/ü€ a+b=c & d's #1 ~!*.csv",
  'spaces  and%20percent/%/x',
  'trailing/',
  '日本語/ファイル.txt',
  PROBE_KEY,
];

describe('signed PUT targets and keys', () => {
  it.each([
    ['a custom endpoint, path style', { endpoint: 'http://127.0.0.1:4568', forcePathStyle: true }, 'http://127.0.0.1:4568', '/bucket/'],
    ['a custom endpoint with a base path', { endpoint: 'https://storage.example.com/s3', forcePathStyle: true }, 'https://storage.example.com', '/s3/bucket/'],
    ['AWS, virtual-hosted', {}, 'https://bucket.s3.eu-west-1.amazonaws.com', '/'],
  ])('encodes every key as the SDK does, and learns the target of %s', async (_name, extra, origin, basePath) => {
    const client = new S3Client({ region: 'eu-west-1', credentials: creds, ...extra });
    for (const key of KEYS) {
      const u = new URL(await presign(client, 'bucket', key));
      expect(`${u.origin}${u.pathname}`).toBe(`${origin}${basePath}${encodeKey(key)}`);
    }
    const target = learnTarget(await presign(client, 'bucket', `pre fix/${PROBE_KEY}`), `pre fix/${PROBE_KEY}`);
    expect(target).toMatchObject({ basePath, region: 'eu-west-1', service: 's3', protocol: new URL(origin).protocol, host: new URL(origin).host });
    client.destroy();
  });

  it('does not trust a URL it cannot account for: another key, temporary credentials', async () => {
    const client = new S3Client({ region: 'us-east-1', credentials: creds, endpoint: 'http://127.0.0.1:4568', forcePathStyle: true });
    expect(learnTarget(await presign(client, 'bucket', 'other'), PROBE_KEY)).toBeNull();
    const withToken = new S3Client({ region: 'us-east-1', credentials: { ...creds, sessionToken: 'token' }, endpoint: 'http://127.0.0.1:4568', forcePathStyle: true });
    expect(learnTarget(await presign(withToken, 'bucket', PROBE_KEY), PROBE_KEY)).toBeNull();
    client.destroy();
    withToken.destroy();
  });
});
