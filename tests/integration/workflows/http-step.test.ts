import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDERS, PROVIDER_CATALOG, type Provider } from '@shared/domain/connection';
import type { HttpStepConfig } from '@shared/domain/workflow';
import { RUN_MESSAGES } from '@shared/domain/workflow.catalog';
import { SYSTEM_ACTOR } from '@core/index';
import { createTransactor } from '@core/db/transactor';
import { AppError } from '@core/errors';
import { StepError } from '@core/workflows/step-kind';
import { createHttpStepKind, type HttpStepDeps } from '@core/workflows/steps/http-step';
import { makeReadyCore, unwrap } from '../../helpers/test-core';
import { oauthFixture } from '../../helpers/oauth-fixture';
import { driveBrowser } from '../../fakes/oidc-server';
import { RETRY_AFTER_SECONDS, startFakeProviders, type FakeProviders } from '../../fakes/fake-providers';
import { credentialHeaderValues, recordingFetch, stepHarness } from '../../helpers/http-step-harness';

/**
 * The http step kind through the real core (connections, vault, OAuth token service, audit) against the fake provider
 * servers, a second local server that records what a redirect target receives, and the real oidc-provider. The runner
 * is stood in for by tests/helpers/http-step-harness.ts.
 */
type Core = Awaited<ReturnType<typeof makeReadyCore>>;

let fake: FakeProviders;
let t: Core;
let ws: string;
const tokens = new Map<string, string>();

/** A local "provider" that redirects, echoes and records; `elsewhere` is another origin that records what it got. */
type Seen = { path: string; method: string; headers: http.IncomingHttpHeaders; body: string };
function recordingServer(handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', method: req.method ?? '', headers: req.headers, body });
      handle(req, res, body);
    });
  });
  return {
    seen,
    server,
    url: '',
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return this;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** Resolved when a request reaches /hang (which never answers). */
let hangArrived: () => void = () => undefined;
const elsewhere = recordingServer((req, res) => json(res, 200, { landed: 'elsewhere', authorization: req.headers.authorization ?? null }));
const provider = recordingServer((req, res, body) => {
  const path = (req.url ?? '').split('?')[0];
  switch (path) {
    case '/cross':
      res.writeHead(302, { location: `${elsewhere.url}/landing` }).end();
      return;
    case '/same':
      res.writeHead(302, { location: '/landing' }).end();
      return;
    case '/see-other':
      res.writeHead(303, { location: '/landing' }).end();
      return;
    case '/cross-307':
      res.writeHead(307, { location: `${elsewhere.url}/landing` }).end();
      return;
    case '/loop':
      res.writeHead(302, { location: '/loop' }).end();
      return;
    case '/landing':
      return json(res, 200, { landed: 'provider', method: req.method, authorization: req.headers.authorization ?? null, body });
    case '/echo':
      // A careless provider: it answers with the credential it was sent.
      return json(res, 200, { youSent: req.headers.authorization ?? null }, { 'x-request-id': 'req-1', 'set-cookie': 'session=abc' });
    case '/bad-echo':
      return json(res, 400, { message: `token ${req.headers.authorization ?? ''} may not do this` });
    case '/text':
      res.writeHead(200, { 'content-type': 'text/csv' }).end('a,b\n1,2\n');
      return;
    case '/big':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(4096));
      return;
    case '/hang':
      hangArrived();
      return;
    case '/reflect':
      return json(res, 200, { url: req.url, contentType: req.headers['content-type'] ?? null, body, custom: req.headers['x-custom'] ?? null });
    default:
      return json(res, 404, { message: 'not found' });
  }
});

beforeAll(async () => {
  fake = await startFakeProviders();
  await elsewhere.start();
  await provider.start();
});
afterAll(async () => {
  await fake.close();
  await elsewhere.close();
  await provider.close();
});
beforeEach(async () => {
  t = await makeReadyCore();
  ws = t.core.workspaces.defaultWorkspace().id;
  // Fixed access tokens for the OAuth providers (the real token service is exercised with oidc-provider below).
  t.core.connections.internal.registerCredentialSource('oauth2', async (c) => tokens.get(c.id) ?? '');
  provider.seen.length = 0;
  elsewhere.seen.length = 0;
});
afterEach(() => {
  fake.setMode('normal');
  t.close();
});

function stepFor(core: Core['core'], extra: Partial<HttpStepDeps> = {}) {
  return createHttpStepKind({
    connections: core.connections,
    oauthTokens: core.oauth.tokens,
    audit: core.audit,
    transaction: createTransactor(core.db).transaction,
    system: SYSTEM_ACTOR,
    clock: core.clock,
    ...extra,
  });
}

async function connect(p: Provider, credential: string, settings: Record<string, string> = fake.settings(p), extra: Record<string, unknown> = {}): Promise<string> {
  const entry = PROVIDER_CATALOG[p];
  const c = unwrap(
    await t.invoke('connections:create', {
      workspaceId: ws,
      name: `${p} ${Math.random().toString(36).slice(2, 8)}`,
      provider: p,
      authType: entry.authType,
      settings,
      ...(entry.authType === 'oauth2' ? {} : { credential }),
      ...extra,
    }),
  );
  if (entry.authType === 'oauth2') tokens.set(c.id, credential);
  return c.id;
}

/** Each fake provider's validation endpoint, called as a workflow would. */
const CALLS: Record<Provider, Omit<HttpStepConfig, 'connectionId'>> = {
  slack: { method: 'POST', path: '/api/auth.test' },
  github: { method: 'GET', path: '/user' },
  linkedin: { method: 'GET', path: '/v2/userinfo' },
  x: { method: 'GET', path: '/2/users/me' },
  okta: { method: 'GET', path: '/oauth2/v1/userinfo' },
  jira: { method: 'GET', path: '/rest/api/3/myself' },
  servicenow: { method: 'GET', path: '/api/now/table/sys_user', query: { sysparm_limit: '1' } },
  snyk: { method: 'GET', path: '/rest/self', query: { version: '2024-10-15' } },
  pagerduty: { method: 'GET', path: '/abilities' },
  datadog: { method: 'GET', path: '/api/v1/validate' },
  zendesk: { method: 'GET', path: '/api/v2/users/me.json' },
  snowflake: { method: 'POST', path: '/api/v2/statements', body: { statement: 'SELECT 1', timeout: 10 } },
};
const AUTH_KIND: Record<Provider, string> = {
  slack: 'OAuth bearer',
  github: 'OAuth bearer',
  linkedin: 'OAuth bearer',
  x: 'OAuth bearer',
  okta: 'OAuth bearer',
  jira: 'Basic email:token',
  servicenow: 'Basic username:password',
  zendesk: 'Basic email/token:token',
  snyk: 'custom scheme "token"',
  pagerduty: 'custom scheme "Token token="',
  datadog: 'custom header DD-API-KEY',
  snowflake: 'key-pair JWT verified by the fake',
};

async function failure(p: Promise<unknown>): Promise<StepError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StepError);
  return e as StepError;
}

describe('credential injection, per provider, as the provider expects', () => {
  for (const p of PROVIDERS) {
    it(`${PROVIDER_CATALOG[p].label}: ${AUTH_KIND[p]}, accepted by the fake; every value on the wire is registered with ctx.injected`, async () => {
      const id = await connect(p, fake.good[p]);
      const rec = recordingFetch();
      const h = stepHarness(ws, t.admin);
      const r = await stepFor(t.core, { fetch: rec.fetch }).run({ connectionId: id, ...CALLS[p] }, h.ctx);
      expect(r.output.status).toBe(200);
      if (p === 'slack') expect(r.output.body).toMatchObject({ ok: true });
      expect(h.used).toEqual([id]);
      expect(rec.sent).toHaveLength(1);
      expect(rec.sent[0]!.url.startsWith(fake.baseUrl(p))).toBe(true);
      // (a PEM is stored normalized: compared without its surrounding whitespace)
      expect([...h.injected].some((v) => v.trim() === fake.good[p].trim())).toBe(true);
      for (const v of credentialHeaderValues(rec.sent[0]!)) expect(h.injected.has(v)).toBe(true);
      if (['jira', 'servicenow', 'zendesk'].includes(p)) {
        const b64 = rec.sent[0]!.headers.authorization!.slice('Basic '.length);
        expect(h.injected.has(b64)).toBe(true);
      }
      if (p === 'snowflake') {
        expect(rec.sent[0]!.headers['x-snowflake-authorization-token-type']).toBe('KEYPAIR_JWT');
        expect(h.injected.has(rec.sent[0]!.headers.authorization!.slice('Bearer '.length))).toBe(true);
      }
    });
  }

  it('Datadog with an application key sends DD-API-KEY and DD-APPLICATION-KEY, both registered', async () => {
    const id = await connect('datadog', fake.good.datadog, fake.settings('datadog'), { credentialFields: { applicationKey: fake.datadogApplicationKey.good } });
    const rec = recordingFetch();
    const h = stepHarness(ws, t.admin);
    const r = await stepFor(t.core, { fetch: rec.fetch }).run({ connectionId: id, method: 'GET', path: '/api/v2/validate_keys' }, h.ctx);
    expect(r.output).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(rec.sent[0]!.headers['dd-application-key']).toBe(fake.datadogApplicationKey.good);
    expect(h.injected.has(fake.datadogApplicationKey.good)).toBe(true);
  });

  it('Snowflake with an encrypted key: the passphrase opens it, the JWT is accepted, the passphrase is registered too', async () => {
    const id = await connect('snowflake', fake.snowflakeEncrypted.pem, fake.settings('snowflake'), { credentialFields: { passphrase: fake.snowflakeEncrypted.passphrase } });
    const h = stepHarness(ws, t.admin);
    const r = await stepFor(t.core).run({ connectionId: id, ...CALLS.snowflake }, h.ctx);
    expect(r.output.status).toBe(200);
    expect(h.injected.has(fake.snowflakeEncrypted.passphrase)).toBe(true);
  });

  it("the base URL is the provider catalog's default unless the connection's settings.baseUrl overrides it", async () => {
    const withDefault = await connect('pagerduty', 'pd-key', {});
    const overridden = await connect('pagerduty', fake.good.pagerduty);
    const stub = recordingFetch(async () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }));
    await stepFor(t.core, { fetch: stub.fetch }).run({ connectionId: withDefault, method: 'GET', path: '/abilities' }, stepHarness(ws, t.admin).ctx);
    expect(stub.sent[0]!.url).toBe('https://api.pagerduty.com/abilities');
    const r = await stepFor(t.core).run({ connectionId: overridden, method: 'GET', path: '/abilities' }, stepHarness(ws, t.admin).ctx);
    expect(r.output.status).toBe(200);
    expect(fake.requests.at(-1)).toMatchObject({ provider: 'pagerduty', path: '/abilities' });
  });
});

describe('requests and answers', () => {
  it('query parameters are encoded, an object body goes as JSON, a string body as text; user headers are sent', async () => {
    const id = await connect('pagerduty', 'k', { baseUrl: provider.url });
    const step = stepFor(t.core);
    const r = await step.run(
      { connectionId: id, method: 'POST', path: '/reflect', query: { q: 'a b&c=d', 'ü': 'é/?' }, headers: { 'X-Custom': 'yes' }, body: { n: 1, s: 'x' } },
      stepHarness(ws, t.admin).ctx,
    );
    const echoed = r.output.body as { url: string; contentType: string; body: string; custom: string };
    expect(new URL(echoed.url, 'http://x').searchParams.get('q')).toBe('a b&c=d');
    expect(new URL(echoed.url, 'http://x').searchParams.get('ü')).toBe('é/?');
    expect(echoed.contentType).toBe('application/json');
    expect(JSON.parse(echoed.body)).toEqual({ n: 1, s: 'x' });
    expect(echoed.custom).toBe('yes');
    const text = await step.run({ connectionId: id, method: 'PUT', path: '/reflect', body: 'plain' }, stepHarness(ws, t.admin).ctx);
    expect(text.output.body).toMatchObject({ contentType: 'text/plain; charset=utf-8', body: 'plain' });
  });

  it('the output keeps a safe subset of the headers; text bodies stay text', async () => {
    const id = await connect('pagerduty', 'k', { baseUrl: provider.url });
    const r = await stepFor(t.core).run({ connectionId: id, method: 'GET', path: '/echo' }, stepHarness(ws, t.admin).ctx);
    expect(r.output.headers['x-request-id']).toBe('req-1');
    expect(r.output.headers['content-type']).toBe('application/json');
    expect(r.output.headers['set-cookie']).toBeUndefined();
    const csv = await stepFor(t.core).run({ connectionId: id, method: 'GET', path: '/text' }, stepHarness(ws, t.admin).ctx);
    expect(csv.output.body).toBe('a,b\n1,2\n');
  });

  it('a body over the read limit fails with a clear error', async () => {
    const id = await connect('pagerduty', 'k', { baseUrl: provider.url });
    const e = await failure(stepFor(t.core, { limits: { maxResponseBytes: 1024 } }).run({ connectionId: id, method: 'GET', path: '/big' }, stepHarness(ws, t.admin).ctx));
    expect(e.code).toBe('PAYLOAD_TOO_LARGE');
    expect(e.message).toMatch(/larger than/);
  });
});

describe('redirects', () => {
  it('a redirect to another host does NOT carry the credential (nor the user headers)', async () => {
    const id = await connect('pagerduty', 'pd-secret-key', { baseUrl: provider.url });
    const h = stepHarness(ws, t.admin);
    const r = await stepFor(t.core).run({ connectionId: id, method: 'GET', path: '/cross', headers: { 'X-Custom': 'private', Accept: 'application/json' } }, h.ctx);
    expect(r.output.body).toMatchObject({ landed: 'elsewhere', authorization: null });
    expect(provider.seen[0]!.headers.authorization).toBe('Token token=pd-secret-key');
    expect(elsewhere.seen).toHaveLength(1);
    const got = elsewhere.seen[0]!.headers;
    expect(got.authorization).toBeUndefined();
    expect(got['x-custom']).toBeUndefined();
    expect(got.accept).toBe('application/json');
    expect(JSON.stringify(got)).not.toContain('pd-secret-key');
  });

  it('a redirect on the same host keeps the credential; 303 after a POST becomes a GET without the body', async () => {
    const id = await connect('pagerduty', 'pd-secret-key', { baseUrl: provider.url });
    const same = await stepFor(t.core).run({ connectionId: id, method: 'GET', path: '/same' }, stepHarness(ws, t.admin).ctx);
    expect(same.output.body).toMatchObject({ landed: 'provider', authorization: 'Token token=pd-secret-key' });
    const seeOther = await stepFor(t.core).run({ connectionId: id, method: 'POST', path: '/see-other', body: { a: 1 } }, stepHarness(ws, t.admin).ctx);
    expect(seeOther.output.body).toMatchObject({ landed: 'provider', method: 'GET', body: '' });
  });

  it('a 307 that would resend the body to another host is not followed', async () => {
    const id = await connect('pagerduty', 'k', { baseUrl: provider.url });
    const e = await failure(stepFor(t.core).run({ connectionId: id, method: 'POST', path: '/cross-307', body: { secret: 'resolved' } }, stepHarness(ws, t.admin).ctx));
    expect(e.code).toBe('PROVIDER_ERROR');
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('stops after 5 redirects', async () => {
    const id = await connect('pagerduty', 'k', { baseUrl: provider.url });
    const e = await failure(stepFor(t.core).run({ connectionId: id, method: 'GET', path: '/loop' }, stepHarness(ws, t.admin).ctx));
    expect(e.code).toBe('PROVIDER_ERROR');
    expect(provider.seen).toHaveLength(6);
  });
});

describe("the seeds' run-time errors", () => {
  it('a paused connection: "connection is paused", nothing is sent, the connection is not used', async () => {
    const id = await connect('jira', fake.good.jira);
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id, status: 'paused' }));
    const before = fake.requests.length;
    const h = stepHarness(ws, t.admin);
    const e = await failure(stepFor(t.core).run({ connectionId: id, ...CALLS.jira }, h.ctx));
    expect(e.message).toBe(RUN_MESSAGES.connectionPaused);
    expect(e.opts.transient).toBeFalsy();
    expect(fake.requests.length).toBe(before);
    expect(h.used).toEqual([]);
  });

  it('a deleted connection, and one of another workspace: "connection not found"', async () => {
    const id = await connect('jira', fake.good.jira);
    unwrap(await t.invoke('connections:delete', { workspaceId: ws, id }));
    const e = await failure(stepFor(t.core).run({ connectionId: id, ...CALLS.jira }, stepHarness(ws, t.admin).ctx));
    expect(e).toMatchObject({ code: 'NOT_FOUND', message: RUN_MESSAGES.connectionNotFound });

    const other = unwrap(await t.invoke('workspaces:create', { name: 'Other team' }));
    const theirs = await connect('jira', fake.good.jira);
    const e2 = await failure(stepFor(t.core).run({ connectionId: theirs, ...CALLS.jira }, stepHarness(other.id, t.admin).ctx));
    expect(e2.message).toBe(RUN_MESSAGES.connectionNotFound);
  });

  it('401 → AUTH_FAILED (authFailure), the connection goes to error with a connection.updated audit row', async () => {
    const id = await connect('jira', fake.bad.jira);
    const e = await failure(stepFor(t.core).run({ connectionId: id, ...CALLS.jira }, stepHarness(ws, t.admin).ctx));
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.opts).toMatchObject({ authFailure: true });
    expect(e.opts.transient).toBeFalsy();
    expect(e.message).toMatch(/^authentication failed/);
    expect(e.message).not.toContain(fake.bad.jira);
    const c = t.core.connections.internal.get(ws, id);
    expect(c.status).toBe('error');
    expect(c.lastError?.code).toBe('auth_failed');
    const audit = unwrap(await t.invoke('audit:list', { workspaceId: ws, action: 'connection.updated' }));
    expect(audit.items.some((a) => a.target.id === id && JSON.stringify(a.details).includes('auth_failed'))).toBe(true);
  });

  it("Datadog's 403 for a bad key is an authentication failure too", async () => {
    const id = await connect('datadog', fake.bad.datadog);
    const e = await failure(stepFor(t.core).run({ connectionId: id, ...CALLS.datadog }, stepHarness(ws, t.admin).ctx));
    expect(e.code).toBe('AUTH_FAILED');
    expect(t.core.connections.internal.get(ws, id).status).toBe('error');
  });

  it('403 with a missing scope → FORBIDDEN naming it; the connection stays active', async () => {
    fake.setMode('insufficient_scope');
    const id = await connect('jira', fake.good.jira);
    const e = await failure(stepFor(t.core).run({ connectionId: id, ...CALLS.jira }, stepHarness(ws, t.admin).ctx));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.opts.transient).toBeFalsy();
    expect(t.core.connections.internal.get(ws, id).status).toBe('active');
  });

  it('429 with Retry-After → RATE_LIMITED, transient, retryAfterMs from the header', async () => {
    fake.setMode('rate_limited');
    const id = await connect('pagerduty', fake.good.pagerduty);
    const e = await failure(stepFor(t.core).run({ connectionId: id, ...CALLS.pagerduty }, stepHarness(ws, t.admin).ctx));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.opts).toMatchObject({ transient: true, retryAfterMs: RETRY_AFTER_SECONDS * 1000 });
  });

  it('5xx → UNAVAILABLE, transient; the connection is not touched', async () => {
    fake.setMode('server_error');
    const id = await connect('pagerduty', fake.good.pagerduty);
    const e = await failure(stepFor(t.core).run({ connectionId: id, ...CALLS.pagerduty }, stepHarness(ws, t.admin).ctx));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.opts.transient).toBe(true);
    expect(t.core.connections.internal.get(ws, id).status).toBe('active');
  });

  it('no answer within the limit → UNAVAILABLE, transient; a cancel aborts the request with the runner\'s reason', async () => {
    fake.setMode('hang');
    const id = await connect('pagerduty', fake.good.pagerduty);
    const e = await failure(stepFor(t.core, { limits: { requestTimeoutMs: 200 } }).run({ connectionId: id, ...CALLS.pagerduty }, stepHarness(ws, t.admin).ctx));
    expect(e).toMatchObject({ code: 'UNAVAILABLE', opts: { transient: true } });

    const local = await connect('pagerduty', 'k', { baseUrl: provider.url });
    const h = stepHarness(ws, t.admin);
    const cancelled = new Error('run cancelled');
    const arrived = new Promise<void>((r) => (hangArrived = r));
    const p = stepFor(t.core).run({ connectionId: local, method: 'GET', path: '/hang' }, h.ctx);
    await arrived; // cancel once the request reached the provider
    h.abort(cancelled);
    await expect(p).rejects.toBe(cancelled);
  });
});

describe('a provider that echoes the credential', () => {
  it('in a success body: the output holds it as the provider sent it, and it is registered, so the runner scrubs it', async () => {
    const id = await connect('pagerduty', 'pd-echoed-secret', { baseUrl: provider.url });
    const h = stepHarness(ws, t.admin);
    const r = await stepFor(t.core).run({ connectionId: id, method: 'GET', path: '/echo' }, h.ctx);
    const text = JSON.stringify(r.output);
    expect(text).toContain('pd-echoed-secret');
    expect(h.scrub(text)).not.toContain('pd-echoed-secret');
  });

  it('in an error body: the short excerpt in the message is cleaned by what was registered', async () => {
    const id = await connect('pagerduty', 'pd-echoed-secret', { baseUrl: provider.url });
    const h = stepHarness(ws, t.admin);
    const e = await failure(stepFor(t.core).run({ connectionId: id, method: 'GET', path: '/bad-echo' }, h.ctx));
    expect(e.code).toBe('PROVIDER_ERROR');
    expect(e.message.length).toBeLessThan(300);
    expect(h.scrub(e.message)).not.toContain('pd-echoed-secret');
  });

  it('the fakes echo the rejected Authorization on a 401: the error message never carries it', async () => {
    const id = await connect('github', fake.bad.github);
    const h = stepHarness(ws, t.admin);
    const e = await failure(
      stepFor(t.core, { oauthTokens: { internal: { reportRejected: () => Promise.reject(new AppError('UNAUTHENTICATED', 'authentication failed: re-authorize')) } } }).run({ connectionId: id, ...CALLS.github }, h.ctx),
    );
    expect(e.message).not.toContain(fake.bad.github);
    expect(h.injected.has(fake.bad.github)).toBe(true);
  });
});

describe('OAuth access token from the real oidc-provider', () => {
  it('the step sends the access token; revoked mid-run → AUTH_FAILED, connection error + refresh_failed; re-authorize → the step works again', async () => {
    const fx = await oauthFixture();
    try {
      const id = (await fx.authorize()).connectionId!;
      const step = stepFor(fx.core);
      const call: HttpStepConfig = { connectionId: id, method: 'GET', path: '/oauth2/v1/userinfo' };
      const rec = recordingFetch();
      const h = stepHarness(fx.ws, fx.admin);
      const ok = await stepFor(fx.core, { fetch: rec.fetch }).run(call, h.ctx);
      expect(ok.output).toMatchObject({ status: 200, body: { sub: 'test-user' } });
      const sentToken = rec.sent[0]!.headers.authorization!.slice('Bearer '.length);
      expect(h.injected.has(sentToken)).toBe(true);

      fx.oidc.revokeAll(); // the user removed the app at the provider while the run was going
      const e = await failure(step.run(call, stepHarness(fx.ws, fx.admin).ctx));
      expect(e).toMatchObject({ code: 'AUTH_FAILED', opts: { authFailure: true } });
      expect(unwrap(await fx.invoke('connections:get', { workspaceId: fx.ws, id })).status).toBe('error');
      expect(unwrap(await fx.invoke('audit:list', { workspaceId: fx.ws, action: 'connection.refresh_failed' })).items).toHaveLength(1);
      // Later steps on it fail fast with the same authentication error.
      expect((await failure(step.run(call, stepHarness(fx.ws, fx.admin).ctx))).code).toBe('AUTH_FAILED');

      const re = unwrap(await fx.invoke('oauth:reauthorize', { workspaceId: fx.ws, id }));
      await driveBrowser(re.authorizationUrl);
      expect(await fx.waitFlow(re.flowId)).toMatchObject({ state: 'completed', connectionId: id });
      const again = await step.run(call, stepHarness(fx.ws, fx.admin).ctx);
      expect(again.output.status).toBe(200);
    } finally {
      await fx.stop();
    }
  });
});
