// One file (~490 lines): the refresh path (lease, retries, rotation commit, failure bookkeeping) is one state machine
// around one in-memory token cache; splitting it would pass that state between modules. SQL: oauth-token-store.ts.
import * as oauth from 'oauth4webapi';
import type { Actor } from '@shared/domain/actor';
import type { OAuthProvider, OAuthTokenInfo, RefreshHealth } from '@shared/domain/oauth';
import { OAUTH_PROVIDERS } from '@shared/domain/oauth';
import type { AuditService } from '../audit/audit-service';
import type { EventBus } from '../events/event-bus';
import type { VaultPort } from '../vault/vault-port';
import type { Clock, Logger } from '../ports';
import type { ConnectionService } from '../connections/connection-service';
import { PAUSED_MESSAGE } from '../connections/connection-service';
import { AppError, notFound } from '../errors';
import { isBusyError, retryWhenBusy } from '../db/storage-errors';
import type { AccessService } from '../access/access-service';
import type { OAuthAppService } from './oauth-app-service';
import type { OAuthTokenStore, StoredToken } from './oauth-token-store';
import { PROVIDER_POLICY, authorizationServer, clientAuth, requestOptions, resolveEndpoints } from './oauth-providers';

export const refreshTokenAad = (connectionId: string) => `connection:${connectionId}:refresh_token`;


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
  store: OAuthTokenStore;
  clock: Clock;
  logger: Logger;
  access: Pick<AccessService, 'assert'>;
  audit: Pick<AuditService, 'record'>;
  bus: EventBus;
  vault: VaultPort;
  connections: { internal: Pick<ConnectionService['internal'], 'get' | 'markError'> };
  apps: { internal: Pick<OAuthAppService['internal'], 'clientFor'> };
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
 *
 * What people read (health, a connection's token info) is checked against POLICY here, with the caller's actor.
 * Everything else is `internal`: the run steps' access-token provider, the consent flow's hand-over, the scheduler's
 * rotation tick. Those act for the system or for a caller that was authorized before (a run, a consent flow).
 */
export function createOAuthTokenService(deps: TokenServiceDeps) {
  const { store, clock, logger, access, audit, bus, vault, system } = deps;
  const connections = deps.connections.internal;
  const apps = deps.apps.internal;
  const policy: RefreshPolicy = { ...DEFAULT_REFRESH_POLICY, ...deps.policy };
  const random = deps.random ?? Math.random;
  const wallNow = deps.wallNow ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const me = ownerId();

  const accessTokens = new Map<string, { token: string; expiresAt: number | null; generation: number }>();
  const inflight = new Map<string, Promise<string>>();
  /** Picked by a tick, not started yet: the tick only selects, the refresh work runs after it has returned. */
  const launching = new Set<string>();
  let scheduledInFlight = 0;
  let peakInFlight = 0;

  const read = (id: string) => store.get(id);
  const healthChanged = (workspaceId: string) => bus.emit('oauth:healthChanged', { workspaceId });

  function tryLease(id: string): boolean {
    const row = read(id);
    if (!row) throw notFound('connection');
    // A holder that died (kill -9 mid-refresh) is recognised at once by its pid instead of waiting for the expiry.
    const stale = row.leaseOwner && row.leaseOwner !== me && !pidAlive(row.leaseOwner) ? row.leaseOwner : '\u0000';
    const now = wallNow();
    try {
      return store.tryLease({ connectionId: id, owner: me, until: now + policy.leaseMs, now, staleOwner: stale });
    } catch (e) {
      // Another process holds the write lock (likely taking or releasing this very lease): not ours yet, wait and retry.
      if (isBusyError(e)) return false;
      throw e;
    }
  }

  /**
   * Writes the refresh path cannot lose (a rotated refresh token, the lease's release, the failure bookkeeping) wait
   * out another process's write lock without blocking the event loop; each is one transaction, so a retry is safe.
   */
  const durably = <T>(fn: () => T): Promise<T> =>
    retryWhenBusy(fn, { sleep, deadlineMs: policy.leaseMs, onBusy: (attempt) => logger.log('debug', 'oauth: database busy, waiting to write', { attempt }) });

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
    store.saveAuthorization(workspaceId, provider, {
      connectionId,
      refreshSealed: sealed,
      generation,
      tokenExpiresAt: expiresAt,
      lifetimeS: lifetime === null ? null : lifetime / 1000,
      nextRefreshAt: next,
      now,
    });
    accessTokens.set(connectionId, { token: tokens.accessToken, expiresAt, generation });
  }

  async function callTokenEndpoint(row: StoredToken, refreshToken: string): Promise<Outcome> {
    const conn = connections.get(row.workspaceId, row.connectionId);
    const client = apps.clientFor(row.workspaceId, row.provider);
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
  async function refreshWithRetries(row: StoredToken, refreshToken: string): Promise<Outcome> {
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

  async function fail(row: StoredToken, code: string): Promise<never> {
    const message = messageFor(code);
    const now = clock.now().getTime();
    await durably(() => store.transaction(() => {
      store.recordFailed(row.connectionId, { code, message }, now);
      const name = connections.get(row.workspaceId, row.connectionId).name;
      audit.record({
        workspaceId: row.workspaceId,
        action: 'connection.refresh_failed',
        actor: system,
        target: { type: 'connection', id: row.connectionId, name },
        outcome: 'failure',
        details: { provider: row.provider, reason: code },
      });
      audit.record({
        workspaceId: row.workspaceId,
        action: 'connection.updated',
        actor: system,
        target: { type: 'connection', id: row.connectionId, name },
        details: { changed: ['status'], status: 'error', reason: code },
      });
      connections.markError(row.workspaceId, row.connectionId, { code: 'refresh_failed', message }, system);
    }));
    accessTokens.delete(row.connectionId);
    healthChanged(row.workspaceId);
    logger.log('warn', 'oauth refresh failed', { provider: row.provider, reason: code });
    throw new OAuthAuthError(`authentication failed: ${message}`);
  }

  async function markOffline(row: StoredToken): Promise<never> {
    const now = clock.now().getTime();
    await durably(() => store.recordOffline(row.connectionId, me, 'offline — will retry', now, now + policy.offlineRetryMs));
    healthChanged(row.workspaceId);
    throw new AppError('UNAVAILABLE', 'the provider could not be reached (offline — will retry); check the network and try again');
  }

  /** One refresh, holding the lease. Returns the new access token, after the rotated refresh token is committed. */
  async function refreshHoldingLease(row: StoredToken): Promise<string> {
    if (!row.refreshSealed) throw new AppError('PRECONDITION_FAILED', 'not authorized yet: click Authorize to complete the OAuth consent flow');
    const refreshToken = vault.open(row.refreshSealed, refreshTokenAad(row.connectionId)).toString('utf8');
    const outcome = await refreshWithRetries(row, refreshToken);
    if (outcome.kind === 'ok') {
      const now = clock.now().getTime();
      const lifetime = outcome.expiresIn !== undefined ? outcome.expiresIn * 1000 : null;
      const expiresAt = lifetime !== null ? now + lifetime : null;
      const rotated = outcome.refreshToken !== undefined && outcome.refreshToken !== refreshToken;
      const generation = rotated ? row.generation + 1 : row.generation;
      // Committed before the access token is returned: if we die after this, the next process has the live token.
      const sealed = rotated ? vault.seal(Buffer.from(outcome.refreshToken!, 'utf8'), refreshTokenAad(row.connectionId)) : null;
      await durably(() => store.recordRefreshed({
        connectionId: row.connectionId,
        refreshSealed: sealed,
        generation,
        tokenExpiresAt: expiresAt,
        lifetimeS: lifetime === null ? null : lifetime / 1000,
        nextRefreshAt: nextRefreshAt(row.provider, now, expiresAt, lifetime, random),
        now,
      }));
      accessTokens.set(row.connectionId, { token: outcome.accessToken, expiresAt, generation });
      if (row.refreshState !== 'ok') healthChanged(row.workspaceId);
      return outcome.accessToken;
    }
    if (outcome.kind === 'offline') return markOffline(row);
    if (outcome.kind === 'invalid_grant') {
      const fresh = read(row.connectionId);
      // A sibling rotated the token while we were using the old one: not a failure, try again with the new one.
      if (fresh && fresh.generation !== row.generation) {
        await durably(() => store.releaseLease(row.connectionId, me));
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
      if (before.refreshState === 'error') throw new OAuthAuthError(`authentication failed: ${before.lastErrorMessage ?? 're-authorize the connection'}`);
      if (tryLease(id)) {
        const row = read(id)!;
        try {
          return await refreshHoldingLease(row);
        } catch (e) {
          if (e instanceof SiblingRotated) {
            if (round < 5) continue;
            // Never the bare internal error: a run step or the scheduler needs a code and words that say what to do.
            throw new AppError('UNAVAILABLE', 'another app process keeps rotating this connection\'s token; try again in a moment');
          }
          throw e;
        } finally {
          // A busy database must not replace the refresh's result with its own error; past the deadline the lease
          // simply expires (leaseMs) and the next caller takes it.
          await durably(() => store.releaseLease(id, me)).catch((e: unknown) => {
            if (!isBusyError(e)) throw e;
          });
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
      if (!store.connectionExists(connectionId)) throw notFound('connection');
      throw new AppError('PRECONDITION_FAILED', 'not authorized yet: click Authorize to complete the OAuth consent flow');
    }
    const conn = connections.get(row.workspaceId, connectionId);
    if (conn.status === 'paused') throw new AppError('PRECONDITION_FAILED', PAUSED_MESSAGE);
    if (row.refreshState === 'error' || conn.status === 'error') {
      throw new OAuthAuthError(`authentication failed: ${row.lastErrorMessage ?? conn.lastError?.message ?? 're-authorize the connection'}`);
    }
    const cached = accessTokens.get(connectionId);
    const now = clock.now().getTime();
    if (cached && (cached.expiresAt === null || cached.expiresAt - policy.expirySkewMs > now)) return cached.token;
    return refreshShared(connectionId);
  }

  /** The provider answered 401 to a token we handed out (revoked mid-run): one refresh attempt decides. */
  async function reportRejected(connectionId: string): Promise<string> {
    accessTokens.delete(connectionId);
    return refreshShared(connectionId);
  }

  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

  /**
   * A connection's token bookkeeping (never a token) for its detail view: the same permission as the detail.
   * null when the connection has no tokens yet, or is not in this workspace.
   */
  function info(workspaceId: string, connectionId: string, actor: Actor): OAuthTokenInfo | null {
    access.assert(actor, workspaceId, 'connection.read_detail');
    const r = read(connectionId);
    if (!r || r.workspaceId !== workspaceId) return null;
    return {
      tokenExpiresAt: iso(r.tokenExpiresAt),
      lastRefreshAt: iso(r.lastRefreshAt),
      nextRefreshAt: iso(r.nextRefreshAt),
      refreshState: r.refreshState,
      lastRefreshError: r.lastErrorCode ? { code: r.lastErrorCode, message: r.lastErrorMessage ?? '', at: iso(r.lastErrorAt ?? r.lastRefreshAt ?? 0)! } : null,
    };
  }

  /** Refresh counters per provider and the next refreshes: what the connections list shows, so connection.list. */
  function health(workspaceId: string, actor: Actor): RefreshHealth {
    access.assert(actor, workspaceId, 'connection.list');
    const { providers, upcoming } = store.health(workspaceId, 10);
    const byProvider = new Map(providers.map((r) => [r.provider, r]));
    return {
      providers: OAUTH_PROVIDERS.filter((p) => byProvider.has(p)).map((p) => {
        const r = byProvider.get(p)!;
        return { provider: p, connections: r.n, refreshesOk: r.ok, refreshesFailed: r.failed, connectionsInError: r.inError, offline: r.offline, nextRefreshAt: iso(r.next) };
      }),
      upcoming: upcoming.map((u) => ({ connectionId: u.connectionId, name: u.name, provider: u.provider, nextRefreshAt: iso(u.next)! })),
    };
  }

  /**
   * The rotation job's tick: starts the due refreshes (up to the in-flight cap) and returns without waiting for them,
   * so one slow provider cannot hold the scheduler. A tick after sleep or restart finds everything overdue and catches up.
   */
  function tick(now: Date): Promise<void> {
    const free = policy.maxInFlight - scheduledInFlight;
    if (free <= 0) return Promise.resolve();
    const due = store.due(now.getTime(), wallNow(), free + inflight.size + launching.size);
    let started = 0;
    for (const d of due) {
      if (started >= free) break;
      const id = d.connectionId;
      if (inflight.has(id) || launching.has(id)) continue;
      if (d.status === 'paused') {
        // Paused connections are not refreshed; look again in an hour (resuming makes the next use refresh at once).
        store.deferRefresh(id, now.getTime() + 60 * MIN);
        continue;
      }
      started++;
      scheduledInFlight++;
      peakInFlight = Math.max(peakInFlight, scheduledInFlight);
      launching.add(id);
      setImmediate(() => {
        launching.delete(id);
        refreshShared(id)
          .catch((e: unknown) => logger.log('info', 'scheduled refresh did not complete', { reason: e instanceof AppError ? e.code : 'unknown' }))
          .finally(() => scheduledInFlight--);
      });
    }
    return Promise.resolve();
  }

  /** Forget a connection's access token (deleted, re-authorized elsewhere). */
  function forget(connectionId: string): void {
    accessTokens.delete(connectionId);
  }

  return {
    info,
    health,
    /**
     * For trusted core code only, never for a transport: no access check. Run steps (through the connection
     * service's oauth2 credential source), the consent flow after its own check, the scheduler, tests and benches.
     */
    internal: {
      getAccessToken,
      reportRejected,
      storeAuthorization,
      tick,
      forget,
      stats: () => ({ scheduledInFlight, peakInFlight, cachedTokens: accessTokens.size, inflight: inflight.size }),
      /** Resolves when the refreshes started so far have settled (tests, shutdown). */
      async settle(): Promise<void> {
        while (inflight.size > 0 || launching.size > 0 || scheduledInFlight > 0) {
          await new Promise((r) => setImmediate(r));
          await Promise.allSettled([...inflight.values()]);
        }
      },
    },
  };
}
export type OAuthTokenService = ReturnType<typeof createOAuthTokenService>;
