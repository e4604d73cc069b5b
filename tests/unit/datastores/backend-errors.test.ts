import { describe, expect, it } from 'vitest';
import { describeBackendError } from '@core/datastores/backend-errors';

const fsDs = { name: 'Reports', backendType: 'filesystem' } as const;
const s3Ds = { name: 'Bucket', backendType: 's3' } as const;
const err = (props: Record<string, unknown>) => Object.assign(new Error('raw provider text with a body'), props);

describe('backend failures say what to do', () => {
  it.each([
    [err({ code: 'ENOSPC' }), fsDs, 'STORAGE_FULL', 'disk holding datastore "Reports" is full'],
    [err({ code: 'EACCES' }), fsDs, 'UNAVAILABLE', 'permissions'],
    [err({ code: 'ENOENT' }), fsDs, 'UNAVAILABLE', 'folder of datastore "Reports" is missing'],
    [err({ code: 'ECONNREFUSED' }), s3Ds, 'UNAVAILABLE', 'S3 endpoint of datastore "Bucket" is unreachable'],
    [err({ name: 'TimeoutError' }), s3Ds, 'UNAVAILABLE', 'unreachable'],
    [err({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } }), s3Ds, 'PRECONDITION_FAILED', 'refused the credentials'],
    [err({ name: 'NoSuchBucket' }), s3Ds, 'PRECONDITION_FAILED', 'bucket of datastore "Bucket" does not exist'],
    [err({ name: 'AbortError' }), s3Ds, 'CONFLICT', 'cancelled; nothing was stored'],
    [err({ name: 'ResumeUnavailable' }), s3Ds, 'CONFLICT', 'is gone from S3 and cannot be continued; send the whole body from 0'],
  ])('%o → %s', (e, ds, code, text) => {
    const out = describeBackendError(e, ds);
    expect(out.code).toBe(code);
    expect(out.message).toContain(text);
    expect(out.message).not.toContain('raw provider text');
  });
});

describe('a full disk is 507 wherever in the datastores it is found (issue 14, item 7)', () => {
  it.each([
    [err({ code: 'SQLITE_FULL' }), 'STORAGE_FULL'],
    [err({ code: 'EDQUOT' }), 'STORAGE_FULL'],
    [new Error('wrapped', { cause: err({ code: 'ENOSPC' }) }), 'STORAGE_FULL'],
    [err({ code: 'SQLITE_BUSY' }), 'BUSY'],
  ])('%o → %s, never 503 UNAVAILABLE', (e, code) => {
    const out = describeBackendError(e, fsDs);
    expect(out.code).toBe(code);
    expect(out.message).not.toContain('raw provider text');
  });
});
