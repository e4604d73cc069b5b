import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDERS, PROVIDER_CATALOG, type Provider } from '@shared/domain/connection';
import { makeReadyCore, unwrap } from '../../helpers/test-core';
import { textContainsCanary } from '../../helpers/canary';
import { RETRY_AFTER_SECONDS, startFakeProviders, type FakeProviders } from '../../fakes/fake-providers';

/** Every outcome of every provider, through the real core (dispatch → service → vault → HTTP) against the fake providers. */
const TIMEOUT_MS = 400;
let fake: FakeProviders;
let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
const tokens = new Map<string, string>();

beforeAll(async () => (fake = await startFakeProviders()));
afterAll(() => fake.close());
beforeEach(async () => {
  t = await makeReadyCore({ connectionTestTimeoutMs: TIMEOUT_MS });
  ws = t.core.workspaces.defaultWorkspace().id;
  // The OAuth capability plugs its access-token provider in here; the tests hand out fixed tokens.
  t.core.connections.internal.registerCredentialSource('oauth2', async (c) => tokens.get(c.id) ?? '');
});
afterEach(() => {
  fake.setMode('normal');
  t.close();
});

async function connect(p: Provider, credential: string): Promise<string> {
  const entry = PROVIDER_CATALOG[p];
  const c = unwrap(
    await t.invoke('connections:create', {
      workspaceId: ws,
      name: `${p} conn`,
      provider: p,
      authType: entry.authType,
      settings: fake.settings(p),
      ...(entry.authType === 'oauth2' ? {} : { credential }),
    }),
  );
  if (entry.authType === 'oauth2') tokens.set(c.id, credential);
  return c.id;
}

const test = async (id: string) => unwrap(await t.invoke('connections:test', { workspaceId: ws, id }));
const status = (id: string) => t.core.connections.internal.get(ws, id).status;
const REJECT_STATUS: Partial<Record<Provider, number>> = { slack: 200, datadog: 403 };

for (const p of PROVIDERS) {
  const oauth = PROVIDER_CATALOG[p].authType === 'oauth2';
  describe(`${PROVIDER_CATALOG[p].label}`, () => {
    it('valid: the good credential passes and the connection is active', async () => {
      const id = await connect(p, fake.good[p]);
      const r = await test(id);
      expect(r).toMatchObject({ outcome: 'valid', ok: true, httpStatus: 200, retryAfterSeconds: null });
      expect(r.endpoint).toContain(fake.baseUrl(p));
      expect(r.latencyMs).toBeGreaterThanOrEqual(0);
      expect(status(id)).toBe('active');
      expect(t.core.connections.internal.get(ws, id).lastTest?.outcome).toBe('valid');
    });

    it('invalid_credential: rejected the provider\'s way, status error, body never echoed', async () => {
      const id = await connect(p, fake.bad[p]);
      const r = await test(id);
      expect(r).toMatchObject({ outcome: 'invalid_credential', ok: false, httpStatus: REJECT_STATUS[p] ?? 401 });
      expect(status(id)).toBe('error');
      expect(t.core.connections.internal.get(ws, id).lastError).toMatchObject({ code: 'invalid_credential' });
      expect(textContainsCanary(JSON.stringify(r), [fake.bad[p].slice(0, 60)])).toBeNull();
      expect(r.message).not.toMatch(/Bad credentials|Couldn't authenticate|presented/);
    });

    if (p !== 'datadog') {
      // Datadog's validate endpoint has no scopes: its 403 means an invalid key (tested above).
      it('insufficient_scope: a valid credential without the permission', async () => {
        const id = await connect(p, fake.good[p]);
        fake.setMode('insufficient_scope');
        const r = await test(id);
        expect(r).toMatchObject({ outcome: 'insufficient_scope', ok: false, httpStatus: p === 'slack' ? 200 : 403 });
        expect(status(id)).toBe(oauth ? 'error' : 'active');
      });
    }

    it('rate_limited: 429 with Retry-After', async () => {
      const id = await connect(p, fake.good[p]);
      fake.setMode('rate_limited');
      const r = await test(id);
      expect(r).toMatchObject({ outcome: 'rate_limited', httpStatus: 429, retryAfterSeconds: RETRY_AFTER_SECONDS });
      expect(r.message).toContain(`retry after ${RETRY_AFTER_SECONDS} s`);
      expect(status(id)).toBe(oauth ? 'error' : 'active');
    });

    it('provider_error: 5xx', async () => {
      const id = await connect(p, fake.good[p]);
      fake.setMode('server_error');
      expect(await test(id)).toMatchObject({ outcome: 'provider_error', httpStatus: 503 });
      expect(status(id)).toBe(oauth ? 'error' : 'active');
    });

    it('unreachable: a hanging socket times out within the bound', async () => {
      const id = await connect(p, fake.good[p]);
      fake.setMode('hang');
      const r = await test(id);
      expect(r).toMatchObject({ outcome: 'unreachable', httpStatus: null });
      expect(r.message).toMatch(/no answer .* within 0.4 s/);
      expect(r.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(r.latencyMs).toBeLessThan(TIMEOUT_MS + 5000);
    });
  });
}

describe('Datadog with an application key (GET /api/v1/validate, then GET /api/v2/validate_keys)', () => {
  async function connectDatadog(apiKey: string, applicationKey: string): Promise<string> {
    const c = unwrap(
      await t.invoke('connections:create', {
        workspaceId: ws,
        name: 'datadog with app key',
        provider: 'datadog',
        authType: 'apikey',
        credential: apiKey,
        credentialFields: { applicationKey },
        settings: fake.settings('datadog'),
      }),
    );
    return c.id;
  }

  it('valid: both keys good', async () => {
    const r = await test(await connectDatadog(fake.good.datadog, fake.datadogApplicationKey.good));
    expect(r).toMatchObject({ outcome: 'valid', ok: true, httpStatus: 200, endpoint: `GET ${fake.baseUrl('datadog')}/api/v2/validate_keys` });
  });

  it('invalid_credential naming the application key: Datadog 403 from validate_keys, body never echoed', async () => {
    const id = await connectDatadog(fake.good.datadog, fake.datadogApplicationKey.bad);
    const r = await test(id);
    expect(r).toMatchObject({ outcome: 'invalid_credential', ok: false, httpStatus: 403 });
    expect(r.message).toMatch(/^Datadog accepted the API key but rejected the application key/);
    expect(textContainsCanary(JSON.stringify(r), [fake.datadogApplicationKey.bad])).toBeNull();
    expect(status(id)).toBe('error');
  });

  it('invalid_credential naming the API key when that is the bad one', async () => {
    const r = await test(await connectDatadog(fake.bad.datadog, fake.datadogApplicationKey.good));
    expect(r).toMatchObject({ outcome: 'invalid_credential', httpStatus: 403, endpoint: `GET ${fake.baseUrl('datadog')}/api/v1/validate` });
    expect(r.message).toMatch(/rejected the API key/);
  });

  it('rate_limited, provider_error and unreachable are classified as without one', async () => {
    const id = await connectDatadog(fake.good.datadog, fake.datadogApplicationKey.good);
    fake.setMode('rate_limited');
    expect(await test(id)).toMatchObject({ outcome: 'rate_limited', retryAfterSeconds: RETRY_AFTER_SECONDS });
    fake.setMode('server_error');
    expect(await test(id)).toMatchObject({ outcome: 'provider_error', httpStatus: 503 });
    fake.setMode('hang');
    const r = await test(id);
    expect(r).toMatchObject({ outcome: 'unreachable', httpStatus: null });
    expect(r.latencyMs).toBeLessThan(TIMEOUT_MS + 5000);
    expect(status(id)).toBe('active');
  });
});

describe('Snowflake with an encrypted private key', () => {
  it('valid: the key is decrypted with its passphrase and the JWT verifies with the public key', async () => {
    const c = unwrap(
      await t.invoke('connections:create', {
        workspaceId: ws,
        name: 'snowflake encrypted',
        provider: 'snowflake',
        authType: 'serviceaccount',
        credential: fake.snowflakeEncrypted.pem,
        credentialFields: { passphrase: fake.snowflakeEncrypted.passphrase },
        settings: fake.settings('snowflake'),
      }),
    );
    expect(await test(c.id)).toMatchObject({ outcome: 'valid', ok: true, httpStatus: 200 });
  });
});

describe('transport edge cases', () => {
  it('a closed port is unreachable (connection refused), not a crash', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const c = unwrap(
      await t.invoke('connections:create', {
        workspaceId: ws,
        name: 'closed',
        provider: 'pagerduty',
        authType: 'apikey',
        credential: 'k',
        settings: { baseUrl: `http://127.0.0.1:${port}` },
      }),
    );
    const r = await test(c.id);
    expect(r).toMatchObject({ outcome: 'unreachable', httpStatus: null });
    expect(r.message).toContain('refused');
  });

  it('a wrong base URL path is a provider_error that says to check the URL', async () => {
    const c = unwrap(
      await t.invoke('connections:create', {
        workspaceId: ws,
        name: 'wrong path',
        provider: 'pagerduty',
        authType: 'apikey',
        credential: fake.good.pagerduty,
        settings: { baseUrl: `${fake.url}/nowhere` },
      }),
    );
    const r = await test(c.id);
    expect(r).toMatchObject({ outcome: 'provider_error', httpStatus: 404 });
    expect(r.message).toContain('check the base URL');
  });
});
