import type { Clock } from '../ports';

/**
 * Sign-in attempts per (username, client IP). After `maxFailures` attempts inside `windowMs` that were not a success,
 * that pair is locked for `lockMs`, and every attempt meanwhile (even with the right password) is refused: guessing
 * gets nowhere. Kept in memory: a restart clears it, which costs an attacker a restart of the app they do not control.
 *
 * What must stay true: an attempt is counted by `reserve()` synchronously, BEFORE its password is checked (scrypt is
 * asynchronous). A burst of parallel sign-ins therefore gets at most `maxFailures` passwords checked per pair and lock
 * window; the rest are refused at once. A reserved attempt counts as a failure until `succeeded()` clears the pair,
 * so a sign-in that fails (or throws) needs no second call. A success clears the whole pair (the user's earlier typos
 * are forgiven, as before): attempts that arrive after it start a new count, which tells a guesser nothing the right
 * password did not already give away.
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

  /**
   * Claims one attempt for the pair before its password is checked. Returns 0 when the attempt may go ahead (it is
   * now counted as a failure until `succeeded`), otherwise the seconds until the pair may try again (nothing counted).
   */
  function reserve(key: string): number {
    const wait = retryAfter(key);
    if (wait > 0) return wait;
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
    return 0;
  }

  /** The reserved attempt had the right password: the pair starts over (its lock, if the attempt set it, goes too). */
  const succeeded = (key: string) => void state.delete(key);

  /** How many pairs are remembered (the memory bound above is a property tests check). */
  const trackedPairs = () => state.size;

  return { retryAfter, reserve, succeeded, trackedPairs };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
