import http from 'node:http';
import { generateKeyPairSync, randomBytes, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { PROVIDERS, type Provider } from '@shared/domain/connection';

/**
 * One local HTTP server that answers like each provider's validation endpoint (providers.md), under
 * `/<provider>/…`, so a connection's `settings.baseUrl` = `fake.baseUrl(provider)`.
 *
 * - mode 'normal': the good credential is accepted, anything else rejected the provider's way (Slack 200 ok:false
 *   invalid_auth, Datadog 403, Snowflake 401 code 390144 after verifying the JWT with the public key, others 401).
 *   Datadog also answers `GET /api/v2/validate_keys` (DD-API-KEY + DD-APPLICATION-KEY): 200 `{"status":"ok"}` when
 *   both keys are good, else 403 `{"errors":["Forbidden"]}`; `/api/v1/validate` ignores the application key, as
 *   Datadog's does. The good Snowflake key also comes encrypted (`snowflakeEncrypted`: PKCS#8 PEM + passphrase).
 * - 'insufficient_scope' (403 / Slack missing_scope), 'rate_limited' (429 + Retry-After), 'server_error' (503),
 *   'hang' (accepts the request and never answers).
 * Rejections echo the presented Authorization value in their body, like a careless provider might: the app must
 * never pass a provider body on.
 */
export type FakeMode = 'normal' | 'insufficient_scope' | 'rate_limited' | 'server_error' | 'hang';

export const FAKE_SETTINGS: Record<Provider, Record<string, string>> = {
  slack: {},
  github: {},
  linkedin: {},
  x: {},
  okta: { orgUrl: 'https://example.okta.com' },
  jira: { siteUrl: 'https://example.atlassian.net', email: 'ops@example.com' },
  servicenow: { instanceUrl: 'https://example.service-now.com', username: 'svc-provenance' },
  snyk: {},
  pagerduty: {},
  datadog: { site: 'datadoghq.com' },
  zendesk: { subdomain: 'example', email: 'agent@example.com' },
  snowflake: { account: 'myorg-acct1', user: 'svc_provenance', role: 'READER', warehouse: 'WH' },
};

export const RETRY_AFTER_SECONDS = 30;

function rsaPem() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey };
}

export async function startFakeProviders() {
  let mode: FakeMode = 'normal';
  const snowflake = rsaPem();
  const otherKey = rsaPem();
  const good: Record<Provider, string> = Object.fromEntries(
    PROVIDERS.map((p) => [p, p === 'snowflake' ? snowflake.privateKeyPem : `good-${p}-${randomBytes(8).toString('hex')}`]),
  ) as Record<Provider, string>;
  const bad: Record<Provider, string> = Object.fromEntries(
    PROVIDERS.map((p) => [p, p === 'snowflake' ? otherKey.privateKeyPem : `bad-${p}-${randomBytes(8).toString('hex')}`]),
  ) as Record<Provider, string>;
  /** Datadog application keys: only `good` is accepted, and only together with the good API key. */
  const datadogApplicationKey = { good: `good-ddapp-${randomBytes(8).toString('hex')}`, bad: `bad-ddapp-${randomBytes(8).toString('hex')}` };
  const snowflakePassphrase = `pass-${randomBytes(8).toString('hex')}`;
  /** The good Snowflake key as an encrypted PKCS#8 PEM (BEGIN ENCRYPTED PRIVATE KEY) and its passphrase. */
  const snowflakeEncrypted = {
    pem: snowflake.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: snowflakePassphrase }).toString(),
    passphrase: snowflakePassphrase,
  };
  const requests: Array<{ provider: string; method: string; path: string }> = [];
  const hanging = new Set<http.ServerResponse>();

  const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
  const pubDer = snowflake.publicKey.export({ type: 'spki', format: 'der' });
  const fingerprint = `SHA256:${createHash('sha256').update(pubDer).digest('base64')}`;

  /** Whether the request carries the good credential, checked the provider's way. */
  async function authorized(p: Provider, req: http.IncomingMessage): Promise<boolean> {
    const auth = req.headers.authorization ?? '';
    const s = FAKE_SETTINGS[p];
    switch (p) {
      case 'slack':
      case 'github':
      case 'linkedin':
      case 'x':
      case 'okta':
        return auth === `Bearer ${good[p]}`;
      case 'jira':
        return auth === basic(s.email!, good[p]);
      case 'servicenow':
        return auth === basic(s.username!, good[p]);
      case 'zendesk':
        return auth === basic(`${s.email!}/token`, good[p]);
      case 'snyk':
        return auth === `token ${good[p]}`;
      case 'pagerduty':
        return auth === `Token token=${good[p]}`;
      case 'datadog':
        return req.headers['dd-api-key'] === good[p];
      case 'snowflake': {
        if (req.headers['x-snowflake-authorization-token-type'] !== 'KEYPAIR_JWT' || !auth.startsWith('Bearer ')) return false;
        try {
          const { payload } = await jwtVerify(auth.slice(7), snowflake.publicKey, { algorithms: ['RS256'] });
          const who = `${s.account!.toUpperCase()}.${s.user!.toUpperCase()}`;
          const lifetime = (payload.exp ?? 0) - (payload.iat ?? 0);
          return payload.iss === `${who}.${fingerprint}` && payload.sub === who && lifetime > 0 && lifetime <= 3600;
        } catch {
          return false;
        }
      }
    }
  }

  const PATHS: Record<Provider, string> = {
    slack: 'POST /api/auth.test',
    github: 'GET /user',
    linkedin: 'GET /v2/userinfo',
    x: 'GET /2/users/me',
    okta: 'GET /oauth2/v1/userinfo',
    jira: 'GET /rest/api/3/myself',
    servicenow: 'GET /api/now/table/sys_user',
    snyk: 'GET /rest/self',
    pagerduty: 'GET /abilities',
    datadog: 'GET /api/v1/validate',
    zendesk: 'GET /api/v2/users/me.json',
    snowflake: 'POST /api/v2/statements',
  };
  /** Datadog's check of an API key + application key pair. */
  const DATADOG_KEYS = 'GET /api/v2/validate_keys';

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const [, first, ...rest] = url.pathname.split('/');
      const p = first as Provider;
      const path = `/${rest.join('/')}`;
      requests.push({ provider: p, method: req.method ?? '', path });
      // Drain the body (Snowflake's statement) before answering.
      for await (const _ of req) void _;
      const known = (PROVIDERS as readonly string[]).includes(p);
      const route = `${req.method ?? ''} ${path}`;
      const keysCheck = p === 'datadog' && route === DATADOG_KEYS;
      if (!known || (PATHS[p] !== route && !keysCheck)) return send(res, 404, { error: 'not found' });
      if (p === 'servicenow' && url.searchParams.get('sysparm_limit') !== '1') return send(res, 400, { error: 'sysparm_limit expected' });
      if (p === 'snyk' && !url.searchParams.get('version')) return send(res, 400, { errors: [{ detail: 'version required' }] });

      const echo = { presented: req.headers.authorization ?? req.headers['dd-api-key'] ?? null, ...(keysCheck ? { applicationKey: req.headers['dd-application-key'] ?? null } : {}) };
      switch (mode) {
        case 'hang':
          hanging.add(res);
          return;
        case 'rate_limited':
          if (p === 'slack') return send(res, 429, { ok: false, error: 'ratelimited', ...echo }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
          return send(res, 429, { message: 'Too Many Requests', ...echo }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
        case 'server_error':
          return send(res, 503, { message: 'Service Unavailable', ...echo });
        case 'insufficient_scope':
          if (!(await authorized(p, req))) break;
          if (p === 'slack') return send(res, 200, { ok: false, error: 'missing_scope', needed: 'users:read', ...echo });
          if (p === 'snowflake') return send(res, 403, { code: '002003', message: 'insufficient privileges', ...echo });
          return send(res, 403, { message: 'insufficient scope', ...echo }, p === 'okta' ? { 'www-authenticate': 'Bearer error="insufficient_scope"' } : {});
        case 'normal':
          break;
      }
      if (keysCheck) {
        // Both keys must be good; Datadog answers 401 or 403 otherwise (403 is what it sends for a wrong key).
        const ok = req.headers['dd-api-key'] === good.datadog && req.headers['dd-application-key'] === datadogApplicationKey.good;
        return ok ? send(res, 200, { status: 'ok' }) : send(res, 403, { errors: ['Forbidden'], ...echo });
      }
      if (await authorized(p, req)) {
        if (p === 'slack') return send(res, 200, { ok: true, team: 'Example', user: 'bot' });
        if (p === 'datadog') return send(res, 200, { valid: true });
        if (p === 'zendesk') return send(res, 200, { user: { id: 42, name: 'Agent' } });
        if (p === 'snowflake') return send(res, 200, { code: '090001', message: 'Statement executed successfully.', data: [['1']] });
        return send(res, 200, { id: 'user-1', name: 'Example user' });
      }
      if (p === 'slack') return send(res, 200, { ok: false, error: 'invalid_auth', ...echo });
      if (p === 'datadog') return send(res, 403, { errors: ['Forbidden'], ...echo });
      if (p === 'snowflake') return send(res, 401, { code: '390144', message: 'JWT token is invalid.', ...echo });
      if (p === 'zendesk') return send(res, 401, { error: "Couldn't authenticate you", ...echo });
      return send(res, 401, { message: 'Bad credentials', ...echo });
    })();
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    good,
    bad,
    datadogApplicationKey,
    snowflakeEncrypted,
    requests,
    baseUrl: (p: Provider) => `${url}/${p}`,
    settings: (p: Provider) => ({ ...FAKE_SETTINGS[p], baseUrl: `${url}/${p}` }),
    setMode: (m: FakeMode) => void (mode = m),
    async close(): Promise<void> {
      hanging.forEach((r) => r.destroy());
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
export type FakeProviders = Awaited<ReturnType<typeof startFakeProviders>>;
