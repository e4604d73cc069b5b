import { afterEach, describe, expect, it, vi } from 'vitest';
import { count, unwrap } from '../../helpers/test-core';
import { oauthFixture } from '../../helpers/oauth-fixture';
import { scanForCanaries } from '../../helpers/canary';
import { MISMATCH_CLIENT, TEST_CLIENT, driveBrowser } from '../../fakes/oidc-server';

let fx: Awaited<ReturnType<typeof oauthFixture>> | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

describe('OAuth consent flow against a real authorization server', () => {
  it('authorizes with PKCE S256 + state on a loopback redirect, stores the refresh token sealed and the access token nowhere on disk', async () => {
    fx = await oauthFixture();
    const { started, page, status } = await fx.authorize();
    const u = new URL(started.authorizationUrl);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(u.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(u.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(page.status).toBe(200);
    expect(page.body).toContain('return to ProvenanceOne');
    expect(status.state).toBe('completed');

    const id = status.connectionId!;
    const detail = unwrap(await fx.invoke('connections:get', { workspaceId: fx.ws, id }));
    expect(detail.status).toBe('active');
    expect(detail.authType).toBe('oauth2');
    expect(detail.oauth?.tokenExpiresAt).not.toBeNull();
    expect(detail.oauth?.nextRefreshAt).not.toBeNull();
    expect(detail.oauth?.lastRefreshError).toBeNull();
    expect(JSON.stringify(detail)).not.toMatch(/refresh_token|access_token/);

    // The listener is gone once the flow ended.
    await expect(fetch(u.searchParams.get('redirect_uri')!)).rejects.toThrow();

    const accessToken = await fx.core.oauth.tokens.internal.getAccessToken(id);
    expect(fx.oidc.stats.refreshOk).toBe(0); // the initial access token came with the code exchange
    const sealed = fx.core.db.prepare('SELECT refresh_sealed FROM oauth_tokens WHERE connection_id = ?').get(id) as { refresh_sealed: Buffer };
    expect(sealed.refresh_sealed.length).toBeGreaterThan(16);

    // Test connection uses the access token against the provider's userinfo endpoint.
    const test = unwrap(await fx.invoke('connections:test', { workspaceId: fx.ws, id }));
    expect(test.outcome).toBe('valid');
    expect(fx.oidc.stats.userinfo).toBe(1);

    fx.core.db.pragma('wal_checkpoint(TRUNCATE)');
    const canaries = [accessToken, ...fx.oidc.issuedTokenValues(), TEST_CLIENT.clientSecret];
    expect(scanForCanaries(canaries, fx.dataDir)).toEqual([]);
    const audit = JSON.stringify(fx.core.db.prepare('SELECT * FROM audit_events').all());
    for (const c of canaries) expect(audit).not.toContain(c);
  });

  it('denied consent ends the flow with a clear message and stores nothing', async () => {
    fx = await oauthFixture();
    fx.oidc.setConsent('deny');
    const { status, page } = await fx.authorize();
    expect(status.state).toBe('failed');
    expect(status.error?.code).toBe('access_denied');
    expect(status.error?.message).toMatch(/denied/);
    expect(page.body).toContain('return to ProvenanceOne');
    expect(count(fx.core.db, 'connections')).toBe(0);
    expect(count(fx.core.db, 'oauth_tokens')).toBe(0);
  });

  it('a callback with the wrong state ends the flow and stores nothing', async () => {
    fx = await oauthFixture();
    const started = unwrap(await fx.invoke('oauth:authorize', { workspaceId: fx.ws, name: 'x', provider: 'okta', settings: { orgUrl: fx.oidc.issuer } }));
    const stop = await driveBrowser(started.authorizationUrl, { stopBeforeCallback: true });
    const forged = new URL(stop.callbackUrl!);
    forged.searchParams.set('state', 'forged-state-value-1234567890');
    const res = await fetch(forged);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('return to ProvenanceOne');
    const status = await fx.waitFlow(started.flowId);
    expect(status.error?.code).toBe('state_mismatch');
    expect(count(fx.core.db, 'connections')).toBe(0);
    expect(count(fx.core.db, 'oauth_tokens')).toBe(0);
  });

  it('a redirect-URI mismatch is detected and explained, never silent', async () => {
    fx = await oauthFixture();
    unwrap(await fx.invoke('oauthApps:update', { workspaceId: fx.ws, id: fx.app.id, clientId: MISMATCH_CLIENT.clientId, clientSecret: null }));
    const r = await fx.invoke('oauth:authorize', { workspaceId: fx.ws, name: 'x', provider: 'okta', settings: { orgUrl: fx.oidc.issuer } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('PRECONDITION_FAILED');
      expect(r.error.message).toMatch(/redirect URI/);
      expect(r.error.message).toContain('http://127.0.0.1/callback');
    }
    expect(count(fx.core.db, 'connections')).toBe(0);
  });

  it('a token endpoint that is down ends the flow with a clear error and stores nothing', async () => {
    fx = await oauthFixture();
    fx.oidc.setTokenEndpoint('down');
    const { status } = await fx.authorize();
    expect(status.state).toBe('failed');
    expect(status.error?.code).toBe('token_endpoint_unreachable');
    expect(status.error?.message).toMatch(/HTTP 503/);
    fx.oidc.setTokenEndpoint('unreachable');
    const again = await fx.authorize('second');
    expect(again.status.error?.code).toBe('token_endpoint_unreachable');
    expect(count(fx.core.db, 'connections')).toBe(0);
    expect(count(fx.core.db, 'oauth_tokens')).toBe(0);
  });

  it('a flow nobody completes times out, and its listener closes', async () => {
    fx = await oauthFixture({ ports: { oauthFlowTimeoutMs: 150 } });
    // The flow's timer is set on a fake clock while it starts; the test moves it instead of sleeping past it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let started: Awaited<ReturnType<typeof startFlow>>;
    const startFlow = async () => unwrap(await fx!.invoke('oauth:authorize', { workspaceId: fx!.ws, name: 'x', provider: 'okta', settings: { orgUrl: fx!.oidc.issuer } }));
    try {
      started = await startFlow();
      vi.advanceTimersByTime(149);
      expect(unwrap(await fx.invoke('oauth:flowStatus', { workspaceId: fx.ws, flowId: started.flowId })).state).toBe('pending');
      vi.advanceTimersByTime(1);
    } finally {
      vi.useRealTimers();
    }
    const status = unwrap(await fx.invoke('oauth:flowStatus', { workspaceId: fx.ws, flowId: started.flowId }));
    expect(status.state).toBe('failed');
    expect(status.error?.code).toBe('timeout');
    await expect(fetch(new URL(started.authorizationUrl).searchParams.get('redirect_uri')!)).rejects.toThrow();
  });

  it('refuses to start without a registered OAuth app, naming what to do', async () => {
    fx = await oauthFixture();
    const r = await fx.invoke('oauth:authorize', { workspaceId: fx.ws, name: 'gh', provider: 'github' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/OAuth app first/);
  });
});
