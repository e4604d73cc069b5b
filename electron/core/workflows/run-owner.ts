import { randomBytes } from 'node:crypto';

/**
 * Who runs a run: `<pid>:<boot token>`, a new token per core. A `running` run is interrupted (its process died) when:
 * - its pid is not alive (process.kill(pid, 0) answers ESRCH): the common case, found at the next start at once;
 * - its pid is this process's but the token is no live core of this process (an earlier core of this process closed,
 *   or the pid was reused by this very process after a restart);
 * - or its heartbeat is older than `staleAfterMs`: the pid was reused by another program, which would otherwise keep
 *   the run "alive" for ever. A live owner refreshes its heartbeat every few seconds, so two live processes never
 *   mark each other's runs (the stale limit is several heartbeat intervals).
 * The run's own data dir is local (a lock is per machine), so pids are comparable.
 */
const liveTokens = new Set<string>();

export function createRunOwner() {
  const token = randomBytes(9).toString('base64url');
  liveTokens.add(token);
  const id = `${process.pid}:${token}`;
  return {
    id,
    /** Whether the owner of a run may still be running it (see above); `heartbeatAgeMs` null when never beaten. */
    mayBeAlive(owner: string | null, heartbeatAgeMs: number | null, staleAfterMs: number): boolean {
      if (!owner) return false;
      if (owner === id) return true;
      const [pidText, tok] = owner.split(':');
      const pid = Number(pidText);
      if (!Number.isInteger(pid) || pid <= 0 || !tok) return false;
      if (pid === process.pid) return liveTokens.has(tok);
      try {
        process.kill(pid, 0);
      } catch (e) {
        // EPERM: a process we may not signal exists (not ours, so the pid was reused): fall through to the heartbeat.
        if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
      }
      return heartbeatAgeMs === null || heartbeatAgeMs <= staleAfterMs;
    },
    release(): void {
      liveTokens.delete(token);
    },
  };
}
export type RunOwner = ReturnType<typeof createRunOwner>;
