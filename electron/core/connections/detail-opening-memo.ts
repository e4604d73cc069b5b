import type { Clock } from '../ports';

/** How many openings are remembered, and for how long: past either, an opening's next read is recorded again. */
export const OPENING_MEMO_MAX = 5_000;
export const OPENING_MEMO_TTL_MS = 30 * 60_000;

export type DetailOpeningMemo = {
  /** True when `key` (actor + connection + opening) had a recorded access that is still remembered. */
  seen(key: string): boolean;
  /** Remembers that an access was recorded for `key`; call only once the record is committed. */
  remember(key: string): void;
};

/**
 * The openings of a connection's detail view whose access is already in the audit log, so a reload of the same
 * opening (after a test, a save, a push) is not recorded again.
 *
 * What must stay true: forgetting is always safe (the next read is recorded again), remembering too much is not.
 * So the memo is bounded (oldest dropped first), entries expire, and it lives in memory only: a restart forgets all.
 * Expiry counts from the recorded access, not from the last reload, so a view kept open all day is recorded again
 * every TTL.
 */
export function createDetailOpeningMemo(clock: Clock, max = OPENING_MEMO_MAX, ttlMs = OPENING_MEMO_TTL_MS): DetailOpeningMemo {
  // Insertion order is expiry order (every entry lives ttlMs, and a renewed entry is moved to the end).
  const expiries = new Map<string, number>();
  const sweep = (now: number) => {
    for (const [key, expiresAt] of expiries) {
      if (expiresAt > now) break;
      expiries.delete(key);
    }
  };
  return {
    seen(key) {
      sweep(clock.now().getTime());
      return expiries.has(key);
    },
    remember(key) {
      const now = clock.now().getTime();
      sweep(now);
      expiries.delete(key);
      expiries.set(key, now + ttlMs);
      while (expiries.size > max) {
        const oldest = expiries.keys().next();
        if (oldest.done) break;
        expiries.delete(oldest.value);
      }
    },
  };
}
