import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { count, makeReadyCore, unwrap } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';
import { canary, scanForCanaries, textContainsCanary } from '../../helpers/canary';
import { startTestServer } from '../../helpers/test-server';
import { clientSecretAad } from '@core/oauth/oauth-app-service';
import { TEST_CLIENT, driveBrowser, startOidcServer, type OidcServer } from '../../fakes/oidc-server';

let t: Awaited<ReturnType<typeof makeReadyCore>> | undefined;
afterEach(() => {
  t?.close();
  t = undefined;
});

describe('OAuth apps', () => {
  it('keeps the client secret write-only: sealed under oauthapp:<id>:client_secret, never returned, never in audit', async () => {
    t = await makeReadyCore();
    const ws = t.core.workspaces.defaultWorkspace().id;
    const secret = canary('client-secret');
    const app = unwrap(await t.invoke('oauthApps:create', { workspaceId: ws, provider: 'github', clientId: 'Iv1.abc', clientSecret: secret, scopes: ['repo', 'read:user'] }));
    expect(app).toMatchObject({ provider: 'github', clientId: 'Iv1.abc', hasClientSecret: true, scopes: ['repo', 'read:user'], settings: {} });
    expect(JSON.stringify(app)).not.toContain(secret);
    const row = t.core.db.prepare('SELECT client_secret_sealed FROM oauth_apps WHERE id = ?').get(app.id) as { client_secret_sealed: Buffer };
    expect(t.core.vault.open(row.client_secret_sealed, clientSecretAad(app.id)).toString()).toBe(secret);
    expect(() => t!.core.vault.open(row.client_secret_sealed, clientSecretAad('someone-else'))).toThrow();
    const listed = unwrap(await t.invoke('oauthApps:list', { workspaceId: ws }));
    expect(listed.items).toHaveLength(1);
    expect(textContainsCanary(JSON.stringify(listed), [secret])).toBeNull();

    const newSecret = canary('client-secret-2');
    const upd = unwrap(await t.invoke('oauthApps:update', { workspaceId: ws, id: app.id, clientSecret: newSecret, settings: { baseUrl: 'https://github.example.com/' } }));
    expect(upd.settings.baseUrl).toBe('https://github.example.com');
    expect(unwrap(await t.invoke('oauthApps:update', { workspaceId: ws, id: app.id, clientSecret: null })).hasClientSecret).toBe(false);
    unwrap(await t.invoke('oauthApps:delete', { workspaceId: ws, id: app.id }));
    const actions = unwrap(await t.invoke('audit:list', { workspaceId: ws })).items.map((e) => e.action);
    expect(actions.filter((a) => a.startsWith('oauthapp.'))).toEqual(['oauthapp.deleted', 'oauthapp.updated', 'oauthapp.updated', 'oauthapp.created']);
    t.core.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(scanForCanaries([secret, newSecret], t.dataDir)).toEqual([]);
  });

  it('rejects bad input naming the field, and a second app for the same provider, changing nothing', async () => {
    t = await makeReadyCore();
    const ws = t.core.workspaces.defaultWorkspace().id;
    const bad = [
      [{ provider: 'jira', clientId: 'x' }, 'provider'],
      [{ provider: 'okta', clientId: '' }, 'clientId'],
      [{ provider: 'okta', clientId: 'x', settings: { baseUrl: 'http://okta.example.com' } }, 'settings.baseUrl'],
      [{ provider: 'okta', clientId: 'x', scopes: ['two words'] }, 'scopes.0'],
      [{ provider: 'okta', clientId: 'x', extra: 1 }, 'extra'],
    ] as const;
    for (const [input, field] of bad) {
      const r = await t.invoke('oauthApps:create', { workspaceId: ws, ...(input as object) } as never);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INVALID_INPUT');
        expect(r.error.field).toBe(field);
      }
    }
    expect(count(t.core.db, 'oauth_apps')).toBe(0);
    unwrap(await t.invoke('oauthApps:create', { workspaceId: ws, provider: 'okta', clientId: 'a', settings: { baseUrl: 'http://127.0.0.1:9/oauth2/default' } }));
    const dup = await t.invoke('oauthApps:create', { workspaceId: ws, provider: 'okta', clientId: 'b' });
    expect(!dup.ok && dup.error.code).toBe('CONFLICT');
    expect(count(t.core.db, 'oauth_apps')).toBe(1);
  });

  it('follows the permission table: viewers list, editors and admins manage and authorize', async () => {
    t = await makeReadyCore();
    const ws = t.core.workspaces.defaultWorkspace().id;
    const as = roleActors(t.core);
    const viewer = as('viewer', ws);
    const editor = as('editor', ws);
    const denied = await t.invoke('oauthApps:create', { workspaceId: ws, provider: 'okta', clientId: 'v' }, viewer);
    expect(!denied.ok && denied.error.code).toBe('FORBIDDEN');
    const app = unwrap(await t.invoke('oauthApps:create', { workspaceId: ws, provider: 'okta', clientId: 'e' }, editor));
    expect(unwrap(await t.invoke('oauthApps:list', { workspaceId: ws }, viewer)).items).toHaveLength(1);
    const del = await t.invoke('oauthApps:delete', { workspaceId: ws, id: app.id }, viewer);
    expect(!del.ok && del.error.code).toBe('FORBIDDEN');
    const auth = await t.invoke('oauth:authorize', { workspaceId: ws, name: 'n', provider: 'okta', settings: { orgUrl: 'https://org.example.com' } }, viewer);
    expect(!auth.ok && auth.error.code).toBe('FORBIDDEN');
    expect(unwrap(await t.invoke('oauth:health', { workspaceId: ws }, viewer)).providers).toEqual([]);
  });
});

describe('REST /oauth-apps and /connections/authorize with the owner key', () => {
  const KEY = 'owner-key-for-oauth-tests';
  let s: Awaited<ReturnType<typeof startTestServer>>;
  let oidc: OidcServer;
  beforeAll(async () => {
    oidc = await startOidcServer();
    s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: KEY });
    await s.core.vault.initializeWithKeychain(s.admin);
  });
  afterAll(async () => {
    await s.stop();
    await oidc.close();
  });
  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { 'x-api-key': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  }

  it('registers the app, authorizes, polls the flow, re-authorizes keeping the id, and never returns a token', async () => {
    const bad = await api('POST', '/oauth-apps', { provider: 'okta', clientId: 'x', settings: { baseUrl: 'ftp://x' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'settings.baseUrl' } });
    const created = await api('POST', '/oauth-apps', { provider: 'okta', clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret, scopes: ['openid'], settings: { baseUrl: oidc.issuer } });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(TEST_CLIENT.clientSecret);
    const list = await api('GET', '/oauth-apps');
    expect(list.json).toMatchObject({ items: [{ provider: 'okta', hasClientSecret: true }], nextCursor: null });
    expect((await api('PATCH', `/oauth-apps/${created.json!.id as string}`, { scopes: ['openid', 'profile'] })).status).toBe(200);

    const started = await api('POST', '/connections/authorize', { name: 'Okta REST', provider: 'okta', settings: { orgUrl: oidc.issuer } });
    expect(started.status).toBe(201);
    const { flowId, authorizationUrl } = started.json as { flowId: string; authorizationUrl: string };
    expect((await api('GET', `/connections/authorize/${flowId}`)).json).toEqual({ state: 'pending' });
    await driveBrowser(authorizationUrl);
    let st = (await api('GET', `/connections/authorize/${flowId}`)).json!;
    for (let i = 0; i < 50 && st.state === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      st = (await api('GET', `/connections/authorize/${flowId}`)).json!;
    }
    expect(st).toMatchObject({ state: 'completed' });
    const id = st.connectionId as string;
    const detail = await api('GET', `/connections/${id}`);
    expect(detail.json).toMatchObject({ id, status: 'active', oauth: { refreshState: 'ok', lastRefreshError: null } });
    expect((detail.json!.oauth as Record<string, unknown>).tokenExpiresAt).toEqual(expect.any(String));
    expect(detail.text).not.toMatch(/access_token|refresh_token/);
    for (const v of oidc.issuedTokenValues()) expect(detail.text).not.toContain(v);

    const re = await api('POST', `/connections/${id}/authorize`);
    expect(re.status).toBe(201);
    await driveBrowser((re.json as { authorizationUrl: string }).authorizationUrl);
    let st2 = (await api('GET', `/connections/authorize/${(re.json as { flowId: string }).flowId}`)).json!;
    for (let i = 0; i < 50 && st2.state === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      st2 = (await api('GET', `/connections/authorize/${(re.json as { flowId: string }).flowId}`)).json!;
    }
    expect(st2).toMatchObject({ state: 'completed', connectionId: id });
    expect((await api('GET', '/connections')).json!.items).toHaveLength(1);
    expect((await api('GET', '/connections/oauth-health')).json).toMatchObject({ providers: [{ provider: 'okta', connections: 1, connectionsInError: 0 }] });
    expect((await api('GET', '/connections/authorize/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api('DELETE', `/oauth-apps/${created.json!.id as string}`)).status).toBe(204);
  });

  it('a name a connection already has (under nameKey) is a 409 on name, and starts no flow', async () => {
    const app = await api('POST', '/oauth-apps', { provider: 'okta', clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret, scopes: ['openid'], settings: { baseUrl: oidc.issuer } });
    expect(app.status).toBe(201);
    const existing = await api('POST', '/connections', { name: 'Pager Prod', provider: 'pagerduty', authType: 'apikey', credential: 'k' });
    expect(existing.status).toBe(201);
    try {
      const before = (await api('GET', '/connections')).json!.items;
      for (const name of ['Pager Prod', 'PAGER PROD', ' pager prod ']) {
        const r = await api('POST', '/connections/authorize', { name, provider: 'okta', settings: { orgUrl: oidc.issuer } });
        expect(r.status, name).toBe(409);
        expect(r.json).toMatchObject({ error: { code: 'CONFLICT', field: 'name' } });
        expect(r.json).not.toHaveProperty('flowId');
      }
      expect((await api('GET', '/connections')).json!.items).toEqual(before);
    } finally {
      expect((await api('DELETE', `/connections/${existing.json!.id as string}`)).status).toBe(204);
      expect((await api('DELETE', `/oauth-apps/${app.json!.id as string}`)).status).toBe(204);
    }
  });
});
