/**
 * What storage failures look like when they reach the error mapper (handlers/dispatch.ts `toIpcError`), and the
 * retry loop background work uses when the database is busy. Kept here, below every capability, so the one mapper,
 * the scheduler and the stores' callers recognise the same errors.
 *
 * - Disk full: SQLite's SQLITE_FULL ("database or disk is full": the WAL or the database could not grow) and a Node
 *   fs write's ENOSPC (no space) or EDQUOT (over the user's quota). Both mean the same to an admin: free some space.
 * - Busy: SQLITE_BUSY and its extended codes (BUSY_SNAPSHOT, BUSY_RECOVERY, BUSY_TIMEOUT): another connection, i.e.
 *   another app process on the same data dir, held the write lock for longer than the busy timeout.
 *
 * The cause chain (`error.cause`) is followed, so a library that wraps the fs error still maps to the same answer.
 */

/** Error codes only (never a message: SQLite and fs messages may quote paths or SQL). */
function codesOf(e: unknown): string[] {
  const codes: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    cur = (cur as { cause?: unknown }).cause;
  }
  return codes;
}

const FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/** SQLITE_FULL, ENOSPC or EDQUOT anywhere in the cause chain: the code that says so, else null. */
export function diskFullCode(e: unknown): string | null {
  return codesOf(e).find((c) => FULL.has(c)) ?? null;
}

/** SQLITE_BUSY (or one of its extended codes) anywhere in the cause chain. */
export function isBusyError(e: unknown): boolean {
  return codesOf(e).some((c) => c === 'SQLITE_BUSY' || c.startsWith('SQLITE_BUSY_'));
}

export type BusyRetryOptions = {
  /** Give up (rethrow the busy error) after this long; default 10 s. */
  deadlineMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told before each wait (diagnostics: a debug log line; tests wait on it instead of sleeping). */
  onBusy?: (attempt: number) => void;
};

/**
 * Runs `fn` (a synchronous store call or transaction) and, while it fails with SQLITE_BUSY, waits a little WITHOUT
 * blocking the event loop and runs it again, until the deadline. For background work and commits that must not be
 * lost (a rotated refresh token, a scheduled rotation's claim), never for a request a person is waiting on: those
 * answer 503 with Retry-After instead.
 *
 * What must stay true: `fn` is all-or-nothing (one transaction, or one statement), so running it again after a busy
 * failure cannot apply anything twice: SQLite rolled the failed attempt back.
 */
export async function retryWhenBusy<T>(fn: () => T, opts: BusyRetryOptions = {}): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + (opts.deadlineMs ?? 10_000);
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (e) {
      if (!isBusyError(e) || now() >= deadline) throw e;
      opts.onBusy?.(attempt);
      // 10, 20, 40 … 200 ms, with jitter so two processes do not retry in step.
      await sleep(Math.min(200, 10 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}
