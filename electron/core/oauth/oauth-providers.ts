import * as oauth from 'oauth4webapi';
import { PROVIDER_CATALOG } from '@shared/domain/connection';
import type { OAuthProvider } from '@shared/domain/oauth';

/**
 * Per-provider OAuth policy and the small adapters for their quirks. Everything protocol-shaped (PKCE, state, code
 * exchange, refresh, response validation) is oauth4webapi's. The endpoints themselves are written once, in the shared
 * catalog (PROVIDER_CATALOG[p].oauth); this file only applies the overrides to them and smooths the two providers
 * that answer off-spec.
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

/** The part of an endpoint URL below `base` (its path and query when it lives on another host). */
function below(base: string, url: string): string {
  if (url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`)) return url.slice(base.length);
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/**
 * Endpoints for a provider, from the catalog. `baseUrl` (the OAuth app's settings.baseUrl) replaces the catalog's
 * issuer and every endpoint keeps its path below it; for Okta it is the authorization server (e.g.
 * https://{org}/oauth2/default) whose /v1/authorize and /v1/token are used; without it, Okta's `{org}` is the
 * connection's org URL (so its issuer is {org}/oauth2/default). An unset org leaves a relative URL the flow refuses.
 */
export function resolveEndpoints(provider: OAuthProvider, baseUrl: string | undefined, connectionSettings: Readonly<Record<string, string>>): OAuthEndpoints {
  const entry = PROVIDER_CATALOG[provider].oauth;
  if (!entry) throw new Error(`the catalog has no OAuth endpoints for ${provider}`);
  const org = strip(connectionSettings.orgUrl ?? '');
  const fill = (u: string) => u.replaceAll('{org}', org);
  const issuer = fill(entry.issuer);
  const base = baseUrl === undefined ? undefined : strip(baseUrl);
  const at = (template: string) => {
    const url = fill(template);
    return base === undefined ? url : `${base}${below(issuer, url)}`;
  };
  return {
    issuer: base ?? issuer,
    authorize: at(entry.authorizeUrl),
    token: at(entry.tokenUrl),
    ...(entry.revokeUrl ? { revoke: at(entry.revokeUrl) } : {}),
  };
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
