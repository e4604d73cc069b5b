import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { createHttpConnectionTester, defaultBaseUrl } from '@core/connections/http-connection-tester';
import { snowflakeJwt } from '@core/connections/provider-auth';

/** A tiny server whose answer each test sets, to pin the classification rules that the fake providers do not reach. */
let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, r) => r.end();
let url: string;
const seen: Array<{ path: string; auth: string | undefined }> = [];
const server = http.createServer((req, res) => {
  seen.push({ path: req.url ?? '', auth: req.headers.authorization });
  answer(req, res);
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const tester = createHttpConnectionTester({ timeoutMs: 1000 });
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_q: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('http connection tester', () => {
  it('does not follow a redirect, so the credential is never replayed to another host', async () => {
    seen.length = 0;
    answer = (_q, res) => {
      res.writeHead(302, { location: `${url}/elsewhere` });
      res.end();
    };
    const r = await tester({ provider: 'github', settings: { baseUrl: url }, credential: 'gh-token' });
    expect(r).toMatchObject({ outcome: 'provider_error', httpStatus: 302 });
    expect(seen.map((s) => s.path)).toEqual(['/user']);
  });

  it('reads Retry-After given as an HTTP date', async () => {
    answer = json(429, {}, { 'retry-after': new Date(Date.now() + 120_000).toUTCString() });
    const r = await tester({ provider: 'pagerduty', settings: { baseUrl: url }, credential: 'k' });
    expect(r.outcome).toBe('rate_limited');
    expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(118);
    expect(r.retryAfterSeconds).toBeLessThanOrEqual(121);
  });

  it('GitHub 403 with an exhausted rate limit is rate_limited, not a scope problem', async () => {
    answer = json(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0' });
    expect((await tester({ provider: 'github', settings: { baseUrl: url }, credential: 't' })).outcome).toBe('rate_limited');
  });

  it("Zendesk's anonymous 200 (no valid authentication) is an invalid credential", async () => {
    answer = json(200, { user: { id: null, name: 'Anonymous user' } });
    expect((await tester({ provider: 'zendesk', settings: { baseUrl: url, email: 'a@b.co' }, credential: 't' })).outcome).toBe('invalid_credential');
  });

  it('Datadog 200 without valid:true is not valid', async () => {
    answer = json(200, { valid: false });
    expect((await tester({ provider: 'datadog', settings: { baseUrl: url }, credential: 'k' })).outcome).toBe('invalid_credential');
  });

  it('Datadog with an application key: validate_keys gets both headers; its 401 or 403 names the application key; 200 needs status ok', async () => {
    const headers: Array<Record<string, unknown>> = [];
    const keys = (status: number, body: unknown) => (req: http.IncomingMessage, res: http.ServerResponse) => {
      headers.push({ path: req.url, api: req.headers['dd-api-key'], app: req.headers['dd-application-key'] });
      return (req.url === '/api/v1/validate' ? json(200, { valid: true }) : json(status, body))(req, res);
    };
    const dd = { provider: 'datadog' as const, settings: { baseUrl: url }, credential: 'api', credentialFields: { applicationKey: 'app' } };
    answer = keys(401, { errors: ['Unauthorized'] });
    const r401 = await tester(dd);
    expect(r401).toMatchObject({ outcome: 'invalid_credential', httpStatus: 401, message: expect.stringContaining('rejected the application key') });
    // The API key check does not carry the application key; the pair check carries both.
    expect(headers).toEqual([
      { path: '/api/v1/validate', api: 'api', app: undefined },
      { path: '/api/v2/validate_keys', api: 'api', app: 'app' },
    ]);
    answer = keys(403, { errors: ['Forbidden'] });
    expect(await tester(dd)).toMatchObject({ outcome: 'invalid_credential', httpStatus: 403 });
    answer = keys(200, { status: 'nope' });
    expect((await tester(dd)).outcome).toBe('invalid_credential');
    answer = keys(200, { status: 'ok' });
    expect(await tester(dd)).toMatchObject({ outcome: 'valid', httpStatus: 200 });
    answer = keys(429, { errors: ['Too many requests'] });
    expect((await tester(dd)).outcome).toBe('rate_limited');
    headers.length = 0;
    expect((await tester({ ...dd, credentialFields: {} })).outcome).toBe('valid');
    expect(headers.map((h) => h.path)).toEqual(['/api/v1/validate']);
  });

  it('Slack ok:false with an unknown code is a provider error naming only the code; a body with text is never echoed', async () => {
    answer = json(200, { ok: false, error: 'Leaked secret xoxb-123 here' });
    const r = await tester({ provider: 'slack', settings: { baseUrl: url }, credential: 'xoxb-123' });
    expect(r.outcome).toBe('provider_error');
    expect(r.message).not.toContain('xoxb');
    answer = json(200, { ok: false, error: 'team_not_found' });
    expect((await tester({ provider: 'slack', settings: { baseUrl: url }, credential: 'x' })).message).toContain('team_not_found');
  });

  it('a huge body is not buffered: the answer is still classified by its status', async () => {
    answer = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"valid":true,"pad":"${'x'.repeat(200_000)}"}`);
    };
    // Datadog needs valid:true from the body; an oversized body counts as no body.
    expect((await tester({ provider: 'datadog', settings: { baseUrl: url }, credential: 'k' })).outcome).toBe('invalid_credential');
  });

  it('sends each provider its documented auth header', async () => {
    seen.length = 0;
    answer = json(200, { ok: true, valid: true, user: { id: 1 } });
    await tester({ provider: 'snyk', settings: { baseUrl: url }, credential: 'sk' });
    await tester({ provider: 'pagerduty', settings: { baseUrl: url }, credential: 'pk' });
    await tester({ provider: 'jira', settings: { baseUrl: url, email: 'me@x.io' }, credential: 'jt' });
    await tester({ provider: 'zendesk', settings: { baseUrl: url, email: 'me@x.io' }, credential: 'zt' });
    expect(seen.map((s) => s.auth)).toEqual([
      'token sk',
      'Token token=pk',
      `Basic ${Buffer.from('me@x.io:jt').toString('base64')}`,
      `Basic ${Buffer.from('me@x.io/token:zt').toString('base64')}`,
    ]);
    expect(seen[0]!.path).toBe('/rest/self?version=2024-10-15');
  });

  it('uses the provider default base URL unless overridden', () => {
    expect(defaultBaseUrl('datadog', { site: 'datadoghq.eu' })).toBe('https://api.datadoghq.eu');
    expect(defaultBaseUrl('zendesk', { subdomain: 'acme' })).toBe('https://acme.zendesk.com');
    expect(defaultBaseUrl('snowflake', { account: 'org-acct' })).toBe('https://org-acct.snowflakecomputing.com');
    expect(defaultBaseUrl('snyk', {})).toBe('https://api.snyk.io');
  });
});

describe('Snowflake key-pair JWT', () => {
  it('is RS256 with iss ACCOUNT.USER.SHA256:<fingerprint>, sub ACCOUNT.USER and a lifetime under an hour', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const jwt = await snowflakeJwt('myorg-acct1.eu-west-1', 'svc_user', pem, new Date('2026-01-01T00:00:00Z'));
    const fp = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    expect(decodeProtectedHeader(jwt).alg).toBe('RS256');
    const claims = decodeJwt(jwt);
    expect(claims).toMatchObject({ iss: `MYORG-ACCT1.SVC_USER.SHA256:${fp}`, sub: 'MYORG-ACCT1.SVC_USER' });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(3600);
    await expect(jwtVerify(jwt, publicKey, { currentDate: new Date('2026-01-01T00:10:00Z') })).resolves.toBeTruthy();
  });

  it('an encrypted key signs with its passphrase; without it, or with a wrong one, nothing is sent', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' }).toString();
    expect(pem).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    const sf = { provider: 'snowflake' as const, settings: { baseUrl: url, account: 'a', user: 'u' }, credential: pem };
    seen.length = 0;
    for (const credentialFields of [{}, { passphrase: 'wrong' }] as Array<Record<string, string>>) {
      const r = await tester({ ...sf, credentialFields });
      expect(r).toMatchObject({ outcome: 'invalid_credential', httpStatus: null, message: expect.stringContaining('passphrase') });
      expect(r.message).not.toContain('wrong');
    }
    expect(seen).toHaveLength(0);
    answer = json(200, { code: '090001' });
    expect((await tester({ ...sf, credentialFields: { passphrase: 'right' } })).outcome).toBe('valid');
    const jwt = seen[0]!.auth!.slice('Bearer '.length);
    await expect(jwtVerify(jwt, publicKey)).resolves.toBeTruthy();
  });

  it('a key that is not RSA, or too short, is reported as a credential problem without contacting Snowflake', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    seen.length = 0;
    const r = await tester({ provider: 'snowflake', settings: { baseUrl: url, account: 'a', user: 'u' }, credential: ec });
    expect(r).toMatchObject({ outcome: 'invalid_credential', httpStatus: null });
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect((await tester({ provider: 'snowflake', settings: { baseUrl: url, account: 'a', user: 'u' }, credential: short })).message).toContain('2048');
    expect(seen).toHaveLength(0);
  });
});
