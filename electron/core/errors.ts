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
    /** Seconds until a RATE_LIMITED call may be retried. */
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

/** Exhaustive switches end here (Signal's missingCaseError). */
export function missingCase(x: never): never {
  throw new Error(`unhandled case: ${String(x)}`);
}
