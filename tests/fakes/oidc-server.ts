import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OAuth 2.0 / OIDC authorization server (oidc-provider) on loopback, shaped like an Okta authorization server
 * (`/v1/authorize`, `/v1/token`, `/v1/revoke`, `/v1/userinfo`), so the app's `okta` provider with
 * `settings.baseUrl = issuer` talks to it unchanged. Consent is auto-approved (or denied) by a hook, refresh tokens
 * rotate (single use) by default, and the token endpoint can be made to fail, to go down, or to answer slowly.
 */
export type TokenEndpointMode = 'ok' | 'down' | 'unreachable' | 'rate_limited';

type Stored = { payload: Record<string, unknown>; expiresAt: number | null };

/** In-memory adapter we can enumerate, so the test can "revoke at the server" without knowing any token. */
function makeAdapterClass(store: Map<string, Map<string, Stored>>) {
  return class MemoryAdapter {
    private readonly m: Map<string, Stored>;
    constructor(readonly name: string) {
      const existing = store.get(name);
      this.m = existing ?? new Map();
      if (!existing) store.set(name, this.m);
    }
    private live(id: string): Stored | undefined {
      const s = this.m.get(id);
      if (s && s.expiresAt !== null && s.expiresAt <= Date.now()) {
        this.m.delete(id);
        return undefined;
      }
      return s;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      this.m.set(id, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
    }
    async find(id: string) {
      return this.live(id)?.payload;
    }
    async findByUid(uid: string) {
      for (const [id, s] of this.m) if (s.payload.uid === uid) return this.live(id)?.payload;
      return undefined;
    }
    async findByUserCode(code: string) {
      for (const [id, s] of this.m) if (s.payload.userCode === code) return this.live(id)?.payload;
      return undefined;
    }
    async consume(id: string) {
      const s = this.m.get(id);
      if (s) s.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      this.m.delete(id);
    }
    async revokeByGrantId(grantId: string) {
      for (const m of store.values()) for (const [id, s] of m) if (s.payload.grantId === grantId) m.delete(id);
    }
  };
}

export type OidcServerOptions = {
  accessTokenTtl?: number;
  refreshTokenTtl?: number;
  rotateRefreshTokens?: boolean;
};

export type OidcServer = Awaited<ReturnType<typeof startOidcServer>>;

export const TEST_CLIENT = { clientId: 'desktop-app', clientSecret: 'desktop-app-client-secret-0123456789' };
export const PUBLIC_CLIENT = { clientId: 'public-app' };
/** Registered only for the hosted web redirect URI: a loopback redirect does not match (the docs' troubleshooting case). */
export const MISMATCH_CLIENT = { clientId: 'web-only-app' };

export async function startOidcServer(opts: OidcServerOptions = {}) {
  const state = {
    accessTtl: opts.accessTokenTtl ?? 3600,
    refreshTtl: opts.refreshTokenTtl ?? 30 * 24 * 3600,
    rotate: opts.rotateRefreshTokens ?? true,
    consent: 'approve' as 'approve' | 'deny',
    tokenMode: 'ok' as TokenEndpointMode,
    tokenDelayMs: 0,
    /** The next N token requests fail this way, then the mode reverts. */
    failNext: { n: 0, mode: 'down' as TokenEndpointMode },
    retryAfterSeconds: 1,
  };
  const stats = { refreshOk: 0, refreshInvalidGrant: 0, codeOk: 0, tokenRequests: 0, tokenErrors: 0, userinfo: 0 };
  const store = new Map<string, Map<string, Stored>>();

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    adapter: makeAdapterClass(store),
    clients: [
      {
        client_id: TEST_CLIENT.clientId,
        client_secret: TEST_CLIENT.clientSecret,
        token_endpoint_auth_method: 'client_secret_post',
        application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // native + loopback: any port is accepted (RFC 8252 §7.3)
        redirect_uris: ['http://127.0.0.1/callback'],
      },
      {
        client_id: PUBLIC_CLIENT.clientId,
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
      },
      {
        client_id: MISMATCH_CLIENT.clientId,
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['https://app.provenanceone.ai/auth/callback'],
      },
    ],
    routes: { authorization: '/v1/authorize', token: '/v1/token', revocation: '/v1/revoke', userinfo: '/v1/userinfo', jwks: '/v1/keys' },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, revocation: { enabled: true }, userinfo: { enabled: true } },
    ttl: {
      AccessToken: () => state.accessTtl,
      RefreshToken: () => state.refreshTtl,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 30 * 24 * 3600,
    },
    rotateRefreshToken: () => state.rotate,
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    cookies: { keys: ['test-cookie-key'] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  });
  provider.on('grant.success', (ctx: unknown) => {
    const gt = (ctx as { oidc: { params: { grant_type?: string } } }).oidc.params.grant_type;
    if (gt === 'refresh_token') stats.refreshOk++;
    else if (gt === 'authorization_code') stats.codeOk++;
  });
  provider.on('grant.error', (ctx: unknown, err: unknown) => {
    stats.tokenErrors++;
    const gt = (ctx as { oidc?: { params?: { grant_type?: string } } }).oidc?.params?.grant_type;
    if (gt === 'refresh_token' && (err as { error?: string }).error === 'invalid_grant') stats.refreshInvalidGrant++;
  });
  const callback = provider.callback();

  server.on('request', (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      if (url.pathname.startsWith('/interaction/')) {
        const details = await provider.interactionDetails(req, res);
        if (state.consent === 'deny') {
          await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User denied the request' }, {
            mergeWithLastSubmission: false,
          });
          return;
        }
        const grant = new provider.Grant({ accountId: 'test-user', clientId: String(details.params.client_id) });
        grant.addOIDCScope(String(details.params.scope ?? 'openid'));
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: 'test-user' }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      if (url.pathname === '/oauth2/v1/userinfo') req.url = '/v1/userinfo' + url.search;
      if (url.pathname === '/v1/userinfo' || url.pathname === '/oauth2/v1/userinfo') stats.userinfo++;
      if (url.pathname === '/v1/token') {
        stats.tokenRequests++;
        const mode = state.failNext.n > 0 ? (state.failNext.n--, state.failNext.mode) : state.tokenMode;
        if (mode === 'unreachable') {
          req.socket.destroy();
          return;
        }
        if (mode === 'down') {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable');
          return;
        }
        if (mode === 'rate_limited') {
          res
            .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(state.retryAfterSeconds) })
            .end('{"error":"rate_limited"}');
          return;
        }
        if (state.tokenDelayMs > 0) {
          let gone = false;
          res.on('close', () => (gone = true));
          await new Promise((r) => setTimeout(r, state.tokenDelayMs));
          // A client that died while the request was held never reached the server's grant logic.
          if (gone || req.socket.destroyed) return;
        }
      }
      callback(req, res);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
    });
  });

  return {
    issuer,
    port,
    provider,
    stats,
    /** Consent decision the "user" makes at the provider. */
    setConsent(c: 'approve' | 'deny') {
      state.consent = c;
    },
    setTokenEndpoint(mode: TokenEndpointMode, retryAfterSeconds = 1) {
      state.tokenMode = mode;
      state.retryAfterSeconds = retryAfterSeconds;
    },
    failNextTokenRequests(n: number, mode: TokenEndpointMode) {
      state.failNext = { n, mode };
    },
    setTokenDelay(ms: number) {
      state.tokenDelayMs = ms;
    },
    setAccessTokenTtl(seconds: number) {
      state.accessTtl = seconds;
    },
    setRefreshTokenTtl(seconds: number) {
      state.refreshTtl = seconds;
    },
    setRotation(on: boolean) {
      state.rotate = on;
    },
    /** "Revoke at the server": every grant, refresh token and access token is gone (the user removed the app). */
    revokeAll() {
      for (const name of ['Grant', 'RefreshToken', 'AccessToken', 'AuthorizationCode']) store.get(name)?.clear();
    },
    liveRefreshTokens(): number {
      return store.get('RefreshToken')?.size ?? 0;
    },
    /** Opaque token values the server issued (for oidc-provider they are the stored ids), to hunt for on disk. */
    issuedTokenValues(): string[] {
      return [...(store.get('RefreshToken')?.keys() ?? []), ...(store.get('AccessToken')?.keys() ?? [])];
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * Plays the browser: follows the authorization URL's redirects with a cookie jar until it reaches the loopback
 * callback, then calls it (the app's listener), and returns the final page text and the callback URL it reached.
 */
export async function driveBrowser(authorizationUrl: string, opts: { stopBeforeCallback?: boolean } = {}) {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  for (let i = 0; i < 20; i++) {
    const u = new URL(url);
    const isCallback = u.pathname === '/callback' && u.hostname === '127.0.0.1';
    if (isCallback && opts.stopBeforeCallback) return { callbackUrl: url, status: 0, body: '' };
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: "manual", headers: cookie && !isCallback ? { cookie } : {} }).catch((e: unknown) => {
      throw new Error(`browser could not load ${url.split("?")[0]}`, { cause: e });
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) {
      url = new URL(loc, url).toString();
      continue;
    }
    return { callbackUrl: isCallback ? url : null, status: res.status, body: await res.text(), finalUrl: url };
  }
  throw new Error('too many redirects');
}
