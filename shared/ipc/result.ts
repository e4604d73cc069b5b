/**
 * The envelope every IPC / console call returns. Errors travel as data (Podman Desktop's lesson): a thrown
 * Error loses its code crossing Electron's IPC, and the renderer would only see "Error invoking remote method".
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'VAULT_LOCKED',
  'KEYCHAIN_UNAVAILABLE',
  'PRECONDITION_FAILED',
  'INTEGRITY_FAILED',
  'UNAVAILABLE',
  'BUSY',
  'STORAGE_FULL',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** retryAfter (seconds) comes with RATE_LIMITED and BUSY; REST and the console bridge send it as the Retry-After header too. */
export type IpcError = { code: ErrorCode; message: string; field?: string; retryAfter?: number };
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export const ok = <T>(value: T): IpcResult<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, field?: string): IpcResult<never> => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});

/** HTTP status for each code; the REST API and the console bridge both use it. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  VAULT_LOCKED: 423,
  KEYCHAIN_UNAVAILABLE: 503,
  PRECONDITION_FAILED: 412,
  INTEGRITY_FAILED: 500,
  UNAVAILABLE: 503,
  // Another app process holds the database's write lock: try again (Retry-After: 1).
  BUSY: 503,
  // The data folder's disk is full (SQLITE_FULL, ENOSPC): 507 Insufficient Storage.
  STORAGE_FULL: 507,
  INTERNAL: 500,
};
