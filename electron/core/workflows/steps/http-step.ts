// One file (~400 lines): the request plan, the redirect loop, the capped body read and the authentication-failure
// path share one request's state (its origin, whether it still carries the credential, what was injected); the
// classification table is pure and lives in http-response-classifier.ts.
import type { Actor } from '@shared/domain/actor';
import type { HttpStepConfig } from '@shared/domain/workflow';
import { RUN_MESSAGES } from '@shared/domain/workflow.catalog';
import type { Provider } from '@shared/domain/connection';
import type { AuditService } from '../../audit/audit-service';
import type { ConnectionRecord, ConnectionService } from '../../connections/connection-service';
import { PAUSED_MESSAGE } from '../../connections/connection-service';
import { apiBaseUrl, unreachableMessage } from '../../connections/http-connection-tester';
import { CREDENTIAL_HEADERS, ProbeSetupError, apiDefaultHeaders, authHeaders } from '../../connections/provider-auth';
import type { OAuthTokenService } from '../../oauth/oauth-token-service';
import { AppError } from '../../errors';
import type { Clock, Logger } from '../../ports';
import { StepError, type StepContext, type StepKindModule } from '../step-kind';
import { classifyResponse, type HttpFailure } from './http-response-classifier';
import { readCapped } from '../../connections/capped-body';

export type HttpStepLimits = {
  /** The most of a response body that is read; a bigger success answer fails the step (PAYLOAD_TOO_LARGE). */
  maxResponseBytes: number;
  /** Redirects followed per request (each hop is a new request). */
  maxRedirects: number;
  /** A bound for one attempt (all hops and the body), on top of the runner's own step timeout (ctx.signal). */
  requestTimeoutMs: number;
};

export const DEFAULT_HTTP_STEP_LIMITS: HttpStepLimits = { maxResponseBytes: 1024 * 1024, maxRedirects: 5, requestTimeoutMs: 120_000 };

export type HttpStepDeps = {
  /** credentialFor: "connection not found" / "connection is paused" / the credential; markError: active → error. */
  connections: { internal: Pick<ConnectionService['internal'], 'credentialFor' | 'markError'> };
  /** OAuth connections: a 401 on a handed-out access token → one refresh decides (its failure path marks the connection error). */
  oauthTokens: { internal: Pick<OAuthTokenService['internal'], 'reportRejected'> };
  audit: Pick<AuditService, 'record'>;
  /** The connection's status change and its audit row commit together (the stores' shared database). */
  transaction: <T>(fn: () => T) => T;
  /** Who moves a connection to `error` (the platform, as for a failed OAuth refresh). */
  system: Actor;
  clock: Clock;
  logger?: Logger;
  fetch?: typeof fetch;
  limits?: Partial<HttpStepLimits>;
};

/** What the step outputs: the status, a safe subset of the headers, and the body (JSON parsed, text, or base64). */
export type HttpStepOutput = {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Set when the body is not text (images, archives…): `body` is then its base64. */
  bodyEncoding?: 'base64';
};

/** The http kind as the registry holds it; `run` says what its output is. */
export type HttpStepKind = Omit<StepKindModule<HttpStepConfig>, 'run'> & { run(config: HttpStepConfig, ctx: StepContext): Promise<{ output: HttpStepOutput }> };

/** Response headers a later step may need; anything else (cookies, tracing, …) stays out of the run record. */
const SAFE_RESPONSE_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-language',
  'etag',
  'last-modified',
  'link',
  'location',
  'retry-after',
  'x-request-id',
  'request-id',
  'x-github-request-id',
  'x-total-count',
]);
const isSafeResponseHeader = (name: string) => SAFE_RESPONSE_HEADERS.has(name) || /^(x-)?rate-?limit-/.test(name);

/** Headers the HTTP client manages itself: a step may not set them. */
const CLIENT_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'proxy-authorization', 'proxy-connection']);
/** The user headers still sent after a redirect to another origin: none that could carry a secret. */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-language', 'content-type', 'user-agent']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const invalidConfig = (message: string) => new StepError('INVALID_INPUT', message);

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** The request, checked before anything is fetched: headers, query and body as they go on the wire. */
type Plan = {
  method: HttpStepConfig['method'];
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body?: { text: string; contentType: string };
};

/**
 * Checks the resolved config (templates may have put anything there): the path stays under the base URL, the user's
 * headers do not replace the credential or the client's own headers, values are text. Throws INVALID_INPUT.
 */
export function planRequest(config: HttpStepConfig): Plan {
  const c = config as unknown as Record<string, unknown>;
  const method = c.method as HttpStepConfig['method'];
  if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].includes(method)) throw invalidConfig('method must be one of GET, POST, PUT, PATCH, DELETE, HEAD');
  const path = c.path;
  if (typeof path !== 'string' || !path.startsWith('/')) throw invalidConfig('path must start with / (it is relative to the provider API base URL)');
  // An absolute URL, `//host` or `/\host` would name another host; the base URL's origin is the only one a credential goes to.
  if (path.startsWith('//') || path.startsWith('/\\')) throw invalidConfig('path must not name a host (//host): it is relative to the provider API base URL');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f#]/.test(path)) throw invalidConfig('path must not contain control characters or a #fragment');

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((c.headers as Record<string, unknown> | undefined) ?? {})) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) throw invalidConfig(`headers.${name} is not a valid header name`);
    if (CREDENTIAL_HEADERS.includes(lower)) throw invalidConfig(`headers.${name} is set by the connection`);
    if (CLIENT_HEADERS.has(lower)) throw invalidConfig(`headers.${name} is set by the HTTP client`);
    if (!isScalar(value)) throw invalidConfig(`headers.${name} must be a string`);
    const text = String(value);
    if (/[\r\n\0]/.test(text)) throw invalidConfig(`headers.${name} must not contain line breaks`);
    headers[lower] = text;
  }

  const query: Array<[string, string]> = [];
  for (const [name, value] of Object.entries((c.query as Record<string, unknown> | undefined) ?? {})) {
    if (value === null || value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (!isScalar(v)) throw invalidConfig(`query.${name} must be a string, a number, a boolean or a list of them`);
      query.push([name, String(v)]);
    }
  }

  let body: Plan['body'];
  if (c.body !== undefined && c.body !== null) {
    if (method === 'GET' || method === 'HEAD') throw invalidConfig(`body is not allowed with ${method}`);
    body =
      typeof c.body === 'object'
        ? { text: JSON.stringify(c.body), contentType: 'application/json' }
        : { text: String(c.body as Scalar), contentType: 'text/plain; charset=utf-8' };
  }
  return { method, path, query, headers, body };
}

/** The URL of a request: base + path + query; refused when it leaves the base URL (another origin, or `..` above its path). */
export function requestUrl(base: string, plan: Pick<Plan, 'path' | 'query'>): URL {
  let baseUrl: URL;
  try {
    baseUrl = new URL(base);
  } catch {
    throw new StepError('PRECONDITION_FAILED', "the connection's base URL is not a valid URL: check its settings (baseUrl, site, instance)");
  }
  let url: URL;
  try {
    url = new URL(base + plan.path);
  } catch {
    throw invalidConfig('path does not make a valid URL with the provider API base URL');
  }
  const basePath = baseUrl.pathname.endsWith('/') ? baseUrl.pathname : `${baseUrl.pathname}/`;
  if (url.origin !== baseUrl.origin || !(url.pathname === baseUrl.pathname || url.pathname.startsWith(basePath))) {
    throw invalidConfig('path must stay under the provider API base URL (no other host, no /.. above it)');
  }
  for (const [k, v] of plan.query) url.searchParams.append(k, v);
  return url;
}

/** The connection's problems in the docs' words: "connection not found", "connection is paused". */
function connectionError(e: unknown): unknown {
  if (!(e instanceof AppError)) return e;
  if (e.code === 'NOT_FOUND') return new StepError('NOT_FOUND', RUN_MESSAGES.connectionNotFound);
  if (e.code === 'PRECONDITION_FAILED' && e.message === PAUSED_MESSAGE) return new StepError('PRECONDITION_FAILED', RUN_MESSAGES.connectionPaused);
  // An OAuth connection already in error (its refresh failed): the same authentication error a 401 gives.
  if (e.code === 'UNAUTHENTICATED') return new StepError('AUTH_FAILED', e.message, { authFailure: true });
  if (e.code === 'UNAVAILABLE') return new StepError('UNAVAILABLE', e.message, { transient: true });
  return e;
}

const TEXTUAL = /^(text\/|application\/(.*[+/])?(json|xml|javascript|x-www-form-urlencoded|yaml|x-yaml|csv|graphql)\b)/i;
const isJson = (contentType: string) => /^application\/(.*\+)?json\b/i.test(contentType);


function decodeBody(bytes: Buffer, contentType: string): { body: unknown; bodyEncoding?: 'base64' } {
  if (bytes.length === 0) return { body: null };
  if (isJson(contentType)) {
    const text = bytes.toString('utf8');
    try {
      return { body: JSON.parse(text) as unknown };
    } catch {
      return { body: text };
    }
  }
  if (!contentType || TEXTUAL.test(contentType)) return { body: bytes.toString('utf8') };
  return { body: bytes.toString('base64'), bodyEncoding: 'base64' };
}

const mib = (n: number) => `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;

/**
 * The `http` step kind: one call to the provider's API through a connection (issue 15).
 *
 * Order, and why: the config is checked first (nothing is opened for a bad step); then `credentialFor` answers
 * "connection not found" / "connection is paused" (nothing is sent); then `ctx.useConnection` (the runner's
 * connection.use check, the run-step record and the connection.used audit) BEFORE anything goes on the wire; every
 * secret value put on the wire is registered with `ctx.injected` first, so the runner can scrub it from whatever the
 * provider answers. Redirects are followed here (at most maxRedirects); a hop to another origin (scheme, host, port)
 * goes WITHOUT the credential and without the user's headers (curl's default for the credential; the user's headers
 * may hold resolved secrets), and once dropped they are not sent again, even if a later hop comes back; a 307/308
 * that would resend a body to another origin is refused. 303 (and 301/302 after a POST) become GET without a body.
 * A 401 (or a provider's own invalid-token answer) is an authentication failure: an OAuth connection gets one
 * refresh (`reportRejected`; when that fails the token service records connection.refresh_failed and puts the
 * connection in error), and the request is sent once more with the new token; any other connection goes to `error`
 * at once (connection.updated). The step then fails with AUTH_FAILED (authFailure: the runner does not retry it).
 */
export function createHttpStepKind(deps: HttpStepDeps): HttpStepKind {
  const limits: HttpStepLimits = { ...DEFAULT_HTTP_STEP_LIMITS, ...deps.limits };
  const doFetch = deps.fetch ?? fetch;
  const { clock, system } = deps;
  const connections = deps.connections.internal;

  /** active → error, with its audit row, in one transaction; a concurrent delete or change is not the step's error. */
  function markAuthFailed(ctx: StepContext, connection: ConnectionRecord, failure: HttpFailure, httpStatus: number): void {
    try {
      deps.transaction(() => {
        const after = connections.markError(ctx.workspaceId, connection.id, { code: 'auth_failed', message: failure.message }, system);
        if (connection.status === 'active' && after.status === 'error') {
          deps.audit.record({
            workspaceId: ctx.workspaceId,
            action: 'connection.updated',
            actor: system,
            target: { type: 'connection', id: connection.id, name: connection.name },
            details: { changed: ['status'], status: 'error', reason: 'auth_failed', httpStatus, runId: ctx.runId, stepId: ctx.stepId },
          });
        }
      });
    } catch (e) {
      deps.logger?.log('warn', 'http step: could not mark the connection in error', { reason: e instanceof AppError ? e.code : 'unknown' });
    }
  }

  async function run(config: HttpStepConfig, ctx: StepContext): Promise<{ output: HttpStepOutput }> {
    throwIfAborted(ctx.signal);
    const plan = planRequest(config);
    let found: Awaited<ReturnType<typeof connections.credentialFor>>;
    try {
      found = await connections.credentialFor(ctx.workspaceId, config.connectionId);
    } catch (e) {
      throw connectionError(e);
    }
    const { connection, credentialFields } = found;
    let credential = found.credential;
    ctx.injected(credential);
    for (const v of Object.values(credentialFields)) ctx.injected(v);
    const base = apiBaseUrl(connection.provider, connection.settings);
    const url = requestUrl(base, plan);
    throwIfAborted(ctx.signal);
    ctx.useConnection(connection.id);

    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, limits.requestTimeoutMs);
    const onAbort = () => ctrl.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) ctrl.abort();
    try {
      for (let attempt = 0; ; attempt++) {
        const auth = await credentialHeaders(connection.provider, connection.settings, credential, credentialFields, ctx);
        const { res, bytes, over } = await send(connection.provider, url, plan, auth, ctrl.signal);
        const contentType = res.headers.get('content-type') ?? '';
        const json = isJson(contentType) && !over ? safeJson(bytes) : null;
        const failure = classifyResponse(connection.provider, { status: res.status, headers: res.headers, json }, clock.now().getTime());
        if (!failure) {
          if (over) throw new StepError('PAYLOAD_TOO_LARGE', `the response is larger than ${mib(limits.maxResponseBytes)}: ask the provider for less (paging, filters) or use a storage step for files`);
          return { output: { status: res.status, headers: safeHeaders(res.headers), ...(plan.method === 'HEAD' ? { body: null } : decodeBody(bytes, contentType)) } };
        }
        if (!failure.authFailure) throw new StepError(failure.code, failure.message, { transient: failure.transient, retryAfterMs: failure.retryAfterMs });
        if (connection.authType === 'oauth2' && attempt === 0) {
          // One refresh decides: a revoked grant fails here (the token service marks the connection error itself).
          try {
            credential = await deps.oauthTokens.internal.reportRejected(connection.id);
          } catch (e) {
            throw e instanceof AppError && e.code === 'UNAUTHENTICATED' ? new StepError('AUTH_FAILED', failure.message, { authFailure: true }) : connectionError(e);
          }
          ctx.injected(credential);
          continue;
        }
        markAuthFailed(ctx, connection, failure, res.status);
        throw new StepError('AUTH_FAILED', failure.message, { authFailure: true });
      }
    } catch (e) {
      if (ctx.signal.aborted) throw abortReason(ctx.signal);
      if (e instanceof StepError || e instanceof AppError) throw e;
      throw new StepError('UNAVAILABLE', unreachableMessage(e, url.host, limits.requestTimeoutMs, timedOut), { transient: true });
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  /** The credential headers, every value registered with the runner before it is sent. */
  async function credentialHeaders(provider: Provider, settings: Readonly<Record<string, string>>, credential: string, fields: Record<string, string>, ctx: StepContext) {
    try {
      const auth = await authHeaders(provider, settings, credential, fields, clock.now());
      for (const v of auth.injected) ctx.injected(v);
      return auth.headers;
    } catch (e) {
      if (e instanceof ProbeSetupError) throw new StepError('PRECONDITION_FAILED', e.message);
      throw e;
    }
  }

  /** One request with its redirects. Returns the final answer and at most maxResponseBytes of its body. */
  async function send(provider: Provider, start: URL, plan: Plan, auth: Record<string, string>, signal: AbortSignal) {
    const origin = start.origin;
    let url = start;
    let method: string = plan.method;
    let body = plan.body;
    let withCredential = true;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { ...apiDefaultHeaders(provider) };
      for (const [k, v] of Object.entries(plan.headers)) if (withCredential || CROSS_ORIGIN_HEADERS.has(k)) headers[k] = v;
      if (body && !('content-type' in headers)) headers['content-type'] = body.contentType;
      if (!body) delete headers['content-type'];
      if (withCredential) Object.assign(headers, auth);
      const res = await doFetch(url, { method, headers, body: body?.text, redirect: 'manual', signal });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && res.status !== 304 && location) {
        await res.body?.cancel().catch(() => undefined);
        if (hop >= limits.maxRedirects) throw new StepError('PROVIDER_ERROR', `the provider redirected more than ${limits.maxRedirects} times: check the path and the base URL`);
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new StepError('PROVIDER_ERROR', `the provider redirected to an invalid URL (HTTP ${res.status})`);
        }
        if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new StepError('PROVIDER_ERROR', `the provider redirected to a ${next.protocol} URL, which is not followed`);
        // Another origin never gets the credential (nor the user's headers), and a credential once dropped stays dropped.
        if (next.origin !== origin) withCredential = false;
        // 307/308 resend the body; the body may hold resolved secrets, so it never goes to another origin.
        if (!withCredential && body && (res.status === 307 || res.status === 308)) {
          throw new StepError('PROVIDER_ERROR', `the provider redirected the request and its body to another host (HTTP ${res.status}); not followed: check the path and the base URL`);
        }
        if (res.status === 303 ? method !== 'HEAD' : (res.status === 301 || res.status === 302) && method === 'POST') {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      const { bytes, over } = method === 'HEAD' ? { bytes: Buffer.alloc(0), over: false } : await readCapped(res, limits.maxResponseBytes);
      return { res, bytes, over };
    }
  }

  return {
    kind: 'http',
    references: (config) => ({ connections: [config.connectionId] }),
    run,
  };
}

function safeJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

function safeHeaders(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((value, name) => {
    if (isSafeResponseHeader(name)) out[name] = value;
  });
  return out;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

/** Cancel is the runner's own reason; a timeout signal (AbortSignal.timeout) becomes a transient UNAVAILABLE. */
function abortReason(signal: AbortSignal): unknown {
  const r: unknown = signal.reason;
  if (r instanceof Error && r.name === 'TimeoutError') return new StepError('UNAVAILABLE', 'the provider did not answer within the step timeout', { transient: true });
  return r instanceof Error ? r : new StepError('CANCELLED', 'the step was cancelled');
}
