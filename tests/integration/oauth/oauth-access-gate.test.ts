import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthAppService } from '@core/oauth/oauth-app-service';
import type { OAuthFlowService } from '@core/oauth/oauth-flow-service';
import type { OAuthTokenService } from '@core/oauth/oauth-token-service';
import { count, makeReadyCore, unwrap } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';
import { oauthFixture } from '../../helpers/oauth-fixture';
import { driveBrowser } from '../../fakes/oidc-server';
import { checkCompleteness, checkRow, principals, validTester, type GateRow } from '../connections/access-gate-harness';

/**
 * One home for authorization, OAuth side: every method of the OAuth app, consent-flow and token services that reads
 * or changes data checks POLICY itself. A method added without a row here, or without a check, fails this suite.
 */
let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
let actors: ReturnType<typeof principals>;
let n = 0;
// Unreachable on purpose: a permitted flow starts (its listener waits), the provider is never called.
const AS = 'http://127.0.0.1:9/oauth2/default';

beforeAll(async () => {
  t = await makeReadyCore({ connectionTester: validTester });
  ws = t.core.workspaces.defaultWorkspace().id;
  const other = t.core.workspaces.create('Other team', t.admin).id;
  actors = principals(t.core, ws, other);
  t.core.oauth.apps.create({ workspaceId: ws, provider: 'okta', clientId: 'gate', scopes: ['openid'], settings: { baseUrl: AS } }, t.admin);
});
afterAll(() => t.close());

const githubApp = () => {
  const found = t.core.oauth.apps.list({ workspaceId: ws, provider: 'github' }, t.admin).items[0];
  return found?.id ?? t.core.oauth.apps.create({ workspaceId: ws, provider: 'github', clientId: 'gh', scopes: [] }, t.admin).id;
};
const noGithubApp = () => {
  const found = t.core.oauth.apps.list({ workspaceId: ws, provider: 'github' }, t.admin).items[0];
  if (found) t.core.oauth.apps.remove(ws, found.id, t.admin);
  return '';
};
const oktaConnection = () =>
  t.core.connections.create({ workspaceId: ws, name: `okta ${++n}`, provider: 'okta', authType: 'oauth2', settings: { orgUrl: 'https://org.example.com' } }, t.admin).id;
const startFlow = () => t.core.oauth.flows.start({ workspaceId: ws, name: `flow ${++n}`, provider: 'okta', settings: { orgUrl: 'https://org.example.com' } }, t.admin).then((f) => f.flowId);
const flowState = (flowId: string) => t.core.oauth.flows.status(ws, flowId, t.admin);

const APPS: { [K in Exclude<keyof OAuthAppService, 'internal'>]: GateRow<string> } = {
  list: { ops: ['oauthapp.list'], call: (a) => t.core.oauth.apps.list({ workspaceId: ws }, a) },
  get: { ops: ['oauthapp.list'], setup: githubApp, call: (a, id) => t.core.oauth.apps.get(ws, id, a) },
  create: { ops: ['oauthapp.manage'], setup: noGithubApp, call: (a) => t.core.oauth.apps.create({ workspaceId: ws, provider: 'github', clientId: 'gh2', scopes: [] }, a) },
  update: { ops: ['oauthapp.manage'], setup: githubApp, call: (a, id) => t.core.oauth.apps.update({ workspaceId: ws, id, scopes: [`s${++n}`] }, a) },
  remove: { ops: ['oauthapp.manage'], setup: githubApp, call: (a, id) => t.core.oauth.apps.remove(ws, id, a) },
};
const APPS_INTERNAL: Record<keyof OAuthAppService['internal'], string> = {
  clientFor: 'opens the client secret for the consent flow (after its own check) and for refreshes made as the system',
};

const FLOWS: { [K in Exclude<keyof OAuthFlowService, 'internal'>]: GateRow<string> } = {
  // Starting a consent flow creates a connection when it completes.
  start: {
    ops: ['connection.create'],
    call: (a) => t.core.oauth.flows.start({ workspaceId: ws, name: `flow ${++n}`, provider: 'okta', settings: { orgUrl: 'https://org.example.com' } }, a),
  },
  // The docs' "Edit / re-authorize".
  reauthorize: { ops: ['connection.update'], setup: oktaConnection, call: (a, id) => t.core.oauth.flows.reauthorize(ws, id, a) },
  status: { ops: ['connection.list'], setup: startFlow, call: (a, flowId) => t.core.oauth.flows.status(ws, flowId, a), state: flowState },
  cancel: { ops: ['connection.update'], setup: startFlow, call: (a, flowId) => t.core.oauth.flows.cancel(ws, flowId, a), state: flowState },
};
const FLOWS_INTERNAL: Record<keyof OAuthFlowService['internal'], string> = {
  closeAll: 'the composition root ends pending flows at shutdown',
};

const TOKENS: { [K in Exclude<keyof OAuthTokenService, 'internal'>]: GateRow<string> } = {
  info: { ops: ['connection.read_detail'], setup: oktaConnection, call: (a, id) => t.core.oauth.tokens.info(ws, id, a) },
  health: { ops: ['connection.list'], call: (a) => t.core.oauth.tokens.health(ws, a) },
};
const TOKENS_INTERNAL: Record<keyof OAuthTokenService['internal'], string> = {
  getAccessToken: 'the oauth2 credential source of run steps and connection tests (checked by their callers)',
  reportRejected: 'a run step reports a token the provider refused; it gets a fresh one or an error',
  storeAuthorization: 'the consent flow hands over the tokens it obtained, after its own check',
  tick: 'the scheduler rotation job, as the system',
  forget: 'drops an in-memory access token (re-authorization failed); reads and changes no stored data',
  stats: 'in-flight counters for tests and the bench; no stored data',
  settle: 'waits for started refreshes (tests, shutdown); no stored data',
};

describe('OAuth services: the access gate', () => {
  const tables: Array<[string, Record<string, GateRow<string>>]> = [
    ['apps', APPS],
    ['flows', FLOWS],
    ['tokens', TOKENS],
  ];
  for (const [service, rows] of tables) {
    for (const [method, row] of Object.entries(rows)) {
      it(`${service}.${method} is refused where POLICY refuses (${row.ops.join(' + ')}), and changes nothing then`, async () => {
        await checkRow(t.core, actors, row);
      });
    }
  }

  it('every method is either checked above or internal with a reason', () => {
    checkCompleteness(t.core.oauth.apps, APPS, APPS_INTERNAL);
    checkCompleteness(t.core.oauth.flows, FLOWS, FLOWS_INTERNAL);
    checkCompleteness(t.core.oauth.tokens, TOKENS, TOKENS_INTERNAL);
    expect(Object.keys(t.core.oauth).sort()).toEqual(['apps', 'flows', 'tokens']);
  });

  it('token info of a connection in another workspace is not disclosed', () => {
    const id = oktaConnection();
    const other = t.core.workspaces.list(t.admin).find((w) => w.id !== ws)!.id;
    expect(t.core.oauth.tokens.info(other, id, t.admin)).toBeNull();
  });
});

describe('consent completes only for who may still create the connection', () => {
  let fx: Awaited<ReturnType<typeof oauthFixture>> | undefined;
  afterEach(async () => {
    await fx?.stop();
    fx = undefined;
  });

  it('an editor demoted to viewer while the browser is at the provider gets no connection', async () => {
    fx = await oauthFixture();
    const as = roleActors(fx.core);
    const editor = as('editor', fx.ws, 'demoted');
    const started = unwrap(await fx.invoke('oauth:authorize', { workspaceId: fx.ws, name: 'Okta demoted', provider: 'okta', settings: { orgUrl: fx.oidc.issuer } }, editor));
    as('viewer', fx.ws, 'demoted');
    await driveBrowser(started.authorizationUrl);
    const status = await fx.waitFlow(started.flowId);
    expect(status).toMatchObject({ state: 'failed', error: { code: 'exchange_failed' } });
    expect(status.error?.message).toMatch(/role \(viewer\).*connection\.create/);
    expect(count(fx.core.db, 'connections')).toBe(0);
    expect(count(fx.core.db, 'oauth_tokens')).toBe(0);
  });

  it('and re-authorizes only for who may still update it', async () => {
    fx = await oauthFixture();
    const { connectionId } = await fx.authorize('Okta prod');
    const generation = () => (fx!.core.db.prepare('SELECT generation FROM oauth_tokens WHERE connection_id = ?').get(connectionId) as { generation: number }).generation;
    const before = generation();
    const as = roleActors(fx.core);
    const editor = as('editor', fx.ws, 'demoted');
    const started = unwrap(await fx.invoke('oauth:reauthorize', { workspaceId: fx.ws, id: connectionId! }, editor));
    as('viewer', fx.ws, 'demoted');
    await driveBrowser(started.authorizationUrl);
    const status = await fx.waitFlow(started.flowId);
    expect(status).toMatchObject({ state: 'failed', error: { code: 'exchange_failed' } });
    expect(status.error?.message).toMatch(/role \(viewer\).*connection\.update/);
    expect(generation()).toBe(before);
    expect(fx.core.audit.list({ workspaceId: fx.ws, action: 'connection.updated' }, fx.admin).items.filter((e) => e.actor.id === 'demoted')).toEqual([]);
  });
});
