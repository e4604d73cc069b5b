/**
 * The CLI's one error type and its exit codes (issue #16): 2 usage, 3 not found, 4 permission, 5 vault locked,
 * 1 otherwise. `code` is the API's error code (or the CLI's own, e.g. USAGE, UNREACHABLE); `message` never holds a
 * secret value (callers build it from names and ids only).
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3, permission: 4, vaultLocked: 5 } as const;

export function exitCodeFor(code: string): number {
  switch (code) {
    case 'USAGE':
    case 'INVALID_INPUT':
      return EXIT.usage;
    case 'NOT_FOUND':
      return EXIT.notFound;
    case 'FORBIDDEN':
    case 'UNAUTHENTICATED':
      return EXIT.permission;
    case 'VAULT_LOCKED':
      return EXIT.vaultLocked;
    default:
      return EXIT.failure;
  }
}

export const usage = (message: string) => new CliError('USAGE', message);

/** `error CODE: message` on one line: newlines in a server's message are flattened so scripts can grep it. */
export function formatError(e: unknown): { line: string; exitCode: number } {
  if (e instanceof CliError) return { line: `error ${e.code}: ${e.message.replace(/\s*\n\s*/g, ' ')}`, exitCode: exitCodeFor(e.code) };
  // Anything else is ours to fix; its text is a library's and may quote input, so only its kind is shown.
  const kind = e instanceof Error ? e.name : typeof e;
  return { line: `error INTERNAL: the CLI failed unexpectedly (${kind})`, exitCode: EXIT.failure };
}
