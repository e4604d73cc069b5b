import { describe, expect, it } from 'vitest';
import type { HttpStepConfig } from '@shared/domain/workflow';
import type { Provider } from '@shared/domain/connection';
import type { ConnectionRecord } from '@core/connections/connection-service';
import { AppError } from '@core/errors';
import { StepError, type StepKindModule } from '@core/workflows/step-kind';
import { createHttpStepKind, planRequest, requestUrl, type HttpStepDeps } from '@core/workflows/steps/http-step';
import { classifyResponse, errorExcerpt, retryAfterMs } from '@core/workflows/steps/http-response-classifier';
import { stepHarness } from '../../helpers/http-step-harness';

const cfg = (over: Partial<HttpStepConfig> & Record<string, unknown>): HttpStepConfig => ({ connectionId: 'c1', method: 'GET', path: '/x', ...over }) as HttpStepConfig;
const refused = (fn: () => unknown): StepError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StepError);
    return e as StepError;
  }
  throw new Error('expected a refusal');
};

describe('the user headers may not replace the credential or the client headers', () => {
  it.each([
    ['Authorization', 'headers.Authorization is set by the connection'],
    ['authorization', 'headers.authorization is set by the connection'],
    ['DD-API-KEY', 'headers.DD-API-KEY is set by the connection'],
    ['dd-application-key', 'headers.dd-application-key is set by the connection'],
    ['X-Snowflake-Authorization-Token-Type', 'headers.X-Snowflake-Authorization-Token-Type is set by the connection'],
    ['Host', 'headers.Host is set by the HTTP client'],
    ['Content-Length', 'headers.Content-Length is set by the HTTP client'],
  ])('%s is refused', (name, message) => {
    const e = refused(() => planRequest(cfg({ headers: { [name]: 'v' } })));
    expect(e).toMatchObject({ code: 'INVALID_INPUT', message });
  });

  it('refuses line breaks, bad names and non-text values; other headers pass, lower-cased', () => {
    expect(refused(() => planRequest(cfg({ headers: { 'X-A': 'a\r\nX-Injected: 1' } }))).message).toBe('headers.X-A must not contain line breaks');
    expect(refused(() => planRequest(cfg({ headers: { 'bad name': 'v' } }))).code).toBe('INVALID_INPUT');
    expect(refused(() => planRequest(cfg({ headers: { 'X-A': { nested: 1 } } as never }))).message).toBe('headers.X-A must be a string');
    expect(planRequest(cfg({ headers: { 'X-Trace': 'abc', Accept: 'text/csv', 'X-N': 3 as never } })).headers).toEqual({ 'x-trace': 'abc', accept: 'text/csv', 'x-n': '3' });
  });
});

describe('the path stays under the base URL', () => {
  it.each(['//evil.example/x', '/\\evil.example/x', 'https://evil.example/x', 'evil', '/x#frag', '/x\n'])('%j is refused', (path) => {
    expect(refused(() => planRequest(cfg({ path }))).code).toBe('INVALID_INPUT');
  });

  it.each(['/../admin', '/%2e%2e/admin', '/a/../../admin'])('%j above a base path is refused', (path) => {
    const plan = planRequest(cfg({ path }));
    expect(refused(() => requestUrl('https://acme.example/jira', plan)).message).toMatch(/stay under the provider API base URL/);
  });

  it('paths under the base URL pass, with their own query and the step query appended, encoded', () => {
    const u = requestUrl('https://acme.example/jira', planRequest(cfg({ path: '/rest/a/../b?x=1', query: { q: 'a b&c', n: 2 as never, many: ['1', '2'] as never } })));
    expect(u.origin).toBe('https://acme.example');
    expect(u.pathname).toBe('/jira/rest/b');
    expect(u.searchParams.get('x')).toBe('1');
    expect(u.searchParams.get('q')).toBe('a b&c');
    expect(u.searchParams.getAll('many')).toEqual(['1', '2']);
    expect(u.search).toContain('q=a+b%26c');
  });

  it('an invalid base URL is the connection settings\' problem', () => {
    expect(refused(() => requestUrl('not a url', planRequest(cfg({}))))).toMatchObject({ code: 'PRECONDITION_FAILED' });
  });
});

describe('bodies', () => {
  it('an object or array is JSON, anything else text; no body with GET or HEAD', () => {
    expect(planRequest(cfg({ method: 'POST', body: { a: [1] } })).body).toEqual({ text: '{"a":[1]}', contentType: 'application/json' });
    expect(planRequest(cfg({ method: 'PUT', body: [1, 2] })).body).toEqual({ text: '[1,2]', contentType: 'application/json' });
    expect(planRequest(cfg({ method: 'POST', body: 'hi' })).body).toEqual({ text: 'hi', contentType: 'text/plain; charset=utf-8' });
    expect(planRequest(cfg({ method: 'POST', body: 42 })).body?.text).toBe('42');
    expect(planRequest(cfg({ method: 'POST', body: null })).body).toBeUndefined();
    expect(refused(() => planRequest(cfg({ method: 'GET', body: { a: 1 } }))).message).toBe('body is not allowed with GET');
  });
});

const H = (h: Record<string, string> = {}) => new Headers(h);
const NOW = Date.parse('2026-01-01T00:00:00Z');
const classify = (provider: Provider, status: number, json: unknown = null, headers: Record<string, string> = {}) => classifyResponse(provider, { status, headers: H(headers), json }, NOW);

describe('classification, like Test connection', () => {
  it.each<[string, Provider, number, unknown, Record<string, string>, Record<string, unknown> | null]>([
    ['2xx is a success', 'github', 200, {}, {}, null],
    ['204 is a success', 'jira', 204, null, {}, null],
    ['401 is an authentication failure', 'github', 401, { message: 'Bad credentials' }, {}, { code: 'AUTH_FAILED', authFailure: true, transient: false }],
    ['Slack 200 ok:false invalid_auth', 'slack', 200, { ok: false, error: 'invalid_auth' }, {}, { code: 'AUTH_FAILED', authFailure: true }],
    ['Slack token_revoked', 'slack', 200, { ok: false, error: 'token_revoked' }, {}, { code: 'AUTH_FAILED' }],
    ['Slack missing_scope names the scope', 'slack', 200, { ok: false, error: 'missing_scope', needed: 'chat:write' }, {}, { code: 'FORBIDDEN' }],
    ['Slack ratelimited', 'slack', 200, { ok: false, error: 'ratelimited' }, { 'retry-after': '3' }, { code: 'RATE_LIMITED', transient: true, retryAfterMs: 3000 }],
    ['Slack other ok:false', 'slack', 200, { ok: false, error: 'channel_not_found' }, {}, { code: 'PROVIDER_ERROR', transient: false }],
    ['Datadog 403 Forbidden is a bad key', 'datadog', 403, { errors: ['Forbidden'] }, {}, { code: 'AUTH_FAILED' }],
    ['Datadog 403 naming permissions is a permission', 'datadog', 403, { errors: ['Forbidden', 'Failed permission authorization checks'] }, {}, { code: 'FORBIDDEN' }],
    ['Snowflake 390144 is a bad JWT', 'snowflake', 400, { code: '390144', message: 'JWT token is invalid.' }, {}, { code: 'AUTH_FAILED' }],
    ['GitHub 403 with the rate limit exhausted', 'github', 403, {}, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 60) }, { code: 'RATE_LIMITED', retryAfterMs: 60_000 }],
    ['403 with the scope in WWW-Authenticate', 'okta', 403, {}, { 'www-authenticate': 'Bearer error="insufficient_scope", scope="okta.users.read"' }, { code: 'FORBIDDEN' }],
    ['429 with Retry-After seconds', 'pagerduty', 429, {}, { 'retry-after': '30' }, { code: 'RATE_LIMITED', transient: true, retryAfterMs: 30_000 }],
    ['429 without a hint', 'zendesk', 429, {}, {}, { code: 'RATE_LIMITED', transient: true }],
    ['500 is unavailable', 'jira', 500, {}, {}, { code: 'UNAVAILABLE', transient: true }],
    ['503 with Retry-After', 'jira', 503, {}, { 'retry-after': '5' }, { code: 'UNAVAILABLE', transient: true, retryAfterMs: 5000 }],
    ['408 is unavailable', 'jira', 408, {}, {}, { code: 'UNAVAILABLE', transient: true }],
    ['404 is a provider error, not transient', 'jira', 404, { errorMessages: ['Issue does not exist'] }, {}, { code: 'PROVIDER_ERROR', transient: false }],
    ['400 is a provider error', 'snyk', 400, { errors: [{ detail: 'version required' }] }, {}, { code: 'PROVIDER_ERROR', transient: false }],
  ])('%s', (_name, provider, status, json, headers, expected) => {
    const r = classify(provider, status, json, headers);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toMatchObject(expected);
  });

  it('messages name the scope or the provider error briefly, never the whole body', () => {
    expect(classify('slack', 200, { ok: false, error: 'missing_scope', needed: 'chat:write' })!.message).toContain('chat:write');
    expect(classify('okta', 403, {}, { 'www-authenticate': 'Bearer error="insufficient_scope", scope="okta.users.read"' })!.message).toContain('okta.users.read');
    expect(classify('jira', 404, { errorMessages: ['Issue does not exist'] })!.message).toBe('Jira answered HTTP 404: Issue does not exist');
    const long = classify('jira', 400, { message: 'x'.repeat(5000), secretish: 'y'.repeat(100) })!.message;
    expect(long.length).toBeLessThan(220);
    expect(long).not.toContain('yyyy');
    // A code field that is not code-like is not quoted.
    expect(classify('slack', 200, { ok: false, error: 'no such <script>' })!.message).toBe('Slack answered ok:false (unknown_error)');
  });

  it('Retry-After as seconds or an HTTP date; reset headers as epoch seconds or a delay', () => {
    expect(retryAfterMs(H({ 'retry-after': '7' }), NOW)).toBe(7000);
    expect(retryAfterMs(H({ 'retry-after': new Date(NOW + 120_000).toUTCString() }), NOW)).toBe(120_000);
    expect(retryAfterMs(H({ 'x-rate-limit-reset': String(NOW / 1000 + 10) }), NOW)).toBe(10_000);
    expect(retryAfterMs(H({ 'x-ratelimit-reset': '15' }), NOW)).toBe(15_000);
    expect(retryAfterMs(H({}), NOW)).toBeUndefined();
    expect(errorExcerpt({ error: { message: 'line1\nline2' } })).toBe('line1 line2');
  });
});

/** A connection record as credentialFor answers it (only what the step reads matters). */
const record = (authType: 'oauth2' | 'apikey'): ConnectionRecord =>
  ({ id: 'c1', workspaceId: 'w1', name: 'Conn', provider: 'github', authType, status: 'active', settings: { baseUrl: 'https://api.example' } }) as unknown as ConnectionRecord;

function stubDeps(authType: 'oauth2' | 'apikey', answers: Array<() => Response>, refreshed: () => Promise<string>) {
  const sent: Array<{ url: string; auth: string | null }> = [];
  const marked: string[] = [];
  const audited: string[] = [];
  const deps: HttpStepDeps = {
    connections: {
      internal: {
        credentialFor: async () => ({ connection: record(authType), credential: 'first-token', credentialFields: {} }),
        markError: (_ws, id) => {
          marked.push(id);
          return { ...record(authType), status: 'error' } as ConnectionRecord;
        },
      },
    },
    oauthTokens: { internal: { reportRejected: refreshed } },
    audit: { record: (e) => (audited.push(e.action), 'id') },
    transaction: (fn) => fn(),
    system: { kind: 'system', id: 'system', name: 'system', origin: 'system' },
    clock: { now: () => new Date(NOW) },
    fetch: async (input, init) => {
      sent.push({ url: String(input), auth: new Headers(init?.headers).get('authorization') });
      return answers.shift()!();
    },
  };
  return { deps, sent, marked, audited };
}
const status = (s: number) => () => new Response(s === 200 ? '{"ok":1}' : '{}', { status: s, headers: { 'content-type': 'application/json' } });

describe('an OAuth access token refused mid-run', () => {
  it('gets one refresh and the request goes again with the new token, which is registered', async () => {
    const { deps, sent, marked } = stubDeps('oauth2', [status(401), status(200)], async () => 'second-token');
    const h = stepHarness('w1', { kind: 'local', id: 'l', name: 'l', origin: 'ipc' });
    const r = await createHttpStepKind(deps).run(cfg({ path: '/user' }), h.ctx);
    expect(r.output).toMatchObject({ status: 200, body: { ok: 1 } });
    expect(sent.map((s) => s.auth)).toEqual(['Bearer first-token', 'Bearer second-token']);
    expect(h.injected.has('second-token')).toBe(true);
    expect(marked).toEqual([]);
  });

  it('a refused refresh (revoked grant) fails the step with AUTH_FAILED; the token service did the bookkeeping', async () => {
    const { deps, sent, marked } = stubDeps('oauth2', [status(401)], () => Promise.reject(new AppError('UNAUTHENTICATED', 'authentication failed: re-authorize')));
    const e = await createHttpStepKind(deps).run(cfg({}), stepHarness('w1', { kind: 'local', id: 'l', name: 'l', origin: 'ipc' }).ctx).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'AUTH_FAILED', opts: { authFailure: true } });
    expect(sent).toHaveLength(1);
    expect(marked).toEqual([]);
  });

  it('the new token refused too → the connection is marked error here, with its audit row', async () => {
    const { deps, marked, audited } = stubDeps('oauth2', [status(401), status(401)], async () => 'second-token');
    const e = await createHttpStepKind(deps).run(cfg({}), stepHarness('w1', { kind: 'local', id: 'l', name: 'l', origin: 'ipc' }).ctx).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'AUTH_FAILED' });
    expect(marked).toEqual(['c1']);
    expect(audited).toEqual(['connection.updated']);
  });

  it('an API key refused: no refresh, the connection is marked error at once', async () => {
    let refreshes = 0;
    const { deps, marked, sent } = stubDeps('apikey', [status(401)], async () => (refreshes++, 'x'));
    await expect(createHttpStepKind(deps).run(cfg({}), stepHarness('w1', { kind: 'local', id: 'l', name: 'l', origin: 'ipc' }).ctx)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(refreshes).toBe(0);
    expect(sent).toHaveLength(1);
    expect(marked).toEqual(['c1']);
  });
});

describe('the step kind', () => {
  it('references its connection, and fits the registry interface', () => {
    const kind: StepKindModule<HttpStepConfig> = createHttpStepKind(stubDeps('apikey', [], async () => '').deps);
    expect(kind.kind).toBe('http');
    expect(kind.references(cfg({ connectionId: 'abc' }))).toEqual({ connections: ['abc'] });
  });
});
