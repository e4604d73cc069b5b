import * as oauth from 'oauth4webapi';
import type { OAuthProvider } from '@shared/domain/oauth';
import { missingCase } from '../errors';

/**
 * Per-provider OAuth facts (providers.md) and the small adapters for their quirks. Everything protocol-shaped
 * (PKCE, state, code exchange, refresh, response validation) is oauth4webapi's; this file only says where the
 * endpoints are and smooths the two providers that answer off-spec.
 */
export type OAuthEndpoints = { issuer: string; authorize: string; token: string; revoke?: string };

export type ProviderPolicy = {
  /** Refresh at least this often even when the access token is still fresh: refresh tokens that expire when unused. */
  keepAliveMs: number | null;
  /** Extra authorize parameters the provider needs. */
  authorizeParams?: Record<string, string>;
};

const DAY = 24 * 3600_000;

export const PROVIDER_POLICY: Record<OAuthProvider, ProviderPolicy> = {
  slack: { keepAliveMs: null },
  github: { keepAliveMs: null },
  linkedin: { keepAliveMs: null },
  // X refresh tokens and Okta's (idle lifetime) lapse when unused: keep them alive daily.
  x: { keepAliveMs: DAY },
  okta: { keepAliveMs: DAY },
};

const strip = (u: string) => u.replace(/\/+$/, '');

/**
 * Endpoints for a provider. `baseUrl` (the OAuth app's settings.baseUrl) replaces the provider's host part; for Okta
 * it is the authorization server (e.g. https://{org}/oauth2/default) whose /v1/authorize and /v1/token are used; without
 * it, Okta falls back to the connection's org URL + /oauth2/default.
 */
export function resolveEndpoints(provider: OAuthProvider, baseUrl: string | undefined, connectionSettings: Readonly<Record<string, string>>): OAuthEndpoints {
  switch (provider) {
    case 'slack': {
      const b = strip(baseUrl ?? 'https://slack.com');
      return { issuer: b, authorize: `${b}/oauth/v2/authorize`, token: `${b}/api/oauth.v2.access`, revoke: `${b}/api/auth.revoke` };
    }
    case 'github': {
      const b = strip(baseUrl ?? 'https://github.com');
      return { issuer: b, authorize: `${b}/login/oauth/authorize`, token: `${b}/login/oauth/access_token` };
    }
    case 'linkedin': {
      const b = strip(baseUrl ?? 'https://www.linkedin.com');
      return { issuer: b, authorize: `${b}/oauth/v2/authorization`, token: `${b}/oauth/v2/accessToken` };
    }
    case 'x':
      if (baseUrl) {
        const b = strip(baseUrl);
        return { issuer: b, authorize: `${b}/i/oauth2/authorize`, token: `${b}/2/oauth2/token`, revoke: `${b}/2/oauth2/revoke` };
      }
      return { issuer: 'https://x.com', authorize: 'https://x.com/i/oauth2/authorize', token: 'https://api.x.com/2/oauth2/token', revoke: 'https://api.x.com/2/oauth2/revoke' };
    case 'okta': {
      const b = strip(baseUrl ?? `${strip(connectionSettings.orgUrl ?? '')}/oauth2/default`);
      return { issuer: b, authorize: `${b}/v1/authorize`, token: `${b}/v1/token`, revoke: `${b}/v1/revoke` };
    }
    default:
      return missingCase(provider);
  }
}

const isLoopback = (u: string) => {
  try {
    const h = new URL(u).hostname;
    return h === '127.0.0.1' || h === 'localhost' || h === '[::1]';
  } catch {
    return false;
  }
};

function rewriteJson(res: Response, status: number, body: Record<string, unknown>): Response {
  const headers = new Headers(res.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  return new Response(JSON.stringify(body), { status, headers });
}

/**
 * The fetch the token endpoint calls go through. GitHub answers errors with HTTP 200 + {"error"} unless asked
 * for JSON, and Slack answers 200 + {"ok": false} and names its token type "bot"/"user": both are turned into the
 * RFC 6749 shapes here, so oauth4webapi sees a standard response.
 */
export function providerFetch(provider: OAuthProvider, base: typeof fetch = fetch): typeof fetch {
  if (provider !== 'github' && provider !== 'slack') return base;
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('accept', 'application/json');
    const res = await base(input, { ...init, headers });
    if (res.status !== 200 || !(res.headers.get('content-type') ?? '').includes('json')) return res;
    const body = (await res.json()) as Record<string, unknown>;
    if (provider === 'github') {
      return typeof body.error === 'string' ? rewriteJson(res, 400, { error: body.error }) : rewriteJson(res, 200, body);
    }
    if (body.ok === false) return rewriteJson(res, 400, { error: typeof body.error === 'string' ? body.error : 'invalid_request' });
    const { ok: _ok, ...rest } = body;
    return rewriteJson(res, 200, { ...rest, token_type: 'bearer' });
  };
}

/** oauth4webapi options for a provider's endpoint: the quirk adapter, and plain http allowed only on loopback. */
export function requestOptions(provider: OAuthProvider, endpoint: string, signal?: AbortSignal): oauth.TokenEndpointRequestOptions {
  const opts: oauth.TokenEndpointRequestOptions = { [oauth.customFetch]: providerFetch(provider) };
  if (isLoopback(endpoint)) opts[oauth.allowInsecureRequests] = true;
  if (signal) opts.signal = signal;
  return opts;
}

export function authorizationServer(e: OAuthEndpoints): oauth.AuthorizationServer {
  return { issuer: e.issuer, authorization_endpoint: e.authorize, token_endpoint: e.token, ...(e.revoke ? { revocation_endpoint: e.revoke } : {}) };
}

export function clientAuth(secret: string | null): oauth.ClientAuth {
  // client_secret_post is what every provider of the table accepts; PKCE-only public clients send no secret.
  return secret ? oauth.ClientSecretPost(secret) : oauth.None();
}
