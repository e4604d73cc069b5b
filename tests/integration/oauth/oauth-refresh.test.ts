import { afterEach, describe, expect, it } from 'vitest';
import { unwrap } from '../../helpers/test-core';
import { oauthFixture } from '../../helpers/oauth-fixture';

let fx: Awaited<ReturnType<typeof oauthFixture>> | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

const row = (f: NonNullable<typeof fx>, id: string) =>
  f.core.db.prepare('SELECT * FROM oauth_tokens WHERE connection_id = ?').get(id) as {
    generation: number;
    next_refresh_at: number | null;
    token_expires_at: number;
    refresh_state: string;
    refreshes_ok: number;
  };

describe('token service and rotation job', () => {
  it('refreshes before expiry on the fake clock, rotating the single-use refresh token each time', async () => {
    fx = await oauthFixture({ server: { accessTokenTtl: 3600 } });
    const id = (await fx.authorize()).connectionId!;
    const first = await fx.core.oauth.tokens.internal.getAccessToken(id);
    for (let round = 1; round <= 3; round++) {
      const r = row(fx, id);
      // lead = max(15 min, 20 %) and up to 5 min jitter: the refresh is due 15–20 minutes before expiry
      expect(r.token_expires_at - r.next_refresh_at!).toBeGreaterThanOrEqual(15 * 60_000);
      expect(r.token_expires_at - r.next_refresh_at!).toBeLessThanOrEqual(20 * 60_000);
      fx.clock.set(r.next_refresh_at! - 1000);
      await fx.core.scheduler.runDue();
      await fx.core.oauth.tokens.internal.settle();
      expect(fx.oidc.stats.refreshOk).toBe(round - 1); // not yet due
      fx.clock.set(r.next_refresh_at!);
      await fx.core.scheduler.runDue();
      await fx.core.oauth.tokens.internal.settle();
      expect(fx.oidc.stats.refreshOk).toBe(round);
      expect(row(fx, id).generation).toBe(r.generation + 1);
    }
    expect(fx.oidc.stats.refreshInvalidGrant).toBe(0);
    expect(await fx.core.oauth.tokens.internal.getAccessToken(id)).not.toBe(first);
    // The server only knows the newest refresh token (the rotated ones were consumed).
    const info = unwrap(await fx.invoke('connections:get', { workspaceId: fx.ws, id })).oauth!;
    expect(info.lastRefreshAt).toBe(fx.clock.now().toISOString());
    expect(Date.parse(info.tokenExpiresAt!)).toBe(fx.clock.now().getTime() + 3600_000);
  });

  it('1 000 concurrent callers of an expired token cause exactly one refresh', async () => {
    fx = await oauthFixture();
    const id = (await fx.authorize()).connectionId!;
    fx.clock.advance(2 * 3600_000);
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => fx!.core.oauth.tokens.internal.getAccessToken(id)));
    expect(new Set(tokens).size).toBe(1);
    expect(fx.oidc.stats.refreshOk).toBe(1);
    expect(fx.oidc.stats.refreshInvalidGrant).toBe(0);
  });

  it('retries 5xx and 429 with backoff, keeps the old refresh token when none is returned', async () => {
    fx = await oauthFixture();
    const id = (await fx.authorize()).connectionId!;
    fx.oidc.setRotation(false);
    const gen = row(fx, id).generation;
    fx.clock.advance(2 * 3600_000);
    fx.oidc.failNextTokenRequests(2, 'down');
    await fx.core.oauth.tokens.internal.getAccessToken(id);
    expect(fx.oidc.stats.refreshOk).toBe(1);
    expect(row(fx, id).generation).toBe(gen); // same refresh token kept
    fx.clock.advance(2 * 3600_000);
    fx.oidc.failNextTokenRequests(1, 'rate_limited');
    await fx.core.oauth.tokens.internal.getAccessToken(id);
    expect(fx.oidc.stats.refreshOk).toBe(2);
    expect(unwrap(await fx.invoke('connections:get', { workspaceId: fx.ws, id })).status).toBe('active');
  });

  it('offline is not error: "offline — will retry", status stays active, the next tick recovers', async () => {
    fx = await oauthFixture();
    const id = (await fx.authorize()).connectionId!;
    fx.clock.advance(2 * 3600_000);
    fx.oidc.setTokenEndpoint('unreachable');
    const r = await fx.core.oauth.tokens.internal.getAccessToken(id).catch((e: { code: string; message: string }) => e);
    expect((r as { code: string }).code).toBe('UNAVAILABLE');
    expect((r as { message: string }).message).toMatch(/offline — will retry/);
    const info = unwrap(await fx.invoke('connections:get', { workspaceId: fx.ws, id }));
    expect(info.status).toBe('active');
    expect(info.oauth?.refreshState).toBe('offline');
    expect(info.oauth?.lastRefreshError?.message).toBe('offline — will retry');
    fx.oidc.setTokenEndpoint('ok');
    fx.clock.advance(60_000);
    await fx.core.scheduler.runDue();
    await fx.core.oauth.tokens.internal.settle();
    expect(row(fx, id).refresh_state).toBe('ok');
  });

  it('exhausted retries on 5xx put the connection in error with connection.refresh_failed', async () => {
    fx = await oauthFixture();
    const id = (await fx.authorize()).connectionId!;
    fx.clock.advance(2 * 3600_000);
    fx.oidc.setTokenEndpoint('down');
    await expect(fx.core.oauth.tokens.internal.getAccessToken(id)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(fx.oidc.stats.tokenRequests).toBeGreaterThanOrEqual(4); // 1 code exchange + 3 attempts
    const c = unwrap(await fx.invoke('connections:get', { workspaceId: fx.ws, id }));
    expect(c.status).toBe('error');
    expect(c.oauth?.lastRefreshError?.code).toBe('provider_error');
  });

  it('a revoked refresh token → status error + refresh_failed event; re-authorize → active with the same id', async () => {
    fx = await oauthFixture();
    const id = (await fx.authorize()).connectionId!;
    const pushes: string[] = [];
    fx.core.bus.subscribe((event, payload) => {
      if (event === 'connections:changed' && (payload as { id: string }).id === id) pushes.push(event);
    });
    fx.oidc.revokeAll();
    fx.clock.advance(2 * 3600_000);
    const err = await fx.core.oauth.tokens.internal.getAccessToken(id).catch((e: { code: string; message: string }) => e);
    expect((err as { code: string }).code).toBe('UNAUTHENTICATED');
    expect((err as { message: string }).message).toMatch(/re-authorize/);
    const c = unwrap(await fx.invoke('connections:get', { workspaceId: fx.ws, id }));
    expect(c.status).toBe('error');
    expect(c.oauth?.lastRefreshError?.code).toBe('invalid_grant');
    expect(pushes.length).toBeGreaterThan(0);
    const audit = unwrap(await fx.invoke('audit:list', { workspaceId: fx.ws, action: 'connection.refresh_failed' }));
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]!.risk).toBe('high');
    expect(unwrap(await fx.invoke('audit:list', { workspaceId: fx.ws, action: 'connection.updated' })).items.length).toBeGreaterThan(0);
    // A failed connection is not refreshed again by the job.
    await fx.core.scheduler.runDue();
    await fx.core.oauth.tokens.internal.settle();
    expect(fx.oidc.stats.refreshInvalidGrant).toBe(1);

    const re = unwrap(await fx.invoke('oauth:reauthorize', { workspaceId: fx.ws, id }));
    const { driveBrowser } = await import('../../fakes/oidc-server');
    await driveBrowser(re.authorizationUrl);
    const st = await fx.waitFlow(re.flowId);
    expect(st).toMatchObject({ state: 'completed', connectionId: id });
    const after = unwrap(await fx.invoke('connections:get', { workspaceId: fx.ws, id }));
    expect(after.status).toBe('active');
    expect(after.oauth?.refreshState).toBe('ok');
    expect(after.oauth?.lastRefreshError).toBeNull();
    expect(await fx.core.oauth.tokens.internal.getAccessToken(id)).toBeTruthy();
  });

  it('a token revoked mid-run: the step reports the 401, the refresh fails → authentication error and status error', async () => {
    fx = await oauthFixture();
    const id = (await fx.authorize()).connectionId!;
    const token = await fx.core.oauth.tokens.internal.getAccessToken(id); // the run step got a token…
    expect(token).toBeTruthy();
    fx.oidc.revokeAll(); // …and the provider revoked the grant while the step ran
    await expect(fx.core.oauth.tokens.internal.reportRejected(id)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', name: 'OAuthAuthError' });
    expect(unwrap(await fx.invoke('connections:get', { workspaceId: fx.ws, id })).status).toBe('error');
    // Later steps fail fast with the same authentication error, without calling the provider again.
    const before = fx.oidc.stats.tokenRequests;
    await expect(fx.core.oauth.tokens.internal.getAccessToken(id)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(fx.oidc.stats.tokenRequests).toBe(before);
  });

  it('paused connections are neither refreshed by the job nor handed out', async () => {
    fx = await oauthFixture();
    const id = (await fx.authorize()).connectionId!;
    unwrap(await fx.invoke('connections:update', { workspaceId: fx.ws, id, status: 'paused' }));
    fx.clock.advance(2 * 3600_000);
    await fx.core.scheduler.runDue();
    await fx.core.oauth.tokens.internal.settle();
    expect(fx.oidc.stats.refreshOk).toBe(0);
    await expect(fx.core.oauth.tokens.internal.getAccessToken(id)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    unwrap(await fx.invoke('connections:update', { workspaceId: fx.ws, id, status: 'active' }));
    expect(await fx.core.oauth.tokens.internal.getAccessToken(id)).toBeTruthy();
    expect(fx.oidc.stats.refreshOk).toBe(1);
  });

  it('never runs more scheduled refreshes at once than the in-flight cap', async () => {
    fx = await oauthFixture({ ports: { oauthRefreshPolicy: { maxInFlight: 2, baseDelayMs: 5, maxDelayMs: 50, attempts: 3 } } });
    for (let i = 0; i < 6; i++) await fx.authorize(`c${i}`);
    fx.oidc.setTokenDelay(50);
    fx.clock.advance(50 * 60_000); // all six are due
    for (let round = 0; round < 10 && fx.oidc.stats.refreshOk < 6; round++) {
      await fx.core.scheduler.runDue();
      await fx.core.scheduler.runDue(); // a second tick while two are in flight starts nothing more
      await fx.core.oauth.tokens.internal.settle();
    }
    expect(fx.oidc.stats.refreshOk).toBe(6);
    expect(fx.core.oauth.tokens.internal.stats().peakInFlight).toBe(2);
  });

  it('refresh health reports per provider: refreshes, failures, next refresh, connections in error', async () => {
    fx = await oauthFixture();
    const a = (await fx.authorize('a')).connectionId!;
    await fx.authorize('b');
    fx.clock.advance(2 * 3600_000);
    await fx.core.oauth.tokens.internal.getAccessToken(a);
    const h = unwrap(await fx.invoke('oauth:health', { workspaceId: fx.ws }));
    expect(h.providers).toHaveLength(1);
    expect(h.providers[0]).toMatchObject({ provider: 'okta', connections: 2, refreshesOk: 1, refreshesFailed: 0, connectionsInError: 0 });
    expect(h.upcoming).toHaveLength(2);
  });
});
