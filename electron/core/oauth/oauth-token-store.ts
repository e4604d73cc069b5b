import type { OAuthProvider } from '@shared/domain/oauth';
import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

/** The refresh state of an OAuth connection's tokens. */
export type RefreshState = 'ok' | 'offline' | 'error';

/**
 * A connection's token bookkeeping as stored. The refresh token only ever as a vault ciphertext; the access token is
 * never stored. Times are epoch milliseconds.
 */
export type StoredToken = {
  connectionId: string;
  workspaceId: string;
  provider: OAuthProvider;
  refreshSealed: Buffer | null;
  /** Bumped on every refresh-token change; a process compares it to know a sibling rotated the token. */
  generation: number;
  tokenExpiresAt: number | null;
  lifetimeS: number | null;
  lastRefreshAt: number | null;
  nextRefreshAt: number | null;
  refreshState: RefreshState;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  lastErrorAt: number | null;
  refreshesOk: number;
  refreshesFailed: number;
  attempts: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
};

/** What a new token grant sets (consent, or a refresh that succeeded). */
export type TokenGrant = {
  connectionId: string;
  /** null keeps the stored refresh token (the provider did not rotate it). */
  refreshSealed: Buffer | null;
  generation: number;
  tokenExpiresAt: number | null;
  lifetimeS: number | null;
  nextRefreshAt: number | null;
  now: number;
};

/** Per provider, for the health panel. `inError` counts connections whose status is error. */
export type ProviderTokenStats = { provider: OAuthProvider; n: number; ok: number; failed: number; inError: number; offline: number; next: number | null };
export type UpcomingRefresh = { connectionId: string; name: string; provider: OAuthProvider; next: number };
/** A token row whose refresh is due, with its connection's status (paused ones are deferred, not refreshed). */
export type DueRefresh = { connectionId: string; workspaceId: string; status: string };

/**
 * OAuth token bookkeeping's persistence: every SQL statement on `oauth_tokens`, behind typed methods, including the
 * cross-process refresh lease (a conditional UPDATE is what makes it single-flight across processes on one data dir).
 * Token rows belong to a connection (foreign key, ON DELETE CASCADE): the health and due-refresh queries read their
 * connection's name and status by joining `connections` (read-only), so one scheduler tick stays one indexed query
 * over thousands of rows (bench/oauth-rotation.bench.ts). No access checks here: the token service does them.
 * A second engine implements this same interface; all of it is synchronous today.
 */
export function createOAuthTokenStore(db: Db) {
  type Row = {
    connection_id: string;
    workspace_id: string;
    provider: OAuthProvider;
    refresh_sealed: Buffer | null;
    generation: number;
    token_expires_at: number | null;
    lifetime_s: number | null;
    last_refresh_at: number | null;
    next_refresh_at: number | null;
    refresh_state: RefreshState;
    last_error_code: string | null;
    last_error_message: string | null;
    last_error_at: number | null;
    refreshes_ok: number;
    refreshes_failed: number;
    attempts: number;
    lease_owner: string | null;
    lease_expires_at: number | null;
  };
  const toStored = (r: Row): StoredToken => ({
    connectionId: r.connection_id,
    workspaceId: r.workspace_id,
    provider: r.provider,
    refreshSealed: r.refresh_sealed,
    generation: r.generation,
    tokenExpiresAt: r.token_expires_at,
    lifetimeS: r.lifetime_s,
    lastRefreshAt: r.last_refresh_at,
    nextRefreshAt: r.next_refresh_at,
    refreshState: r.refresh_state,
    lastErrorCode: r.last_error_code,
    lastErrorMessage: r.last_error_message,
    lastErrorAt: r.last_error_at,
    refreshesOk: r.refreshes_ok,
    refreshesFailed: r.refreshes_failed,
    attempts: r.attempts,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
  });

  /** A grant as the named parameters both the consent upsert and a refresh write. */
  const grantParams = (g: TokenGrant) => ({
    id: g.connectionId,
    sealed: g.refreshSealed,
    generation: g.generation,
    expiresAt: g.tokenExpiresAt,
    lifetime: g.lifetimeS,
    now: g.now,
    next: g.nextRefreshAt,
  });

  const byId = db.prepare('SELECT * FROM oauth_tokens WHERE connection_id = ?');
  const connectionExists = db.prepare('SELECT 1 FROM connections WHERE id = ?');
  const takeLease = db.prepare(
    `UPDATE oauth_tokens SET lease_owner = @me, lease_expires_at = @until
     WHERE connection_id = @id AND (lease_owner IS NULL OR lease_owner = @me OR lease_expires_at < @now OR lease_owner = @stale)`,
  );
  const releaseLease = db.prepare('UPDATE oauth_tokens SET lease_owner = NULL, lease_expires_at = NULL WHERE connection_id = ? AND lease_owner = ?');
  const upsertAuthorization = db.prepare(
    `INSERT INTO oauth_tokens (connection_id, workspace_id, provider, refresh_sealed, generation, token_expires_at, lifetime_s, last_refresh_at,
       next_refresh_at, refresh_state, updated_at)
     VALUES (@id, @ws, @provider, @sealed, @generation, @expiresAt, @lifetime, @now, @next, 'ok', @now)
     ON CONFLICT (connection_id) DO UPDATE SET refresh_sealed = @sealed, generation = @generation, token_expires_at = @expiresAt,
       lifetime_s = @lifetime, last_refresh_at = @now, next_refresh_at = @next, refresh_state = 'ok', last_error_code = NULL,
       last_error_message = NULL, last_error_at = NULL, attempts = 0, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now`,
  );
  const refreshed = db.prepare(
    `UPDATE oauth_tokens SET refresh_sealed = COALESCE(@sealed, refresh_sealed), generation = @generation, token_expires_at = @expiresAt,
       lifetime_s = @lifetime, last_refresh_at = @now, next_refresh_at = @next, refresh_state = 'ok', last_error_code = NULL,
       last_error_message = NULL, last_error_at = NULL, refreshes_ok = refreshes_ok + 1, attempts = 0, lease_owner = NULL,
       lease_expires_at = NULL, updated_at = @now WHERE connection_id = @id`,
  );
  const failed = db.prepare(
    `UPDATE oauth_tokens SET refresh_state = 'error', last_error_code = ?, last_error_message = ?, last_error_at = ?, next_refresh_at = NULL,
       refreshes_failed = refreshes_failed + 1, attempts = 0, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE connection_id = ?`,
  );
  const offline = db.prepare(
    `UPDATE oauth_tokens SET refresh_state = 'offline', last_error_code = 'offline', last_error_message = ?, last_error_at = ?,
       next_refresh_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE connection_id = ? AND lease_owner = ?`,
  );
  const statsByProvider = db.prepare(
    `SELECT t.provider AS provider, COUNT(*) AS n, SUM(t.refreshes_ok) AS ok, SUM(t.refreshes_failed) AS failed,
       SUM(CASE WHEN c.status = 'error' THEN 1 ELSE 0 END) AS inError, SUM(CASE WHEN t.refresh_state = 'offline' THEN 1 ELSE 0 END) AS offline,
       MIN(t.next_refresh_at) AS next
     FROM oauth_tokens t JOIN connections c ON c.id = t.connection_id WHERE t.workspace_id = ? GROUP BY t.provider`,
  );
  const upcoming = db.prepare(
    `SELECT t.connection_id AS connectionId, c.name AS name, t.provider AS provider, t.next_refresh_at AS next FROM oauth_tokens t
     JOIN connections c ON c.id = t.connection_id WHERE t.workspace_id = ? AND t.next_refresh_at IS NOT NULL ORDER BY t.next_refresh_at LIMIT ?`,
  );
  const due = db.prepare(
    `SELECT t.connection_id AS connectionId, t.workspace_id AS workspaceId, c.status AS status FROM oauth_tokens t JOIN connections c ON c.id = t.connection_id
     WHERE t.next_refresh_at IS NOT NULL AND t.next_refresh_at <= @now AND (t.lease_owner IS NULL OR t.lease_expires_at < @wall)
     ORDER BY t.next_refresh_at LIMIT @limit`,
  );
  const defer = db.prepare('UPDATE oauth_tokens SET next_refresh_at = ? WHERE connection_id = ?');

  return {
    // transaction(fn) / immediate(fn): the one way transactions open (a savepoint when one is already open).
    ...createTransactor(db),

    get(connectionId: string): StoredToken | undefined {
      const r = byId.get(connectionId) as Row | undefined;
      return r ? toStored(r) : undefined;
    },

    /** Whether the connection a token row would belong to exists at all (to tell "not found" from "not authorized yet"). */
    connectionExists(connectionId: string): boolean {
      return connectionExists.get(connectionId) !== undefined;
    },

    /**
     * Takes the refresh lease when it is free, already ours, expired (wall time `now`), or held by `staleOwner` (a
     * holder known to be dead). True when this owner holds it now.
     */
    tryLease(l: { connectionId: string; owner: string; until: number; now: number; staleOwner: string }): boolean {
      return takeLease.run({ id: l.connectionId, me: l.owner, until: l.until, now: l.now, stale: l.staleOwner }).changes === 1;
    },

    releaseLease(connectionId: string, owner: string): void {
      releaseLease.run(connectionId, owner);
    },

    /** What a consent flow obtained: inserted, or replacing the previous authorization (state reset, lease dropped). */
    saveAuthorization(workspaceId: string, provider: OAuthProvider, g: TokenGrant & { refreshSealed: Buffer }): void {
      upsertAuthorization.run({ ...grantParams(g), ws: workspaceId, provider });
    },

    /** A refresh succeeded: new schedule, state ok, counters, lease released. */
    recordRefreshed(g: TokenGrant): void {
      refreshed.run(grantParams(g));
    },

    /** A refresh failed for good: state error, no next refresh, lease released. */
    recordFailed(connectionId: string, error: { code: string; message: string }, now: number): void {
      failed.run(error.code, error.message, now, now, connectionId);
    },

    /** The provider could not be reached: state offline, retried at `retryAt`; only while `owner` holds the lease. */
    recordOffline(connectionId: string, owner: string, message: string, now: number, retryAt: number): void {
      offline.run(message, now, retryAt, now, connectionId, owner);
    },

    /** Counters per provider of the workspace, and its `limit` soonest refreshes. */
    health(workspaceId: string, limit: number): { providers: ProviderTokenStats[]; upcoming: UpcomingRefresh[] } {
      return {
        providers: statsByProvider.all(workspaceId) as ProviderTokenStats[],
        upcoming: upcoming.all(workspaceId, limit) as UpcomingRefresh[],
      };
    },

    /** Up to `limit` rows due at `now` (clock time) whose lease is free or expired at `wall` (wall time), soonest first. */
    due(now: number, wall: number, limit: number): DueRefresh[] {
      return due.all({ now, wall, limit }) as DueRefresh[];
    },

    deferRefresh(connectionId: string, at: number): void {
      defer.run(at, connectionId);
    },
  };
}
export type OAuthTokenStore = ReturnType<typeof createOAuthTokenStore>;
