import { describe, expect, it } from 'vitest';
import { nextRefreshAt } from '@core/oauth/oauth-token-service';
import { providerFetch, resolveEndpoints } from '@core/oauth/oauth-providers';
import { PROVIDER_CATALOG } from '@shared/domain/connection';
import { OAUTH_PROVIDERS } from '@shared/domain/oauth';
import { isOpenableExternalUrl } from '../../../electron/main/security';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('refresh schedule', () => {
  it('leads by max(15 min, 20 %) with up to min(5 min, 10 %) jitter', () => {
    // 1 h token: lead 15 min, jitter ≤ 5 min
    expect(nextRefreshAt('github', 0, HOUR, HOUR, () => 0)).toBe(45 * MIN);
    expect(nextRefreshAt('github', 0, HOUR, HOUR, () => 0.5)).toBe(42.5 * MIN);
    // 8 h token (GitHub expiring user tokens): lead 20 % = 96 min
    expect(nextRefreshAt('github', 0, 8 * HOUR, 8 * HOUR, () => 0)).toBe(8 * HOUR - 96 * MIN);
    // a 60 s token: lead capped at half the lifetime
    expect(nextRefreshAt('github', 0, 60_000, 60_000, () => 0)).toBe(30_000);
  });

  it('keeps refresh tokens that lapse when unused alive at least daily, and leaves non-expiring tokens alone', () => {
    // LinkedIn: 60-day access tokens, no keep-alive: lead 20 % = 12 days
    expect(nextRefreshAt('linkedin', 0, 60 * 24 * HOUR, 60 * 24 * HOUR, () => 0)).toBe(48 * 24 * HOUR);
    // Okta / X: the daily keep-alive wins over a long token
    expect(nextRefreshAt('okta', 0, 30 * 24 * HOUR, 30 * 24 * HOUR, () => 0)).toBe(24 * HOUR);
    expect(nextRefreshAt('x', 0, null, null, () => 0)).toBe(24 * HOUR);
    expect(nextRefreshAt('github', 0, null, null, () => 0)).toBeNull();
  });
});

describe('provider endpoints and quirks', () => {
  it('resolves defaults and the base URL override (Okta: the authorization server)', () => {
    expect(resolveEndpoints('github', undefined, {}).token).toBe('https://github.com/login/oauth/access_token');
    expect(resolveEndpoints('okta', 'https://acme.okta.com/oauth2/default/', {})).toMatchObject({
      authorize: 'https://acme.okta.com/oauth2/default/v1/authorize',
      token: 'https://acme.okta.com/oauth2/default/v1/token',
    });
    expect(resolveEndpoints('okta', undefined, { orgUrl: 'https://acme.okta.com' }).token).toBe('https://acme.okta.com/oauth2/default/v1/token');
    expect(resolveEndpoints('x', undefined, {}).token).toBe('https://api.x.com/2/oauth2/token');
    expect(resolveEndpoints('slack', 'http://127.0.0.1:9', {}).token).toBe('http://127.0.0.1:9/api/oauth.v2.access');
  });

  it('takes every endpoint from the shared catalog, the one place they are written', () => {
    const org = 'https://acme.okta.com';
    for (const p of OAUTH_PROVIDERS) {
      const entry = PROVIDER_CATALOG[p].oauth!;
      const fill = (u: string | undefined) => u?.replaceAll('{org}', org);
      expect(resolveEndpoints(p, undefined, { orgUrl: org }), p).toEqual({
        issuer: fill(entry.issuer),
        authorize: fill(entry.authorizeUrl),
        token: fill(entry.tokenUrl),
        ...(entry.revokeUrl ? { revoke: fill(entry.revokeUrl) } : {}),
      });
    }
  });

  it('settings.baseUrl replaces the issuer and keeps each endpoint path (also those on another host of the provider)', () => {
    const b = 'http://127.0.0.1:9';
    const expected = {
      slack: { issuer: b, authorize: `${b}/oauth/v2/authorize`, token: `${b}/api/oauth.v2.access`, revoke: `${b}/api/auth.revoke` },
      github: { issuer: b, authorize: `${b}/login/oauth/authorize`, token: `${b}/login/oauth/access_token` },
      linkedin: { issuer: b, authorize: `${b}/oauth/v2/authorization`, token: `${b}/oauth/v2/accessToken` },
      x: { issuer: b, authorize: `${b}/i/oauth2/authorize`, token: `${b}/2/oauth2/token`, revoke: `${b}/2/oauth2/revoke` },
      okta: { issuer: b, authorize: `${b}/v1/authorize`, token: `${b}/v1/token`, revoke: `${b}/v1/revoke` },
    };
    for (const p of OAUTH_PROVIDERS) expect(resolveEndpoints(p, `${b}/`, { orgUrl: 'https://ignored.okta.com' }), p).toEqual(expected[p]);
    // Okta without an org URL or a base URL: a relative URL, which the consent flow refuses naming settings.orgUrl.
    expect(resolveEndpoints('okta', undefined, {}).authorize).toBe('/oauth2/default/v1/authorize');
  });

  const reply = (body: unknown, status = 200) =>
    (async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })) as unknown as typeof fetch;

  it('GitHub: asks for JSON and turns a 200 {"error"} into an RFC 6749 error response', async () => {
    let accept = '';
    const base = (async (_u: unknown, init?: RequestInit) => {
      accept = new Headers(init?.headers).get('accept') ?? '';
      return new Response(JSON.stringify({ error: 'bad_verification_code', error_description: 'x' }), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    const res = await providerFetch('github', base)('https://github.com/login/oauth/access_token', { method: 'POST' });
    expect(accept).toBe('application/json');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'bad_verification_code' });
  });

  it('Slack: ok:false becomes an error response, ok:true a bearer token response', async () => {
    const bad = await providerFetch('slack', reply({ ok: false, error: 'invalid_refresh_token' }))('https://slack.com/api/oauth.v2.access');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_refresh_token' });
    const good = await providerFetch('slack', reply({ ok: true, access_token: 'xoxe', token_type: 'bot', refresh_token: 'r', expires_in: 43200 }))(
      'https://slack.com/api/oauth.v2.access',
    );
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ access_token: 'xoxe', token_type: 'bearer', refresh_token: 'r', expires_in: 43200 });
  });
});

describe('system browser', () => {
  it('opens only https consent pages and loopback http', () => {
    expect(isOpenableExternalUrl('https://github.com/login/oauth/authorize?x=1')).toBe(true);
    expect(isOpenableExternalUrl('http://127.0.0.1:5555/v1/authorize')).toBe(true);
    for (const bad of ['http://evil.example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@host/', 'not a url']) {
      expect(isOpenableExternalUrl(bad)).toBe(false);
    }
  });
});
