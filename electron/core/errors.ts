import type { ErrorCode } from '@shared/ipc/result';

/**
 * The one error type services throw. Its message is shown to the admin, so it must say what to do and must
 * never contain a secret value, a credential or a provider response body.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    /** Seconds until a RATE_LIMITED or BUSY call may be retried. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalid = (message: string, field?: string) => new AppError('INVALID_INPUT', message, field);
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (message: string) => new AppError('FORBIDDEN', message);
export const conflict = (message: string, field?: string) => new AppError('CONFLICT', message, field);

/** What a caller is told when a write found the data folder's disk full (SQLITE_FULL, ENOSPC): 507. */
export const STORAGE_FULL_MESSAGE = "the data folder's disk is full: free some space and try again";
/** For code that catches a full disk itself: the same answer the error mapper gives a raw SQLITE_FULL or ENOSPC. */
export const storageFull = (message = STORAGE_FULL_MESSAGE) => new AppError('STORAGE_FULL', message);
/** What a caller is told when another app process kept the database locked past the busy timeout: 503, Retry-After 1. */
export const BUSY_MESSAGE = 'the database is busy with another ProvenanceOne process on this data folder; try again in a moment';

/** Exhaustive switches end here (Signal's missingCaseError). */
export function missingCase(x: never): never {
  throw new Error(`unhandled case: ${String(x)}`);
}
