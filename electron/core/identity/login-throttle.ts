import type { Clock } from '../ports';

/**
 * Failed sign-ins per (username, client IP). After `maxFailures` failures inside `windowMs` that pair is locked
 * for `lockMs`, and every attempt meanwhile (even with the right password) is refused: guessing gets nowhere.
 * Kept in memory: a restart clears it, which costs an attacker a restart of the app they do not control.
 */
export function createLoginThrottle(deps: { clock: Clock; maxFailures?: number; windowMs?: number; lockMs?: number }) {
  const maxFailures = deps.maxFailures ?? 5;
  const windowMs = deps.windowMs ?? 15 * 60_000;
  const lockMs = deps.lockMs ?? 5 * 60_000;
  const state = new Map<string, { failures: number[]; lockedUntil: number }>();
  const now = () => deps.clock.now().getTime();

  /** Seconds to wait before this pair may try again; 0 = may try now. */
  function retryAfter(key: string): number {
    const s = state.get(key);
    if (!s) return 0;
    const left = s.lockedUntil - now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  function failed(key: string): void {
    const t = now();
    const s = state.get(key) ?? { failures: [], lockedUntil: 0 };
    s.failures = s.failures.filter((x) => t - x < windowMs);
    s.failures.push(t);
    if (s.failures.length >= maxFailures) {
      s.lockedUntil = t + lockMs;
      s.failures = [];
    }
    state.set(key, s);
    // Bound memory under a spray of usernames: forget pairs with nothing recent.
    if (state.size > 10_000) for (const [k, v] of state) if (v.lockedUntil < t && v.failures.every((x) => t - x >= windowMs)) state.delete(k);
  }

  const succeeded = (key: string) => void state.delete(key);

  return { retryAfter, failed, succeeded };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
