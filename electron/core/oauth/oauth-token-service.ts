import * as oauth from 'oauth4webapi';
import type { Actor } from '@shared/domain/actor';
import type { OAuthProvider, OAuthTokenInfo, RefreshHealth } from '@shared/domain/oauth';
import { OAUTH_PROVIDERS } from '@shared/domain/oauth';
import type { Db } from '../db/database';
import type { AuditService } from '../audit/audit-service';
import type { EventBus } from '../events/event-bus';
import type { VaultPort } from '../vault/vault-port';
import type { Clock, Logger } from '../ports';
import type { ConnectionService } from '../connections/connection-service';
import { PAUSED_MESSAGE } from '../connections/connection-service';
import { AppError, notFound } from '../errors';
import type { OAuthAppService } from './oauth-app-service';
import { PROVIDER_POLICY, authorizationServer, clientAuth, requestOptions, resolveEndpoints } from './oauth-providers';

export const refreshTokenAad = (connectionId: string) => `connection:${connectionId}:refresh_token`;

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
  refresh_state: 'ok' | 'offline' | 'error';
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: number | null;
  refreshes_ok: number;
  refreshes_failed: number;
  attempts: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
};

/** A token-endpoint answer, classified. Never carries a provider body: only codes we chose. */
type Outcome =
  | { kind: 'ok'; accessToken: string; refreshToken: string | undefined; expiresIn: number | undefined }
  | { kind: 'invalid_grant'; code: string }
  | { kind: 'rejected'; code: string }
  | { kind: 'transient'; code: 'provider_error' | 'rate_limited'; retryAfterMs: number | null }
  | { kind: 'offline' };

export type RefreshPolicy = {
  /** Attempts per refresh for transient failures (5xx, 429) before the connection is put in error. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Lease on a connection's refresh across processes (wall time: it guards against a crashed holder). */
  leaseMs: number;
  /** Concurrent scheduled refreshes per process. */
  maxInFlight: number;
  /** Access tokens closer than this to expiry are refreshed before use. */
  expirySkewMs: number;
  /** Retry delay after a refresh could not reach the provider. */
  offlineRetryMs: number;
};

export const DEFAULT_REFRESH_POLICY: RefreshPolicy = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  leaseMs: 30_000,
  maxInFlight: 16,
  expirySkewMs: 60_000,
  offlineRetryMs: 60_000,
};

const MIN = 60_000;

/**
 * When to refresh next: lead = max(15 min, 20 % of the lifetime) — but never more than half of a short lifetime —
 * minus a jitter of up to min(5 min, 10 %) so thousands of connections authorized together do not refresh in one
 * burst. Providers whose refresh tokens lapse when unused also get a refresh at least daily.
 */
export function nextRefreshAt(provider: OAuthProvider, now: number, expiresAt: number | null, lifetimeMs: number | null, random: () => number): number | null {
  const keepAlive = PROVIDER_POLICY[provider].keepAliveMs;
  let next: number | null = null;
  if (expiresAt !== null && lifetimeMs !== null && lifetimeMs > 0) {
    const lead = Math.min(Math.max(15 * MIN, 0.2 * lifetimeMs), 0.5 * lifetimeMs);
    const jitter = random() * Math.min(5 * MIN, 0.1 * lifetimeMs);
    next = Math.round(expiresAt - lead - jitter);
  }
  if (keepAlive !== null) next = next === null ? now + keepAlive : Math.min(next, now + keepAlive);
  return next;
}

const ownerId = () => `${process.pid}:${Math.random().toString(36).slice(2, 10)}`;

function pidAlive(owner: string): boolean {
  const pid = Number(owner.split(':')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** invalid_grant after a sibling process rotated the token under us: not a failure, go again with the new one. */
class SiblingRotated extends Error {}

export class OAuthAuthError extends AppError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message);
    this.name = 'OAuthAuthError';
  }
}

export type TokenServiceDeps = {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: Pick<AuditService, 'record'>;
  bus: EventBus;
  vault: VaultPort;
  connections: Pick<ConnectionService, 'get' | 'markError' | 'markHealthy'>;
  apps: Pick<OAuthAppService, 'clientFor'>;
  system: Actor;
  policy?: Partial<RefreshPolicy>;
  random?: () => number;
  /** Wall time for leases (they guard against crashed processes, so they must not follow a fake clock). */
  wallNow?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

/**
 * The token service: refresh tokens sealed in the vault, access tokens in this process's memory only.
 * Invariants: at most one refresh per connection at a time (in-process promise + cross-process lease row); a rotated
 * refresh token is committed before the new access token is handed out; a refresh that fails with invalid_grant
 * re-reads the store first, because a sibling process may have rotated the token under us.
 */
export function createOAuthTokenService(deps: TokenServiceDeps) {
  const { db, clock, logger, audit, bus, vault, connections, apps, system } = deps;
  const policy: RefreshPolicy = { ...DEFAULT_REFRESH_POLICY, ...deps.policy };
  const random = deps.random ?? Math.random;
  const wallNow = deps.wallNow ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const me = ownerId();

  const access = new Map<string, { token: string; expiresAt: number | null; generation: number }>();
  const inflight = new Map<string, Promise<string>>();
  /** Picked by a tick, not started yet: the tick only selects, the refresh work runs after it has returned. */
  const launching = new Set<string>();
  let scheduledInFlight = 0;
  let peakInFlight = 0;

  const byId = db.prepare('SELECT * FROM oauth_tokens WHERE connection_id = ?');
  const takeLease = db.prepare(
    `UPDATE oauth_tokens SET lease_owner = @me, lease_expires_at = @until
     WHERE connection_id = @id AND (lease_owner IS NULL OR lease_owner = @me OR lease_expires_at < @now OR lease_owner = @stale)`,
  );
  const releaseLease = db.prepare('UPDATE oauth_tokens SET lease_owner = NULL, lease_expires_at = NULL WHERE connection_id = ? AND lease_owner = ?');

  const read = (id: string) => byId.get(id) as Row | undefined;
  const healthChanged = (workspaceId: string) => bus.emit('oauth:healthChanged', { workspaceId });

  function tryLease(id: string): boolean {
    const row = read(id);
    if (!row) throw notFound('connection');
    // A holder that died (kill -9 mid-refresh) is recognised at once by its pid instead of waiting for the expiry.
    const stale = row.lease_owner && row.lease_owner !== me && !pidAlive(row.lease_owner) ? row.lease_owner : '\u0000';
    const now = wallNow();
    return takeLease.run({ id, me, until: now + policy.leaseMs, now, stale }).changes === 1;
  }

  /** Stores what a consent flow obtained: sealed refresh token, schedule, and the access token in memory. */
  function storeAuthorization(
    connectionId: string,
    workspaceId: string,
    provider: OAuthProvider,
    tokens: { accessToken: string; refreshToken: string; expiresIn: number | undefined },
  ): void {
    const now = clock.now().getTime();
    const sealed = vault.seal(Buffer.from(tokens.refreshToken, 'utf8'), refreshTokenAad(connectionId));
    const lifetime = tokens.expiresIn !== undefined ? tokens.expiresIn * 1000 : null;
    const expiresAt = lifetime !== null ? now + lifetime : null;
    const next = nextRefreshAt(provider, now, expiresAt, lifetime, random);
    const existing = read(connectionId);
    const generation = (existing?.generation ?? 0) + 1;
    db.prepare(
      `INSERT INTO oauth_tokens (connection_id, workspace_id, provider, refresh_sealed, generation, token_expires_at, lifetime_s, last_refresh_at,
         next_refresh_at, refresh_state, updated_at)
       VALUES (@id, @ws, @provider, @sealed, @generation, @expiresAt, @lifetime, @now, @next, 'ok', @now)
       ON CONFLICT (connection_id) DO UPDATE SET refresh_sealed = @sealed, generation = @generation, token_expires_at = @expiresAt,
         lifetime_s = @lifetime, last_refresh_at = @now, next_refresh_at = @next, refresh_state = 'ok', last_error_code = NULL,
         last_error_message = NULL, last_error_at = NULL, attempts = 0, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now`,
    ).run({ id: connectionId, ws: workspaceId, provider, sealed, generation, expiresAt, lifetime: lifetime === null ? null : lifetime / 1000, now, next });
    access.set(connectionId, { token: tokens.accessToken, expiresAt, generation });
  }

  async function callTokenEndpoint(row: Row, refreshToken: string): Promise<Outcome> {
    const conn = connections.get(row.workspace_id, row.connection_id);
    const client = apps.clientFor(row.workspace_id, row.provider);
    if (!client) return { kind: 'rejected', code: 'oauth_app_missing' };
    const endpoints = resolveEndpoints(row.provider, client.app.settings.baseUrl, conn.settings);
    const as = authorizationServer(endpoints);
    const c: oauth.Client = { client_id: client.app.clientId };
    let res: Response;
    try {
      res = await oauth.refreshTokenGrantRequest(as, c, clientAuth(client.clientSecret), refreshToken, {
        ...requestOptions(row.provider, endpoints.token, AbortSignal.timeout(30_000)),
      });
    } catch (e) {
      if (e instanceof oauth.UnsupportedOperationError || e instanceof oauth.OperationProcessingError) return { kind: 'rejected', code: 'client_error' };
      return { kind: 'offline' };
    }
    if (res.status === 429) {
      const ra = Number(res.headers.get('retry-after'));
      await res.body?.cancel();
      return { kind: 'transient', code: 'rate_limited', retryAfterMs: Number.isFinite(ra) && ra >= 0 ? ra * 1000 : null };
    }
    if (res.status >= 500) {
      await res.body?.cancel();
      return { kind: 'transient', code: 'provider_error', retryAfterMs: null };
    }
    try {
      const r = await oauth.processRefreshTokenResponse(as, c, res);
      return { kind: 'ok', accessToken: r.access_token, refreshToken: r.refresh_token, expiresIn: r.expires_in };
    } catch (e) {
      if (e instanceof oauth.ResponseBodyError) {
        if (e.error === 'invalid_grant') return { kind: 'invalid_grant', code: 'invalid_grant' };
        return { kind: 'rejected', code: /^[a-z_]{1,40}$/.test(e.error) ? e.error : 'token_endpoint_error' };
      }
      return { kind: 'rejected', code: 'invalid_token_response' };
    }
  }

  function backoff(attempt: number, retryAfterMs: number | null): number {
    if (retryAfterMs !== null) return Math.min(retryAfterMs, policy.maxDelayMs);
    const base = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
    return Math.round(base / 2 + (random() * base) / 2);
  }

  /** Token endpoint with retries for 5xx / 429; offline and permanent answers come back at once. */
  async function refreshWithRetries(row: Row, refreshToken: string): Promise<Outcome> {
    let last: Outcome = { kind: 'offline' };
    for (let attempt = 0; attempt < policy.attempts; attempt++) {
      last = await callTokenEndpoint(row, refreshToken);
      if (last.kind !== 'transient') return last;
      if (attempt < policy.attempts - 1) await sleep(backoff(attempt, last.retryAfterMs));
    }
    return last;
  }

  const MESSAGES: Record<string, string> = {
    invalid_grant: 'the provider rejected the refresh token (revoked or expired): re-authorize the connection',
    provider_error: 'the provider kept failing (HTTP 5xx) while refreshing the token: re-authorize the connection if it persists',
    rate_limited: 'the provider kept rate-limiting token refreshes (HTTP 429): re-authorize the connection if it persists',
    oauth_app_missing: "the provider's OAuth app was removed: register it again under OAuth apps, then re-authorize",
    invalid_client: "the provider rejected the OAuth app's client id or secret: check the OAuth app, then re-authorize",
    unauthorized_client: 'the OAuth app may not use refresh tokens at the provider: enable them, then re-authorize',
  };
  const messageFor = (code: string) => MESSAGES[code] ?? `the token refresh failed (${code}): re-authorize the connection`;

  function fail(row: Row, code: string): never {
    const message = messageFor(code);
    const now = clock.now().getTime();
    db.transaction(() => {
      db.prepare(
        `UPDATE oauth_tokens SET refresh_state = 'error', last_error_code = ?, last_error_message = ?, last_error_at = ?, next_refresh_at = NULL,
           refreshes_failed = refreshes_failed + 1, attempts = 0, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE connection_id = ?`,
      ).run(code, message, now, now, row.connection_id);
      const name = connections.get(row.workspace_id, row.connection_id).name;
      audit.record({
        workspaceId: row.workspace_id,
        action: 'connection.refresh_failed',
        actor: system,
        target: { type: 'connection', id: row.connection_id, name },
        outcome: 'failure',
        details: { provider: row.provider, reason: code },
      });
      audit.record({
        workspaceId: row.workspace_id,
        action: 'connection.updated',
        actor: system,
        target: { type: 'connection', id: row.connection_id, name },
        details: { changed: ['status'], status: 'error', reason: code },
      });
      connections.markError(row.workspace_id, row.connection_id, { code: 'refresh_failed', message }, system);
    })();
    access.delete(row.connection_id);
    healthChanged(row.workspace_id);
    logger.log('warn', 'oauth refresh failed', { provider: row.provider, reason: code });
    throw new OAuthAuthError(`authentication failed: ${message}`);
  }

  function markOffline(row: Row): never {
    const now = clock.now().getTime();
    db.prepare(
      `UPDATE oauth_tokens SET refresh_state = 'offline', last_error_code = 'offline', last_error_message = ?, last_error_at = ?,
         next_refresh_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE connection_id = ? AND lease_owner = ?`,
    ).run('offline — will retry', now, now + policy.offlineRetryMs, now, row.connection_id, me);
    healthChanged(row.workspace_id);
    throw new AppError('UNAVAILABLE', 'the provider could not be reached (offline — will retry); check the network and try again');
  }

  /** One refresh, holding the lease. Returns the new access token, after the rotated refresh token is committed. */
  async function refreshHoldingLease(row: Row): Promise<string> {
    if (!row.refresh_sealed) throw new AppError('PRECONDITION_FAILED', 'not authorized yet: click Authorize to complete the OAuth consent flow');
    const refreshToken = vault.open(row.refresh_sealed, refreshTokenAad(row.connection_id)).toString('utf8');
    const outcome = await refreshWithRetries(row, refreshToken);
    if (outcome.kind === 'ok') {
      const now = clock.now().getTime();
      const lifetime = outcome.expiresIn !== undefined ? outcome.expiresIn * 1000 : null;
      const expiresAt = lifetime !== null ? now + lifetime : null;
      const rotated = outcome.refreshToken !== undefined && outcome.refreshToken !== refreshToken;
      const generation = rotated ? row.generation + 1 : row.generation;
      // Committed before the access token is returned: if we die after this, the next process has the live token.
      db.prepare(
        `UPDATE oauth_tokens SET refresh_sealed = COALESCE(@sealed, refresh_sealed), generation = @generation, token_expires_at = @expiresAt,
           lifetime_s = @lifetime, last_refresh_at = @now, next_refresh_at = @next, refresh_state = 'ok', last_error_code = NULL,
           last_error_message = NULL, last_error_at = NULL, refreshes_ok = refreshes_ok + 1, attempts = 0, lease_owner = NULL,
           lease_expires_at = NULL, updated_at = @now WHERE connection_id = @id`,
      ).run({
        id: row.connection_id,
        sealed: rotated ? vault.seal(Buffer.from(outcome.refreshToken!, 'utf8'), refreshTokenAad(row.connection_id)) : null,
        generation,
        expiresAt,
        lifetime: lifetime === null ? null : lifetime / 1000,
        now,
        next: nextRefreshAt(row.provider, now, expiresAt, lifetime, random),
      });
      access.set(row.connection_id, { token: outcome.accessToken, expiresAt, generation });
      if (row.refresh_state !== 'ok') healthChanged(row.workspace_id);
      return outcome.accessToken;
    }
    if (outcome.kind === 'offline') return markOffline(row);
    if (outcome.kind === 'invalid_grant') {
      const fresh = read(row.connection_id);
      // A sibling rotated the token while we were using the old one: not a failure, try again with the new one.
      if (fresh && fresh.generation !== row.generation) {
        releaseLease.run(row.connection_id, me);
        throw new SiblingRotated();
      }
    }
    return fail(row, outcome.code);
  }


  async function refreshNow(id: string): Promise<string> {
    const deadline = wallNow() + policy.leaseMs * 2 + 5_000;
    for (let round = 0; ; round++) {
      const before = read(id);
      if (!before) throw notFound('connection');
      if (before.refresh_state === 'error') throw new OAuthAuthError(`authentication failed: ${before.last_error_message ?? 're-authorize the connection'}`);
      if (tryLease(id)) {
        const row = read(id)!;
        try {
          return await refreshHoldingLease(row);
        } catch (e) {
          if (e instanceof SiblingRotated && round < 5) continue;
          throw e;
        } finally {
          releaseLease.run(id, me);
        }
      }
      // Someone else (another process) is refreshing: wait for its lease to end, then go again with what it stored.
      if (wallNow() > deadline) throw new AppError('UNAVAILABLE', 'another app process is still refreshing this connection; try again');
      await sleep(25 + Math.round(random() * 25));
    }
  }

  function refreshShared(id: string): Promise<string> {
    const running = inflight.get(id);
    if (running) return running;
    const p = refreshNow(id).finally(() => inflight.delete(id));
    inflight.set(id, p);
    return p;
  }

  /**
   * THE way a run step gets a usable access token: the cached one if it is not about to expire, else a refresh
   * (shared by every concurrent caller). Paused → refused; a revoked token → OAuthAuthError and status error.
   */
  async function getAccessToken(connectionId: string): Promise<string> {
    const row = read(connectionId);
    if (!row) {
      // Deleted (or never existed): the docs' "connection not found"; an OAuth connection never authorized: say so.
      if (!db.prepare('SELECT 1 FROM connections WHERE id = ?').get(connectionId)) throw notFound('connection');
      throw new AppError('PRECONDITION_FAILED', 'not authorized yet: click Authorize to complete the OAuth consent flow');
    }
    const conn = connections.get(row.workspace_id, connectionId);
    if (conn.status === 'paused') throw new AppError('PRECONDITION_FAILED', PAUSED_MESSAGE);
    if (row.refresh_state === 'error' || conn.status === 'error') {
      throw new OAuthAuthError(`authentication failed: ${row.last_error_message ?? conn.lastError?.message ?? 're-authorize the connection'}`);
    }
    const cached = access.get(connectionId);
    const now = clock.now().getTime();
    if (cached && (cached.expiresAt === null || cached.expiresAt - policy.expirySkewMs > now)) return cached.token;
    return refreshShared(connectionId);
  }

  /** The provider answered 401 to a token we handed out (revoked mid-run): one refresh attempt decides. */
  async function reportRejected(connectionId: string): Promise<string> {
    access.delete(connectionId);
    return refreshShared(connectionId);
  }

  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

  function info(connectionId: string): OAuthTokenInfo | null {
    const r = read(connectionId);
    if (!r) return null;
    return {
      tokenExpiresAt: iso(r.token_expires_at),
      lastRefreshAt: iso(r.last_refresh_at),
      nextRefreshAt: iso(r.next_refresh_at),
      refreshState: r.refresh_state,
      lastRefreshError: r.last_error_code ? { code: r.last_error_code, message: r.last_error_message ?? '', at: iso(r.last_error_at ?? r.last_refresh_at ?? 0)! } : null,
    };
  }

  function health(workspaceId: string): RefreshHealth {
    const rows = db
      .prepare(
        `SELECT t.provider AS provider, COUNT(*) AS n, SUM(t.refreshes_ok) AS ok, SUM(t.refreshes_failed) AS failed,
           SUM(CASE WHEN c.status = 'error' THEN 1 ELSE 0 END) AS inError, SUM(CASE WHEN t.refresh_state = 'offline' THEN 1 ELSE 0 END) AS offline,
           MIN(t.next_refresh_at) AS next
         FROM oauth_tokens t JOIN connections c ON c.id = t.connection_id WHERE t.workspace_id = ? GROUP BY t.provider`,
      )
      .all(workspaceId) as Array<{ provider: OAuthProvider; n: number; ok: number; failed: number; inError: number; offline: number; next: number | null }>;
    const byProvider = new Map(rows.map((r) => [r.provider, r]));
    const upcoming = db
      .prepare(
        `SELECT t.connection_id AS id, c.name AS name, t.provider AS provider, t.next_refresh_at AS next FROM oauth_tokens t
         JOIN connections c ON c.id = t.connection_id WHERE t.workspace_id = ? AND t.next_refresh_at IS NOT NULL ORDER BY t.next_refresh_at LIMIT 10`,
      )
      .all(workspaceId) as Array<{ id: string; name: string; provider: OAuthProvider; next: number }>;
    return {
      providers: OAUTH_PROVIDERS.filter((p) => byProvider.has(p)).map((p) => {
        const r = byProvider.get(p)!;
        return { provider: p, connections: r.n, refreshesOk: r.ok, refreshesFailed: r.failed, connectionsInError: r.inError, offline: r.offline, nextRefreshAt: iso(r.next) };
      }),
      upcoming: upcoming.map((u) => ({ connectionId: u.id, name: u.name, provider: u.provider, nextRefreshAt: iso(u.next)! })),
    };
  }

  const dueStmt = db.prepare(
    `SELECT t.connection_id AS id, t.workspace_id AS ws, c.status AS status FROM oauth_tokens t JOIN connections c ON c.id = t.connection_id
     WHERE t.next_refresh_at IS NOT NULL AND t.next_refresh_at <= @now AND (t.lease_owner IS NULL OR t.lease_expires_at < @wall)
     ORDER BY t.next_refresh_at LIMIT @limit`,
  );
  const deferStmt = db.prepare('UPDATE oauth_tokens SET next_refresh_at = ? WHERE connection_id = ?');

  /**
   * The rotation job's tick: starts the due refreshes (up to the in-flight cap) and returns without waiting for them,
   * so one slow provider cannot hold the scheduler. A tick after sleep or restart finds everything overdue and catches up.
   */
  function tick(now: Date): Promise<void> {
    const free = policy.maxInFlight - scheduledInFlight;
    if (free <= 0) return Promise.resolve();
    const due = dueStmt.all({ now: now.getTime(), wall: wallNow(), limit: free + inflight.size + launching.size }) as Array<{ id: string; ws: string; status: string }>;
    let started = 0;
    for (const d of due) {
      if (started >= free) break;
      if (inflight.has(d.id) || launching.has(d.id)) continue;
      if (d.status === 'paused') {
        // Paused connections are not refreshed; look again in an hour (resuming makes the next use refresh at once).
        deferStmt.run(now.getTime() + 60 * MIN, d.id);
        continue;
      }
      started++;
      scheduledInFlight++;
      peakInFlight = Math.max(peakInFlight, scheduledInFlight);
      launching.add(d.id);
      setImmediate(() => {
        launching.delete(d.id);
        refreshShared(d.id)
          .catch((e: unknown) => logger.log('info', 'scheduled refresh did not complete', { reason: e instanceof AppError ? e.code : 'unknown' }))
          .finally(() => scheduledInFlight--);
      });
    }
    return Promise.resolve();
  }

  /** Forget a connection's access token (deleted, re-authorized elsewhere). */
  function forget(connectionId: string): void {
    access.delete(connectionId);
  }

  return {
    getAccessToken,
    reportRejected,
    storeAuthorization,
    info,
    health,
    tick,
    forget,
    stats: () => ({ scheduledInFlight, peakInFlight, cachedTokens: access.size, inflight: inflight.size }),
    /** Resolves when the refreshes started so far have settled (tests, shutdown). */
    async settle(): Promise<void> {
      while (inflight.size > 0 || launching.size > 0 || scheduledInFlight > 0) {
        await new Promise((r) => setImmediate(r));
        await Promise.allSettled([...inflight.values()]);
      }
    },
  };
}
export type OAuthTokenService = ReturnType<typeof createOAuthTokenService>;
