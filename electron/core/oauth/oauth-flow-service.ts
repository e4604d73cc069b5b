import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import type { Actor } from '@shared/domain/actor';
import { PROVIDER_CATALOG, normalizeSettings, settingsIssues } from '@shared/domain/connection';
import type { AuthorizeStarted, FlowStatus, OAuthProvider } from '@shared/domain/oauth';
import type { z } from 'zod';
import type { OAuthFlowErrorCodeSchema } from '@shared/domain/oauth';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import type { Logger } from '../ports';
import type { ConnectionService } from '../connections/connection-service';
import { AppError, invalid } from '../errors';
import type { OAuthAppService } from './oauth-app-service';
import type { OAuthTokenService } from './oauth-token-service';
import { PROVIDER_POLICY, authorizationServer, clientAuth, requestOptions, resolveEndpoints, type OAuthEndpoints } from './oauth-providers';

type FlowErrorCode = z.infer<typeof OAuthFlowErrorCodeSchema>;

type Flow = {
  id: string;
  workspaceId: string;
  provider: OAuthProvider;
  /** New connection (name + settings) or re-authorization of an existing one. */
  target: { kind: 'new'; name: string; settings: Record<string, string> } | { kind: 'existing'; connectionId: string };
  actor: Actor;
  state: FlowStatus['state'];
  connectionId?: string;
  error?: { code: FlowErrorCode; message: string };
  oauthState: string;
  verifier: string;
  redirectUri: string;
  endpoints: OAuthEndpoints;
  server: http.Server;
  timer: NodeJS.Timeout;
  finishedAt?: number;
};

export const REDIRECT_MISMATCH_MESSAGE =
  'the provider refused the redirect URI: register the loopback redirect http://127.0.0.1/callback (any port) in the OAuth app at the provider, then authorize again';

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;max-width:40em;margin:4em auto">` +
  `<h1>${title}</h1><p>${text}</p><p>You can close this tab and return to ProvenanceOne.</p></body></html>`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export type FlowServiceDeps = {
  logger: Logger;
  access: Pick<AccessService, 'assert'>;
  audit: Pick<AuditService, 'record'>;
  /** One transaction around the connection, its tokens and its status when consent completes (the stores' database). */
  transaction: <T>(fn: () => T) => T;
  connections: Pick<ConnectionService, 'create'> & { internal: Pick<ConnectionService['internal'], 'get' | 'assertNameFree' | 'markHealthy'> };
  apps: { internal: Pick<OAuthAppService['internal'], 'clientFor'> };
  tokens: { internal: Pick<OAuthTokenService['internal'], 'storeAuthorization' | 'forget'> };
  /** How long the loopback listener waits for the browser (RFC 8252: only for the flow's lifetime). */
  flowTimeoutMs?: number;
  /** Hands the authorization URL to the user: the system browser in the desktop, a printed line in headless mode. */
  openExternal?: (url: string) => void;
};

/**
 * The desktop consent flow (RFC 8252): authorization code + PKCE S256 + state, with a loopback redirect on an
 * ephemeral port that listens only while the flow is pending. Nothing is stored until the code exchange has produced
 * a refresh token; then the connection, its sealed refresh token and its `active` status are committed together.
 *
 * The user-facing methods check POLICY with the caller's actor: starting a flow creates a connection when it
 * completes, so it takes connection.create; re-authorizing and cancelling are connection.update (the docs' "Edit /
 * re-authorize"); a flow's status is connection.list. When consent completes, the same permission is checked again
 * as the flow's actor, so one lost meanwhile stores nothing. `internal.closeAll` is for the composition root.
 */
export function createOAuthFlowService(deps: FlowServiceDeps) {
  const { logger, access, audit, connections, transaction } = deps;
  const apps = deps.apps.internal;
  const tokens = deps.tokens.internal;
  const timeoutMs = deps.flowTimeoutMs ?? 10 * 60_000;
  const flows = new Map<string, Flow>();

  function sweep(): void {
    const cutoff = Date.now() - 30 * 60_000;
    for (const [id, f] of flows) if (f.finishedAt !== undefined && f.finishedAt < cutoff) flows.delete(id);
  }

  function end(flow: Flow, result: { connectionId: string } | { code: FlowErrorCode; message: string }): void {
    if (flow.state !== 'pending') return;
    clearTimeout(flow.timer);
    // Stop listening now; the callback request being answered finishes (it is sent with connection: close).
    flow.server.close();
    flow.server.closeIdleConnections();
    flow.finishedAt = Date.now();
    if ('connectionId' in result) {
      flow.state = 'completed';
      flow.connectionId = result.connectionId;
    } else {
      flow.state = 'failed';
      flow.error = { code: result.code, message: result.message };
      logger.log('info', 'oauth flow ended without authorization', { provider: flow.provider, code: result.code });
    }
  }

  /** Exchanges the code and commits the connection; any failure ends the flow with nothing stored. */
  async function complete(flow: Flow, params: URLSearchParams): Promise<void> {
    const client = apps.clientFor(flow.workspaceId, flow.provider);
    if (!client) return end(flow, { code: 'exchange_failed', message: "the provider's OAuth app was removed during the flow: register it again, then authorize" });
    const as = authorizationServer(flow.endpoints);
    const c: oauth.Client = { client_id: client.app.clientId };
    let res: Response;
    try {
      res = await oauth.authorizationCodeGrantRequest(as, c, clientAuth(client.clientSecret), params, flow.redirectUri, flow.verifier, {
        ...requestOptions(flow.provider, flow.endpoints.token, AbortSignal.timeout(30_000)),
      });
    } catch {
      return end(flow, { code: 'token_endpoint_unreachable', message: "the provider's token endpoint could not be reached: check the network (or the OAuth app's base URL) and authorize again" });
    }
    if (res.status >= 500 || res.status === 429) {
      await res.body?.cancel();
      return end(flow, { code: 'token_endpoint_unreachable', message: `the provider's token endpoint failed (HTTP ${res.status}): try again in a moment` });
    }
    let result: oauth.TokenEndpointResponse;
    try {
      result = await oauth.processAuthorizationCodeResponse(as, c, res);
    } catch (e) {
      if (e instanceof oauth.ResponseBodyError) {
        const desc = typeof e.error_description === 'string' ? e.error_description : '';
        if (/redirect_uri/i.test(desc) || e.error === 'redirect_uri_mismatch') return end(flow, { code: 'redirect_uri_mismatch', message: REDIRECT_MISMATCH_MESSAGE });
        if (e.error === 'invalid_client') return end(flow, { code: 'exchange_failed', message: "the provider rejected the OAuth app's client id or secret: check the OAuth app and authorize again" });
        const code = /^[a-z_]{1,40}$/.test(e.error) ? e.error : 'error';
        return end(flow, { code: 'exchange_failed', message: `the provider refused the authorization code (${code}): authorize again` });
      }
      return end(flow, { code: 'exchange_failed', message: 'the provider answered the code exchange with an invalid response: authorize again' });
    }
    if (!result.refresh_token) {
      return end(flow, {
        code: 'exchange_failed',
        message:
          'the provider issued no refresh token, so the connection could not be kept alive: enable refresh tokens on the OAuth app (GitHub: expiring user tokens; Slack: token rotation; X: offline.access; Okta: offline_access) and authorize again',
      });
    }
    const refreshToken = result.refresh_token;
    try {
      const connectionId = transaction(() => {
        let id: string;
        if (flow.target.kind === 'new') {
          // create checks connection.create again, as the flow's actor: a permission lost meanwhile stops it here.
          const created = connections.create(
            { workspaceId: flow.workspaceId, name: flow.target.name, provider: flow.provider, authType: 'oauth2', settings: flow.target.settings },
            flow.actor,
          );
          id = created.id;
        } else {
          // Checked again as at the start: whoever lost the permission meanwhile does not re-authorize.
          access.assert(flow.actor, flow.workspaceId, 'connection.update');
          id = flow.target.connectionId;
          const conn = connections.internal.get(flow.workspaceId, id);
          audit.record({
            workspaceId: flow.workspaceId,
            action: 'connection.updated',
            actor: flow.actor,
            target: { type: 'connection', id, name: conn.name },
            details: { changed: ['authorization'], reauthorized: true },
          });
        }
        tokens.storeAuthorization(id, flow.workspaceId, flow.provider, { accessToken: result.access_token, refreshToken, expiresIn: result.expires_in });
        connections.internal.markHealthy(flow.workspaceId, id, flow.target.kind === 'new' ? 'authorized' : 're-authorized', flow.actor);
        return id;
      });
      end(flow, { connectionId });
    } catch (e) {
      if (flow.target.kind === 'existing') tokens.forget(flow.target.connectionId);
      const message = e instanceof AppError ? e.message : 'the authorization could not be saved: try again';
      end(flow, { code: 'exchange_failed', message });
    }
  }

  async function onCallback(flow: Flow, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', flow.redirectUri);
    if (url.pathname !== '/callback' || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const send = (status: number, title: string, text: string) =>
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', connection: 'close' }).end(page(title, escapeHtml(text)));
    if (flow.state !== 'pending') return void send(410, 'This authorization has already ended', 'Start it again from the app if needed.');
    const client = apps.clientFor(flow.workspaceId, flow.provider);
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(authorizationServer(flow.endpoints), { client_id: client?.app.clientId ?? '' }, url.searchParams, flow.oauthState);
    } catch (e) {
      if (e instanceof oauth.AuthorizationResponseError) {
        const denied = e.error === 'access_denied';
        const code = /^[a-z_]{1,40}$/.test(e.error) ? e.error : 'error';
        end(flow, denied
          ? { code: 'access_denied', message: 'consent was denied at the provider: nothing was saved; authorize again and grant the requested permissions' }
          : { code: 'provider_error', message: `the provider ended the authorization with an error (${code}): check the OAuth app's settings and authorize again` });
        return void send(400, denied ? 'Authorization denied' : 'Authorization failed', flow.error!.message);
      }
      const stateProblem = e instanceof Error && /state/i.test(e.message);
      end(flow, stateProblem
        ? { code: 'state_mismatch', message: 'the answer from the provider did not carry this flow\'s state (a stale or forged redirect): nothing was saved; authorize again' }
        : { code: 'provider_error', message: 'the provider answered with an invalid authorization response: authorize again' });
      return void send(400, 'Authorization failed', flow.error!.message);
    }
    await complete(flow, params);
    if ((flow.state as FlowStatus['state']) === 'completed') send(200, 'Authorization complete', 'ProvenanceOne is now connected.');
    else send(400, 'Authorization failed', flow.error?.message ?? 'authorize again');
  }

  /** Asks the authorize endpoint once, without following it: a provider that rejects our redirect URI says so here. */
  async function preflight(flow: Flow, authorizationUrl: string): Promise<void> {
    try {
      const loopback = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(authorizationUrl);
      if (!loopback && !authorizationUrl.startsWith('https://')) return;
      const res = await fetch(authorizationUrl, { redirect: 'manual', signal: AbortSignal.timeout(5_000) });
      const location = res.headers.get('location') ?? '';
      if (location.startsWith(flow.redirectUri) || res.status < 400) {
        // redirected back to us with error=… is reported by the callback; a login/consent page is the normal case
        await res.body?.cancel();
        return;
      }
      const body = (await res.text()).slice(0, 20_000);
      if (/redirect[_ ]uri/i.test(body)) end(flow, { code: 'redirect_uri_mismatch', message: REDIRECT_MISMATCH_MESSAGE });
    } catch {
      // Unreachable from here does not mean unreachable for the browser: the flow continues and may time out.
    }
  }

  async function begin(
    workspaceId: string,
    provider: OAuthProvider,
    target: Flow['target'],
    connectionSettings: Record<string, string>,
    scopeOverride: string | undefined,
    actor: Actor,
  ): Promise<AuthorizeStarted> {
    sweep();
    const client = apps.clientFor(workspaceId, provider);
    if (!client) {
      throw new AppError('PRECONDITION_FAILED', `register ${PROVIDER_CATALOG[provider].label}'s OAuth app first (OAuth apps → Add, or POST /oauth-apps): the flow needs its client id`);
    }
    const endpoints = resolveEndpoints(provider, client.app.settings.baseUrl, connectionSettings);
    try {
      new URL(endpoints.authorize);
    } catch {
      throw invalid(`set the ${PROVIDER_CATALOG[provider].label} org URL (settings.orgUrl) or the OAuth app's settings.baseUrl`, 'settings.orgUrl');
    }
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const verifier = oauth.generateRandomCodeVerifier();
    const flow: Flow = {
      id: randomUUID(),
      workspaceId,
      provider,
      target,
      actor,
      state: 'pending',
      oauthState: oauth.generateRandomState(),
      verifier,
      redirectUri: `http://127.0.0.1:${port}/callback`,
      endpoints,
      server,
      timer: setTimeout(() => {
        end(flow, {
          code: 'timeout',
          message:
            'no answer from the browser in time: nothing was saved. If the provider showed an error about the redirect URI, register http://127.0.0.1/callback in its OAuth app; then authorize again',
        });
      }, timeoutMs),
    };
    flow.timer.unref();
    server.on('request', (req, res) => {
      onCallback(flow, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end(page('Authorization failed', 'Return to the app and try again.'));
      });
    });
    const scopes = scopeOverride ?? (client.app.scopes.length > 0 ? client.app.scopes.join(' ') : PROVIDER_CATALOG[provider].oauth?.defaultScopes ?? '');
    const url = new URL(endpoints.authorize);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', client.app.clientId);
    url.searchParams.set('redirect_uri', flow.redirectUri);
    if (scopes) url.searchParams.set('scope', scopes);
    url.searchParams.set('state', flow.oauthState);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    for (const [k, v] of Object.entries(PROVIDER_POLICY[provider].authorizeParams ?? {})) url.searchParams.set(k, v);
    flows.set(flow.id, flow);
    const authorizationUrl = url.toString();
    await preflight(flow, authorizationUrl);
    if ((flow.state as FlowStatus['state']) === 'failed') {
      flows.delete(flow.id);
      throw new AppError('PRECONDITION_FAILED', flow.error!.message, 'redirect_uri');
    }
    deps.openExternal?.(authorizationUrl);
    return { flowId: flow.id, authorizationUrl };
  }

  async function start(input: { workspaceId: string; name: string; provider: OAuthProvider; settings?: Record<string, string> | undefined }, actor: Actor) {
    access.assert(actor, input.workspaceId, 'connection.create');
    connections.internal.assertNameFree(input.workspaceId, input.name);
    const settings = normalizeSettings(input.provider, input.settings ?? {});
    const issue = settingsIssues(input.provider, settings)[0];
    if (issue) throw invalid(issue.message, issue.field);
    return begin(input.workspaceId, input.provider, { kind: 'new', name: input.name, settings }, settings, input.settings?.scopes, actor);
  }

  async function reauthorize(workspaceId: string, connectionId: string, actor: Actor) {
    access.assert(actor, workspaceId, 'connection.update');
    const conn = connections.internal.get(workspaceId, connectionId);
    if (conn.authType !== 'oauth2') throw invalid(`${PROVIDER_CATALOG[conn.provider].label} does not use OAuth 2.0: update its credential instead`, 'id');
    return begin(workspaceId, conn.provider as OAuthProvider, { kind: 'existing', connectionId }, conn.settings, undefined, actor);
  }

  function status(workspaceId: string, flowId: string, actor: Actor): FlowStatus {
    access.assert(actor, workspaceId, 'connection.list');
    return statusOf(workspaceId, flowId);
  }

  function statusOf(workspaceId: string, flowId: string): FlowStatus {
    const f = flows.get(flowId);
    if (!f || f.workspaceId !== workspaceId) throw new AppError('NOT_FOUND', 'authorization flow not found (it ended more than 30 minutes ago, or the app restarted): authorize again');
    return { state: f.state, ...(f.connectionId ? { connectionId: f.connectionId } : {}), ...(f.error ? { error: f.error } : {}) };
  }

  function cancel(workspaceId: string, flowId: string, actor: Actor): FlowStatus {
    access.assert(actor, workspaceId, 'connection.update');
    const f = flows.get(flowId);
    if (!f || f.workspaceId !== workspaceId) throw new AppError('NOT_FOUND', 'authorization flow not found');
    end(f, { code: 'cancelled', message: 'the authorization was cancelled: nothing was saved' });
    return statusOf(workspaceId, flowId);
  }

  function closeAll(): void {
    for (const f of flows.values()) end(f, { code: 'cancelled', message: 'the app is shutting down' });
  }

  return {
    start,
    reauthorize,
    status,
    cancel,
    /** For the composition root only (no access check): ends every pending flow at shutdown. */
    internal: { closeAll },
  };
}
export type OAuthFlowService = ReturnType<typeof createOAuthFlowService>;
