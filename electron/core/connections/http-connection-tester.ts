import { PROVIDER_CATALOG, type Provider, type TestOutcome } from '@shared/domain/connection';
import { missingCase } from '../errors';
import type { ConnectionTester, TestOutcomeReport, TestRequest } from './connection-tester';
import { ProbeSetupError, authHeaders } from './provider-auth';
import { readCapped } from './capped-body';

/** What a probe reads from a response: only these few fields, never the body as a whole. */
type Answer = { status: number; headers: Headers; json: unknown };
type Verdict = { outcome: TestOutcome; message: string } | undefined;
/**
 * One request of a live test. `judge` replaces the provider's usual reading (`special`) for a follow-up request
 * that checks another part of the credential; what it leaves undefined is read by status.
 */
type Probe = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string; judge?: (a: Answer) => Verdict };

const obj = (x: unknown): Record<string, unknown> => (x && typeof x === 'object' ? (x as Record<string, unknown>) : {});
/** Provider error codes are shown only when they look like codes, so a body can never smuggle text into a message. */
const codeOf = (x: unknown): string | null => (typeof x === 'string' && /^[a-z0-9_.]{1,40}$/i.test(x) ? x : null);

/** Default API base URL per provider (providers.md); `settings.baseUrl` overrides it. */
export function defaultBaseUrl(provider: Provider, s: Readonly<Record<string, string>>): string {
  switch (provider) {
    case 'slack':
      return 'https://slack.com';
    case 'github':
      return 'https://api.github.com';
    case 'linkedin':
      return 'https://api.linkedin.com';
    case 'x':
      return 'https://api.x.com';
    case 'okta':
      return s.orgUrl ?? '';
    case 'jira':
      return s.siteUrl ?? '';
    case 'servicenow':
      return s.instanceUrl ?? '';
    case 'snyk':
      return `https://${s.region ?? 'api.snyk.io'}`;
    case 'pagerduty':
      return 'https://api.pagerduty.com';
    case 'datadog':
      return `https://api.${s.site ?? 'datadoghq.com'}`;
    case 'zendesk':
      return `https://${s.subdomain ?? ''}.zendesk.com`;
    case 'snowflake':
      return `https://${s.account ?? ''}.snowflakecomputing.com`;
    default:
      return missingCase(provider);
  }
}

/** The base URL requests to a connection go to: its `settings.baseUrl`, else the provider's default; no trailing slash. */
export function apiBaseUrl(provider: Provider, s: Readonly<Record<string, string>>): string {
  return (s.baseUrl || defaultBaseUrl(provider, s)).replace(/\/+$/, '');
}

/**
 * Datadog's application key, checked after the API key passed `/api/v1/validate` (which ignores application keys):
 * `/api/v2/validate_keys` answers 200 `{"status":"ok"}` only when both keys are valid, 401 or 403 otherwise, so a
 * rejection here is the application key's.
 */
function datadogApplicationKeyProbe(auth: Record<string, string>): Probe {
  return {
    method: 'GET',
    path: '/api/v2/validate_keys',
    headers: { accept: 'application/json', ...auth },
    judge: (a) => {
      if (a.status === 401 || a.status === 403) {
        return { outcome: 'invalid_credential', message: `Datadog accepted the API key but rejected the application key (HTTP ${a.status}): check the application key and the site it belongs to` };
      }
      if (a.status === 200) {
        return obj(a.json).status === 'ok'
          ? { outcome: 'valid', message: 'Datadog accepted the API key and the application key' }
          : { outcome: 'invalid_credential', message: 'Datadog did not confirm the application key as valid: check the application key' };
      }
      return undefined;
    },
  };
}

/** The requests of a live test, in order; the first that is not valid decides. */
async function probesFor(req: TestRequest): Promise<Probe[]> {
  const fields = req.credentialFields ?? {};
  if (req.provider === 'datadog' && fields.applicationKey) {
    return [await probeFor(req), datadogApplicationKeyProbe((await authHeaders('datadog', req.settings, req.credential, fields)).headers)];
  }
  return [await probeFor(req)];
}

async function probeFor(req: TestRequest): Promise<Probe> {
  const { provider, settings: s, credential } = req;
  // The credential goes on exactly as a workflow step sends it (provider-auth.ts); only the test's endpoint is ours.
  const auth = (await authHeaders(provider, s, credential, req.credentialFields ?? {})).headers;
  const json = { accept: 'application/json' };
  switch (provider) {
    case 'slack':
      return { method: 'POST', path: '/api/auth.test', headers: { ...json, ...auth } };
    case 'github':
      return { method: 'GET', path: '/user', headers: { accept: 'application/vnd.github+json', ...auth, 'user-agent': 'ProvenanceOne-Desktop' } };
    case 'linkedin':
      return { method: 'GET', path: '/v2/userinfo', headers: { ...json, ...auth } };
    case 'x':
      return { method: 'GET', path: '/2/users/me', headers: { ...json, ...auth } };
    case 'okta':
      return { method: 'GET', path: '/oauth2/v1/userinfo', headers: { ...json, ...auth } };
    case 'jira':
      return { method: 'GET', path: '/rest/api/3/myself', headers: { ...json, ...auth } };
    case 'servicenow':
      return { method: 'GET', path: '/api/now/table/sys_user?sysparm_limit=1', headers: { ...json, ...auth } };
    case 'snyk':
      return { method: 'GET', path: '/rest/self?version=2024-10-15', headers: { accept: 'application/vnd.api+json', ...auth } };
    case 'pagerduty':
      return { method: 'GET', path: '/abilities', headers: { accept: 'application/vnd.pagerduty+json;version=2', ...auth } };
    case 'datadog': {
      // /api/v1/validate checks the API key alone; the pair is checked next by /api/v2/validate_keys.
      const { 'dd-application-key': _pairOnly, ...apiKeyOnly } = auth;
      return { method: 'GET', path: '/api/v1/validate', headers: { ...json, ...apiKeyOnly } };
    }
    case 'zendesk':
      return { method: 'GET', path: '/api/v2/users/me.json', headers: { ...json, ...auth } };
    case 'snowflake': {
      const body: Record<string, unknown> = { statement: 'SELECT 1', timeout: 10 };
      if (s.role) body.role = s.role;
      if (s.warehouse) body.warehouse = s.warehouse;
      return { method: 'POST', path: '/api/v2/statements', headers: { ...json, 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) };
    }
    default:
      return missingCase(provider);
  }
}

/** Provider-specific readings that the HTTP status alone gets wrong (providers.md). */
function special(provider: Provider, a: Answer): Verdict {
  const body = obj(a.json);
  switch (provider) {
    case 'slack': {
      // Slack answers 200 for a bad token too: only `"ok": true` means valid.
      if (a.status !== 200) return undefined;
      if (body.ok === true) return { outcome: 'valid', message: 'Slack accepted the token' };
      const code = codeOf(body.error) ?? 'unknown_error';
      if (['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive'].includes(code)) {
        return { outcome: 'invalid_credential', message: `Slack rejected the token (${code}): re-authorize the connection` };
      }
      if (code === 'missing_scope') return { outcome: 'insufficient_scope', message: 'Slack says the token lacks a required scope (missing_scope): re-authorize with the scopes needed' };
      if (code === 'ratelimited') return { outcome: 'rate_limited', message: 'Slack rate-limited the test (ratelimited); try again later' };
      return { outcome: 'provider_error', message: `Slack answered ok:false (${code})` };
    }
    case 'datadog':
      // Datadog answers 403 (not 401) for an invalid API key, and 200 {"valid": true} for a good one.
      if (a.status === 403) return { outcome: 'invalid_credential', message: 'Datadog rejected the API key (HTTP 403): check the key and the site it belongs to' };
      if (a.status === 200) {
        return body.valid === true
          ? { outcome: 'valid', message: 'Datadog accepted the API key' }
          : { outcome: 'invalid_credential', message: 'Datadog did not confirm the API key as valid: check the key and the site' };
      }
      return undefined;
    case 'zendesk':
      // Without valid authentication Zendesk can answer 200 with the anonymous user (id null).
      if (a.status === 200 && obj(body.user).id == null) {
        return { outcome: 'invalid_credential', message: 'Zendesk treated the request as anonymous: check the agent email and API token' };
      }
      return undefined;
    case 'github':
      if (a.status === 403 && a.headers.get('x-ratelimit-remaining') === '0') {
        return { outcome: 'rate_limited', message: 'GitHub rate limit exhausted (HTTP 403); try again after the reset' };
      }
      return undefined;
    case 'snowflake': {
      const code = codeOf(typeof body.code === 'number' ? String(body.code) : body.code);
      if (a.status === 401 || (code && /^390\d{3}$/.test(code) && a.status >= 400 && a.status < 500)) {
        return {
          outcome: 'invalid_credential',
          message: `Snowflake rejected the key-pair JWT (HTTP ${a.status}${code ? `, code ${code}` : ''}): check the account, user and that the public key is set on the user`,
        };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function byStatus(status: number, label: string): { outcome: TestOutcome; message: string } {
  if (status >= 200 && status < 300) return { outcome: 'valid', message: `${label} accepted the credential` };
  if (status === 401) return { outcome: 'invalid_credential', message: `${label} rejected the credential (HTTP 401): update the credential` };
  if (status === 403) return { outcome: 'insufficient_scope', message: `${label} accepted the credential but refused access (HTTP 403): grant the missing scopes or permissions` };
  if (status === 429) return { outcome: 'rate_limited', message: `${label} rate-limited the test (HTTP 429)` };
  if (status >= 500) return { outcome: 'provider_error', message: `${label} had a problem (HTTP ${status}); try again later` };
  if (status >= 300 && status < 400) return { outcome: 'provider_error', message: `${label} redirected the test (HTTP ${status}): check the base URL / site` };
  return { outcome: 'provider_error', message: `${label} answered HTTP ${status}: check the base URL, site or instance settings` };
}

function retryAfter(h: Headers, now: number): number | null {
  const v = h.get('retry-after');
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

const MAX_BODY = 64 * 1024;

/** Reads at most MAX_BODY bytes and parses JSON; anything else (too long, not JSON) is treated as no body. */
async function readJson(res: Response): Promise<unknown> {
  const { bytes, over } = await readCapped(res, MAX_BODY);
  if (over || bytes.length === 0) return null;
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

export function unreachableMessage(e: unknown, host: string, timeoutMs: number, timedOut: boolean): string {
  if (timedOut) return `no answer from ${host} within ${Math.round(timeoutMs / 100) / 10} s: check the base URL and your network`;
  const cause = obj(obj(e).cause);
  const code = codeOf(cause.code) ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${host} could not be resolved (DNS): check the site / base URL or your network`;
  if (code === 'ECONNREFUSED') return `${host} refused the connection: check the base URL`;
  if (code.startsWith('CERT_') || code.includes('TLS') || code.includes('SSL') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    return `the TLS certificate of ${host} could not be verified (${code})`;
  }
  return `could not reach ${host}${code ? ` (${code})` : ''}: check the base URL and your network`;
}

export type HttpTesterOptions = {
  /** Bounded wait for the provider (connect + answer + body). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
};

/**
 * The live test: one request from Node to the provider's validation endpoint (providers.md), with the per-connection
 * base URL override. Redirects are not followed (a credential must not be replayed to another host). The message
 * is built here from the status and a few known fields, never from the provider's body text.
 */
export function createHttpConnectionTester(opts: HttpTesterOptions = {}): ConnectionTester {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  return async (req): Promise<TestOutcomeReport> => {
    const { provider, settings } = req;
    const label = labelOf(provider);
    const base = apiBaseUrl(provider, settings);
    const started = now();
    const elapsed = () => Math.max(0, Math.round(now() - started));
    let probes: Probe[];
    try {
      probes = await probesFor(req);
    } catch (e) {
      if (!(e instanceof ProbeSetupError)) throw e;
      return { outcome: 'invalid_credential', ok: false, message: e.message, httpStatus: null, latencyMs: elapsed(), retryAfterSeconds: null, endpoint: `${provider} (not sent)` };
    }
    // One bound for the whole test, however many requests it makes.
    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, timeoutMs);
    try {
      let report: TestOutcomeReport | undefined;
      for (const probe of probes) {
        report = await send(probe);
        if (!report.ok) break;
      }
      return report!;
    } finally {
      clearTimeout(timer);
    }

    async function send(probe: Probe): Promise<TestOutcomeReport> {
      let url: URL;
      try {
        url = new URL(base + probe.path);
      } catch {
        return { outcome: 'unreachable', ok: false, message: `the base URL of ${label} is not a valid URL: check the settings`, httpStatus: null, latencyMs: 0, retryAfterSeconds: null, endpoint: `${probe.method} ${probe.path}` };
      }
      const endpoint = `${probe.method} ${url.origin}${url.pathname}`;
      try {
        const res = await doFetch(url, { method: probe.method, headers: probe.headers, body: probe.body, redirect: 'manual', signal: ctrl.signal });
        const json = await readJson(res);
        const latencyMs = elapsed();
        const answer: Answer = { status: res.status, headers: res.headers, json };
        const verdict = (probe.judge ? probe.judge(answer) : special(provider, answer)) ?? byStatus(res.status, label);
        const retry = verdict.outcome === 'rate_limited' ? retryAfter(res.headers, now()) : null;
        const message = verdict.outcome === 'rate_limited' && retry !== null ? `${verdict.message}; retry after ${retry} s` : verdict.message;
        return { outcome: verdict.outcome, ok: verdict.outcome === 'valid', message, httpStatus: res.status, latencyMs, retryAfterSeconds: retry, endpoint };
      } catch (e) {
        return { outcome: 'unreachable', ok: false, message: unreachableMessage(e, url.host, timeoutMs, timedOut), httpStatus: null, latencyMs: elapsed(), retryAfterSeconds: null, endpoint };
      }
    }
  };
}

const labelOf = (p: Provider) => PROVIDER_CATALOG[p].label;
