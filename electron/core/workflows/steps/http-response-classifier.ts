import { PROVIDER_CATALOG, type Provider } from '@shared/domain/connection';

/**
 * How an http step reads a provider's answer, the way Test connection does (providers.md): 401 and the providers'
 * own invalid-token answers are an authentication failure; 403 a missing scope or permission; 429 (and GitHub's
 * exhausted 403) rate limited, with when to try again; 5xx and 408 unavailable; other 4xx a provider error. Pure: the
 * table is unit-tested on its own (tests/unit/workflows/http-step-classifier.test.ts).
 *
 * What must stay true: a message is built from the status and a few fields that look like codes or scopes, plus at
 * most a short one-line excerpt of the provider's own error message; never the body as a whole (the runner also
 * scrubs every injected value from errors, but errors stay short).
 */

export type HttpAnswer = { status: number; headers: Headers; json: unknown };

export type HttpFailureCode = 'AUTH_FAILED' | 'FORBIDDEN' | 'RATE_LIMITED' | 'UNAVAILABLE' | 'PROVIDER_ERROR';

export type HttpFailure = {
  code: HttpFailureCode;
  message: string;
  /** A retry can fix it (rate limited, unavailable). */
  transient: boolean;
  retryAfterMs?: number;
  /** The credential was refused: the connection goes to `error`. */
  authFailure?: boolean;
};

const obj = (x: unknown): Record<string, unknown> => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : {});
/** Provider error codes are shown only when they look like codes, so a body can never smuggle text into a message. */
const codeOf = (x: unknown): string | null => (typeof x === 'string' && /^[a-z0-9_.]{1,40}$/i.test(x) ? x : typeof x === 'number' && Number.isInteger(x) ? String(x) : null);
/** A scope list as a provider names it (`repo`, `users:read`, `okta.users.read`, `openid profile`). */
const scopeOf = (x: unknown): string | null => (typeof x === 'string' && /^[A-Za-z0-9_.:/, -]{1,200}$/.test(x.trim()) && x.trim() !== '' ? x.trim() : null);

const EXCERPT_MAX = 160;

/** A short one-line excerpt of the provider's own error message (Jira errorMessages, JSON:API errors[].detail, …). */
export function errorExcerpt(json: unknown): string | null {
  const b = obj(json);
  const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : undefined);
  const candidates: unknown[] = [
    b.message,
    b.error_description,
    typeof b.error === 'string' ? b.error : obj(b.error).message,
    first(b.errorMessages),
    typeof first(b.errors) === 'string' ? first(b.errors) : (obj(first(b.errors)).detail ?? obj(first(b.errors)).message ?? obj(first(b.errors)).title),
    obj(b.error).detail,
  ];
  for (const c of candidates) {
    if (typeof c !== 'string') continue;
    // eslint-disable-next-line no-control-regex
    const line = c.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
    if (line) return line.length > EXCERPT_MAX ? `${line.slice(0, EXCERPT_MAX - 1)}…` : line;
  }
  return null;
}

/**
 * When to try again, in ms: Retry-After (seconds or an HTTP date), else the rate-limit reset headers providers send
 * (`X-RateLimit-Reset`, Okta's `X-Rate-Limit-Reset`, `RateLimit-Reset`): an epoch time in seconds (GitHub, Okta) or
 * seconds from now (Datadog, Zendesk). Undefined when the provider did not say.
 */
export function retryAfterMs(h: Headers, nowMs: number): number | undefined {
  const ra = h.get('retry-after')?.trim();
  if (ra) {
    if (/^\d+(\.\d+)?$/.test(ra)) return Math.round(Number(ra) * 1000);
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  for (const name of ['x-ratelimit-reset', 'x-rate-limit-reset', 'ratelimit-reset']) {
    const v = h.get(name)?.trim();
    if (!v || !/^\d+(\.\d+)?$/.test(v)) continue;
    const n = Number(v);
    // Anything past 2001-09-09 read as epoch seconds is an absolute time; a smaller number is a delay.
    return n > 1e9 ? Math.max(0, Math.round(n * 1000 - nowMs)) : Math.round(n * 1000);
  }
  return undefined;
}

const SLACK_AUTH = ['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive'];

function authFailed(label: string, status: number, code: string | null): HttpFailure {
  return {
    code: 'AUTH_FAILED',
    message: `authentication failed: ${label} rejected the credential (HTTP ${status}${code ? `, ${code}` : ''}); update the connection's credential or re-authorize it, then replay the run`,
    transient: false,
    authFailure: true,
  };
}

function forbidden(label: string, status: number, scope: string | null, code: string | null = null): HttpFailure {
  return {
    code: 'FORBIDDEN',
    message: scope
      ? `${label} refused access (HTTP ${status}${code ? `, ${code}` : ''}): the connection lacks the scope ${scope}; re-authorize it with that scope or grant the permission`
      : `${label} refused access (HTTP ${status}${code ? `, ${code}` : ''}): the connection lacks a scope or permission this request needs`,
    transient: false,
  };
}

function rateLimited(label: string, status: number, h: Headers, nowMs: number, code: string | null = null): HttpFailure {
  const retry = retryAfterMs(h, nowMs);
  return {
    code: 'RATE_LIMITED',
    message: `${label} rate-limited the request (HTTP ${status}${code ? `, ${code}` : ''})${retry !== undefined ? `; retry after ${Math.ceil(retry / 1000)} s` : ''}`,
    transient: true,
    ...(retry !== undefined ? { retryAfterMs: retry } : {}),
  };
}

/** The scope a 403 says is missing: WWW-Authenticate `insufficient_scope` with `scope="…"`, or GitHub's accepted scopes. */
function missingScope(h: Headers): string | null {
  const www = h.get('www-authenticate') ?? '';
  const m = /scope="([^"]*)"/i.exec(www);
  if (m) return scopeOf(m[1]);
  return scopeOf(h.get('x-accepted-oauth-scopes'));
}

/** Provider-specific readings the status alone gets wrong (providers.md); undefined: read by status. */
function special(provider: Provider, a: HttpAnswer, label: string, nowMs: number): HttpFailure | null | undefined {
  const body = obj(a.json);
  switch (provider) {
    case 'slack': {
      // Slack answers 200 for most failures: only `"ok": true` is a success.
      if (a.status !== 200 || body.ok !== false) return undefined;
      const code = codeOf(body.error) ?? 'unknown_error';
      if (SLACK_AUTH.includes(code)) return authFailed(label, a.status, code);
      if (code === 'missing_scope') return forbidden(label, a.status, scopeOf(body.needed), code);
      if (code === 'ratelimited') return rateLimited(label, a.status, a.headers, nowMs, code);
      return { code: 'PROVIDER_ERROR', message: `Slack answered ok:false (${code})`, transient: false };
    }
    case 'datadog':
      // Datadog answers 403 (not 401) for an invalid API key; a 403 that names permissions is a missing permission.
      if (a.status === 403) {
        const errors = Array.isArray(body.errors) ? body.errors : [];
        return errors.some((e) => typeof e === 'string' && /permission|scope/i.test(e)) ? forbidden(label, 403, null) : authFailed(label, 403, null);
      }
      return undefined;
    case 'github':
      if (a.status === 403 && (a.headers.get('x-ratelimit-remaining') === '0' || a.headers.has('retry-after'))) return rateLimited(label, 403, a.headers, nowMs);
      return undefined;
    case 'snowflake': {
      const code = codeOf(body.code);
      if (a.status >= 400 && a.status < 500 && code && /^390\d{3}$/.test(code)) return authFailed(label, a.status, code);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** null: a success (the output is the answer). Redirects are followed before this is called. */
export function classifyResponse(provider: Provider, a: HttpAnswer, nowMs: number): HttpFailure | null {
  const label = PROVIDER_CATALOG[provider].label;
  const s = special(provider, a, label, nowMs);
  if (s !== undefined) return s;
  const { status } = a;
  if (status < 400) return null;
  if (status === 401) return authFailed(label, status, null);
  if (status === 403) return forbidden(label, status, missingScope(a.headers));
  if (status === 429) return rateLimited(label, status, a.headers, nowMs);
  if (status >= 500 || status === 408) {
    const retry = retryAfterMs(a.headers, nowMs);
    return {
      code: 'UNAVAILABLE',
      message: `${label} had a problem (HTTP ${status}); the step can be retried`,
      transient: true,
      ...(retry !== undefined ? { retryAfterMs: retry } : {}),
    };
  }
  const excerpt = errorExcerpt(a.json);
  return { code: 'PROVIDER_ERROR', message: `${label} answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`, transient: false };
}
