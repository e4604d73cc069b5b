import { AppError, storageFull } from '../errors';

/**
 * Backend failures as errors that say what to do, and never echo a provider body or credential. `ds` names the
 * datastore in the message; its backend type tells a missing folder from a missing endpoint.
 */
export function describeBackendError(e: unknown, ds: { name: string; backendType: 'filesystem' | 's3' }): AppError {
  if (e instanceof AppError) return e;
  const err = e as { code?: string; name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const where = `datastore "${ds.name}"`;
  if (err.name === 'AbortError' || err.code === 'ABORT_ERR') return new AppError('CONFLICT', 'the upload was cancelled; nothing was stored');
  // 507 like every other full disk (the error mapper logs it once); the message names the datastore.
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') return storageFull(`the disk holding ${where} is full; free some space and upload again`);
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
