import { diskFullCode, isBusyError } from '../db/storage-errors';
import { AppError, BUSY_MESSAGE, storageFull } from '../errors';
import { RESUME_UNAVAILABLE } from './backends/backend-port';
import { BUCKET_CHECK_TIMEOUT_MS, BucketCheckError } from './backends/s3-bucket-check-error';
import { FS_TIMEOUT_CODE, FS_TIMEOUT_MS } from './backends/bounded-fs';

/**
 * Backend failures as errors that say what to do, and never echo a provider body or credential. `ds` names the
 * datastore in the message; its backend type tells a missing folder from a missing endpoint.
 *
 * What must stay true: a full disk is 507 STORAGE_FULL whatever reported it (an fs write's ENOSPC or EDQUOT, or
 * SQLite's SQLITE_FULL when the object's row is committed; anywhere in the cause chain), and a database busy in
 * another process is 503 BUSY with Retry-After, as the error mapper answers them everywhere else.
 */
export function describeBackendError(e: unknown, ds: { name: string; backendType: 'filesystem' | 's3' }): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof BucketCheckError) return describeBucketCheck(e);
  const err = e as { code?: string; name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const where = `datastore "${ds.name}"`;
  if (err.name === 'AbortError' || err.code === 'ABORT_ERR') return new AppError('CONFLICT', 'the upload was cancelled; nothing was stored');
  // S3 no longer has the parts a resumed upload was to continue (aborted or expired there): start again from 0.
  if (err.name === RESUME_UNAVAILABLE) {
    return new AppError('CONFLICT', `the interrupted upload to ${where} is gone from S3 and cannot be continued; send the whole body from 0`, 'x-upload-offset');
  }
  // 507 like every other full disk (the error mapper logs it once); the message names the datastore.
  const full = diskFullCode(e);
  // SQLITE_FULL: the data folder's disk (the database) is the full one, whichever disk holds the datastore.
  if (full === 'SQLITE_FULL') return storageFull();
  if (full !== null) return storageFull(`the disk holding ${where} is full; free some space and upload again`);
  if (isBusyError(e)) return new AppError('BUSY', BUSY_MESSAGE, undefined, 1);
  if (err.code === FS_TIMEOUT_CODE) {
    return new AppError('UNAVAILABLE', `the folder of ${where} did not answer within ${FS_TIMEOUT_MS / 1000} s; is it on a network mount that stalled?`);
  }
  if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') {
    return new AppError('UNAVAILABLE', `${where} cannot write to its folder; check the folder's permissions`);
  }
  if (err.code === 'ENOENT' && ds.backendType === 'filesystem') return new AppError('UNAVAILABLE', `the folder of ${where} is missing; was it moved or unmounted?`);
  const net = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH'];
  if ((err.code && net.includes(err.code)) || err.name === 'TimeoutError' || net.some((c) => err.message?.includes(c))) {
    return new AppError('UNAVAILABLE', `the S3 endpoint of ${where} is unreachable; check the endpoint URL and your network, then use Test`);
  }
  if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden'].includes(err.name ?? '') || err.$metadata?.httpStatusCode === 403) {
    return new AppError('PRECONDITION_FAILED', `S3 refused the credentials of ${where}; check the access key id, secret and bucket policy`);
  }
  if (err.name === 'NoSuchBucket') return new AppError('PRECONDITION_FAILED', `the bucket of ${where} does not exist; create it or fix the bucket name`);
  return new AppError('UNAVAILABLE', `${where} could not complete the operation (${err.name ?? err.code ?? 'error'}); use Test to check the backend`);
}

const REGION_ERRORS = ['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'InvalidRegion'];
const KEY_ERRORS = ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken'];
const NET_ERRORS = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH'];

/**
 * A failed bucket check (creating an S3 datastore, or its Test) in the words an admin can act on: no such bucket,
 * wrong region or endpoint, key not accepted, access denied, readable but not writable, endpoint unreachable. The
 * field says which input to fix. Never an S3 response body or a credential. Always a 4xx (PRECONDITION_FAILED), even
 * for an endpoint that does not answer: the check refuses the settings given (nothing is created), and a 5xx is kept
 * for the app's own failures.
 */
export function describeBucketCheck(e: BucketCheckError): AppError {
  const { bucket, region, endpoint } = e.target;
  const at = endpoint ? `at ${endpoint}` : `in AWS region "${region}"`;
  const err = e.cause as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = err.name ?? '';
  const http = err.$metadata?.httpStatusCode;
  if (e.step === 'timeout') {
    return new AppError('PRECONDITION_FAILED', `the S3 endpoint ${endpoint ?? `of AWS region "${region}"`} did not answer within ${BUCKET_CHECK_TIMEOUT_MS / 1000} s; check the endpoint URL and your network`, 'backend.endpoint');
  }
  if ((err.code && NET_ERRORS.includes(err.code)) || NET_ERRORS.some((c) => err.message?.includes(c))) {
    return new AppError('PRECONDITION_FAILED', `the S3 endpoint ${endpoint ?? `of AWS region "${region}"`} is unreachable; check the endpoint URL and your network`, 'backend.endpoint');
  }
  if (REGION_ERRORS.includes(code) || http === 301 || (e.bucketRegion && e.bucketRegion !== region)) {
    const actual = e.bucketRegion && e.bucketRegion !== region ? ` (S3 says it is in "${e.bucketRegion}")` : '';
    return new AppError('PRECONDITION_FAILED', `the bucket "${bucket}" is not in region "${region}"${actual}; set the region the bucket was created in, or the endpoint of your S3-compatible service`, 'backend.region');
  }
  if (code === 'NoSuchBucket' || code === 'NotFound' || http === 404) {
    return new AppError('PRECONDITION_FAILED', `there is no bucket "${bucket}" ${at}; create it first or fix the bucket name`, 'backend.bucket');
  }
  if (KEY_ERRORS.includes(code)) {
    return new AppError('PRECONDITION_FAILED', 'S3 does not accept this access key id and secret access key; check both (and that the key is active)', 'backend.accessKeyId');
  }
  if (code === 'AccessDenied' || code === 'Forbidden' || http === 403) {
    return e.step === 'write'
      ? new AppError('PRECONDITION_FAILED', `the bucket "${bucket}" can be listed but not written with this access key; allow s3:PutObject, s3:GetObject and s3:DeleteObject on it`, 'backend.accessKeyId')
      : new AppError('PRECONDITION_FAILED', `access to the bucket "${bucket}" is denied for this access key; allow s3:ListBucket (and object reads and writes) in the bucket or key policy`, 'backend.accessKeyId');
  }
  if (e.step === 'write') {
    return new AppError('PRECONDITION_FAILED', `the bucket "${bucket}" did not keep a test object as written; check that it is writable and not read-only`, 'backend.bucket');
  }
  return new AppError('PRECONDITION_FAILED', `S3 did not accept the check of the bucket "${bucket}" ${at}; check the endpoint, region and bucket name`, 'backend.bucket');
}
