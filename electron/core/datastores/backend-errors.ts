import { diskFullCode, isBusyError } from '../db/storage-errors';
import { AppError, BUSY_MESSAGE, storageFull } from '../errors';
import { RESUME_UNAVAILABLE } from './backends/backend-port';
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
