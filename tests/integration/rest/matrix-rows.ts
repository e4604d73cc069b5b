import { PASSWORD, type RestBench } from './rest-harness';
import { insertRun, insertWorkflow } from '../workflows/run-fixture';

/** What a row's path/body builders get: a fresh unique suffix, the workspace acted in, and what setup made. */
export type RowContext = { unique: string; workspaceId: string; vars: Record<string, string> };

/**
 * One REST route in the permission matrix: how to call it so that it succeeds when allowed. `route` is the route's
 * key (`METHOD path`, as REST_ROUTES declares it); who may call it is NOT here but in expected-permissions.ts, written
 * independently of POLICY. `setup` creates what the request acts on (as the owner), fresh for each credential.
 * Every route must have a row: the matrix test fails on a route without one.
 */
export type MatrixRow = {
  route: string;
  path: string | ((c: RowContext) => string);
  body?: (c: RowContext) => unknown;
  /** Status when allowed. */
  status: number;
  setup?: (b: RestBench, workspaceId: string) => Promise<Record<string, string>> | Record<string, string>;
};

const newUser = async (b: RestBench, ws: string) => ({
  id: (await b.core.users.create({ workspaceId: ws, username: `target-${b.nextId()}`, password: PASSWORD, role: 'viewer' }, b.admin)).id,
});

export const IDENTITY_ROWS: MatrixRow[] = [
  // Public: any credential sent along is ignored; a fresh user each time, so no lockout carries over.
  {
    route: 'POST /auth/login',
    path: '/auth/login',
    body: (c) => ({ username: c.vars.username, password: PASSWORD }),
    status: 200,
    setup: async (b, ws) => {
      const username = `signin-${b.nextId()}`;
      await b.core.users.create({ workspaceId: ws, username, password: PASSWORD, role: 'viewer' }, b.admin);
      return { username };
    },
  },
  { route: 'GET /me', path: '/me', status: 200 },
  // Everyone lists the workspaces they hold a grant in.
  { route: 'GET /workspaces', path: '/workspaces', status: 200 },
  { route: 'POST /workspaces', path: '/workspaces', body: (c) => ({ name: `ws ${c.unique}` }), status: 201 },
  { route: 'GET /users', path: '/users', status: 200 },
  { route: 'POST /users', path: '/users', body: (c) => ({ username: `new-${c.unique}`, password: PASSWORD, role: 'viewer' }), status: 201 },
  { route: 'PATCH /users/:id', path: (c) => `/users/${c.vars.id}`, body: () => ({ role: 'editor' }), status: 200, setup: newUser },
  { route: 'DELETE /users/:id', path: (c) => `/users/${c.vars.id}`, status: 204, setup: newUser },
  { route: 'GET /api-keys', path: '/api-keys', status: 200 },
  { route: 'POST /api-keys', path: '/api-keys', body: (c) => ({ name: `k ${c.unique}`, scopes: ['connections:read'] }), status: 201 },
  {
    route: 'DELETE /api-keys/:id',
    path: (c) => `/api-keys/${c.vars.id}`,
    status: 204,
    setup: (b, ws) => ({ id: b.core.apiKeys.create({ workspaceId: ws, name: `victim ${b.nextId()}`, scopes: ['audit:read'] }, b.admin).id }),
  },
  { route: 'GET /audit-events', path: '/audit-events?limit=5', status: 200 },
  { route: 'GET /audit-events/export', path: '/audit-events/export?format=csv&risk=high', status: 200 },
  { route: 'GET /settings', path: '/settings', status: 200 },
  { route: 'PATCH /settings', path: '/settings', body: (c) => ({ restApi: { port: 20000 + (Number(c.unique) % 20000) } }), status: 200 },
];

// A Datadog connection whose provider is unreachable on purpose: a permitted test runs and reports 424 quickly.
const newConnection = (b: RestBench, ws: string) => ({
  id: b.core.connections.create(
    { workspaceId: ws, name: `conn ${b.nextId()}`, provider: 'datadog', authType: 'apikey', credential: 'dd-key-0123456789abcdef', settings: { site: 'datadoghq.com', baseUrl: 'http://127.0.0.1:9' } },
    b.admin,
  ).id,
});
const connectionBody = (c: RowContext) => ({
  name: `conn ${c.unique}`,
  provider: 'datadog',
  authType: 'apikey',
  credential: 'dd-key-0123456789abcdef',
  settings: { site: 'datadoghq.com', baseUrl: 'http://127.0.0.1:9' },
});

/** The docs' Connections table over REST. */
export const CONNECTION_ROWS: MatrixRow[] = [
  { route: 'GET /connections', path: '/connections', status: 200 },
  { route: 'POST /connections', path: '/connections', body: connectionBody, status: 201 },
  { route: 'GET /connections/:id', path: (c) => `/connections/${c.vars.id}`, status: 200, setup: newConnection },
  { route: 'PATCH /connections/:id', path: (c) => `/connections/${c.vars.id}`, body: () => ({ status: 'paused' }), status: 200, setup: newConnection },
  { route: 'POST /connections/:id/credential', path: (c) => `/connections/${c.vars.id}/credential`, status: 200, setup: newConnection },
  { route: 'POST /connections/:id/test', path: (c) => `/connections/${c.vars.id}/test`, status: 424, setup: newConnection },
  { route: 'DELETE /connections/:id', path: (c) => `/connections/${c.vars.id}`, status: 204, setup: newConnection },
];

// The authorization server is unreachable on purpose: a permitted consent flow starts (its loopback listener waits
// until the bench stops), the provider is never called.
const AS = 'http://127.0.0.1:9/oauth2/default';
const OKTA_ORG = { orgUrl: 'https://org.example.com' };
/** The workspace's Okta app (consent flows need one), made once. */
const oktaApp = (b: RestBench, ws: string): string =>
  b.core.oauth.apps.list({ workspaceId: ws, provider: 'okta' }, b.admin).items[0]?.id ??
  b.core.oauth.apps.create({ workspaceId: ws, provider: 'okta', clientId: 'matrix', scopes: ['openid'], settings: { baseUrl: AS } }, b.admin).id;
/** A fresh app for `provider` (one per provider and workspace: an earlier one is removed first). */
const freshApp = (b: RestBench, ws: string, provider: 'github' | 'slack') => {
  const old = b.core.oauth.apps.list({ workspaceId: ws, provider }, b.admin).items[0];
  if (old) b.core.oauth.apps.remove(ws, old.id, b.admin);
  return { id: b.core.oauth.apps.create({ workspaceId: ws, provider, clientId: `c${b.nextId()}`, scopes: [] }, b.admin).id };
};
const noApp = (b: RestBench, ws: string, provider: 'linkedin') => {
  const old = b.core.oauth.apps.list({ workspaceId: ws, provider }, b.admin).items[0];
  if (old) b.core.oauth.apps.remove(ws, old.id, b.admin);
  return {};
};

/** OAuth apps and consent flows (the docs' Create / Edit, re-authorize / View status cells). */
export const OAUTH_ROWS: MatrixRow[] = [
  { route: 'GET /oauth-apps', path: '/oauth-apps', status: 200 },
  { route: 'POST /oauth-apps', path: '/oauth-apps', body: () => ({ provider: 'linkedin', clientId: 'li', scopes: [] }), status: 201, setup: (b, ws) => noApp(b, ws, 'linkedin') },
  { route: 'PATCH /oauth-apps/:id', path: (c) => `/oauth-apps/${c.vars.id}`, body: (c) => ({ scopes: [`s${c.unique}`] }), status: 200, setup: (b, ws) => freshApp(b, ws, 'github') },
  { route: 'DELETE /oauth-apps/:id', path: (c) => `/oauth-apps/${c.vars.id}`, status: 204, setup: (b, ws) => freshApp(b, ws, 'slack') },
  {
    route: 'POST /connections/authorize',
    path: '/connections/authorize',
    body: (c) => ({ name: `okta ${c.unique}`, provider: 'okta', settings: OKTA_ORG }),
    status: 201,
    setup: (b, ws) => ({ app: oktaApp(b, ws) }),
  },
  {
    route: 'GET /connections/authorize/:flowId',
    path: (c) => `/connections/authorize/${c.vars.flowId}`,
    status: 200,
    setup: async (b, ws) => {
      oktaApp(b, ws);
      return { flowId: (await b.core.oauth.flows.start({ workspaceId: ws, name: `flow ${b.nextId()}`, provider: 'okta', settings: OKTA_ORG }, b.admin)).flowId };
    },
  },
  {
    route: 'POST /connections/:id/authorize',
    path: (c) => `/connections/${c.vars.id}/authorize`,
    status: 201,
    setup: (b, ws) => {
      oktaApp(b, ws);
      return { id: b.core.connections.create({ workspaceId: ws, name: `okta ${b.nextId()}`, provider: 'okta', authType: 'oauth2', settings: OKTA_ORG }, b.admin).id };
    },
  },
  { route: 'GET /connections/oauth-health', path: '/connections/oauth-health', status: 200 },
];

const newSecret = (b: RestBench, ws: string) => ({
  id: b.core.secrets.create({ workspaceId: ws, name: `secret-${b.nextId()}`, value: 'matrix-value' }, b.admin).id,
});
const secretWithTwoVersions = (b: RestBench, ws: string) => {
  const { id } = newSecret(b, ws);
  b.core.secrets.rotate({ workspaceId: ws, id, value: 'matrix-value-2' }, b.admin);
  return { id };
};

/** The docs' Secrets table over REST (reveal: admin or secrets:read only; rollback: admin only). */
export const SECRET_ROWS: MatrixRow[] = [
  { route: 'GET /secrets', path: '/secrets', status: 200 },
  { route: 'POST /secrets', path: '/secrets', body: (c) => ({ name: `s-${c.unique}`, value: 'v' }), status: 201 },
  { route: 'GET /secrets/:id', path: (c) => `/secrets/${c.vars.id}`, status: 200, setup: newSecret },
  { route: 'PATCH /secrets/:id', path: (c) => `/secrets/${c.vars.id}`, body: () => ({ description: 'changed' }), status: 200, setup: newSecret },
  { route: 'POST /secrets/:id/rotate', path: (c) => `/secrets/${c.vars.id}/rotate`, body: () => ({ value: 'rotated' }), status: 200, setup: newSecret },
  { route: 'POST /secrets/:id/rollback', path: (c) => `/secrets/${c.vars.id}/rollback`, body: () => ({ version: 1 }), status: 200, setup: secretWithTwoVersions },
  { route: 'POST /secrets/:id/reveal', path: (c) => `/secrets/${c.vars.id}/reveal`, status: 200, setup: newSecret },
  { route: 'DELETE /secrets/:id', path: (c) => `/secrets/${c.vars.id}`, status: 204, setup: newSecret },
];

const newDatastore = async (b: RestBench, ws: string) => ({ id: (await b.core.datastores.create(b.admin, { workspaceId: ws, name: `ds ${b.nextId()}` })).id });
const datastoreWithObject = async (b: RestBench, ws: string) => {
  const { id } = await newDatastore(b, ws);
  await b.core.datastores.putText(b.admin, { workspaceId: ws, datastoreId: id, key: 'reports/2026-05-01.csv', content: 'a,b\n1,2\n' });
  return { id };
};

/** The docs' Datastores table over REST (the upload-URL PUT is signed, not credential-gated: its own tests). */
export const DATASTORE_ROWS: MatrixRow[] = [
  { route: 'GET /datastores', path: '/datastores', status: 200 },
  { route: 'POST /datastores', path: '/datastores', body: (c) => ({ name: `ds ${c.unique}` }), status: 201 },
  { route: 'GET /datastores/:id', path: (c) => `/datastores/${c.vars.id}`, status: 200, setup: newDatastore },
  { route: 'POST /datastores/:id/test', path: (c) => `/datastores/${c.vars.id}/test`, status: 200, setup: newDatastore },
  // Rewrites the mark of a healthy datastore's folder: allowed is 200 as well.
  { route: 'POST /datastores/:id/reattach', path: (c) => `/datastores/${c.vars.id}/reattach`, status: 200, setup: newDatastore },
  { route: 'GET /datastores/:id/objects', path: (c) => `/datastores/${c.vars.id}/objects`, status: 200, setup: datastoreWithObject },
  { route: 'GET /datastores/:id/objects/*', path: (c) => `/datastores/${c.vars.id}/objects/reports/2026-05-01.csv`, status: 200, setup: datastoreWithObject },
  {
    route: 'POST /datastores/:id/upload-url',
    path: (c) => `/datastores/${c.vars.id}/upload-url`,
    body: () => ({ key: 'reports/2026-05-01.csv', contentType: 'text/csv' }),
    status: 200,
    setup: newDatastore,
  },
  { route: 'PUT /datastores/:id/objects/*', path: (c) => `/datastores/${c.vars.id}/objects/uploads/${c.unique}.json`, body: (c) => ({ n: c.unique }), status: 200, setup: newDatastore },
  {
    route: 'GET /datastores/:id/uploads',
    path: (c) => `/datastores/${c.vars.id}/uploads?key=uploads%2Fbig.bin&size=${64 * 1024 * 1024}&fingerprint=matrix-fingerprint-0123456789`,
    status: 200,
    setup: newDatastore,
  },
  { route: 'DELETE /datastores/:id/objects/*', path: (c) => `/datastores/${c.vars.id}/objects/reports/2026-05-01.csv`, status: 204, setup: datastoreWithObject },
  // 200 with {deleted, objectsDeleted}: the admin sees what went with it.
  { route: 'DELETE /datastores/:id', path: (c) => `/datastores/${c.vars.id}`, status: 200, setup: newDatastore },
  { route: 'GET /storage/usage', path: '/storage/usage', status: 200 },
];

const workflowDefinition = (name: string) => ({ name, steps: [{ id: 'only', kind: 'transform' as const, config: { expression: '1 + 1' } }] });
const newWorkflow = (b: RestBench, ws: string) => ({ id: b.core.workflows.create({ workspaceId: ws, definition: workflowDefinition(`wf ${b.nextId()}`) }, b.admin).id });

/** Issue 15's workflow rows over REST (runs have their own rows). */
export const WORKFLOW_ROWS: MatrixRow[] = [
  { route: 'GET /workflows', path: '/workflows', status: 200 },
  { route: 'POST /workflows', path: '/workflows', body: (c) => ({ definition: workflowDefinition(`wf ${c.unique}`) }), status: 201 },
  { route: 'GET /workflows/schema', path: '/workflows/schema', status: 200 },
  { route: 'POST /workflows/validate', path: '/workflows/validate', body: (c) => ({ definition: workflowDefinition(`wf ${c.unique}`) }), status: 200 },
  { route: 'GET /workflows/:id', path: (c) => `/workflows/${c.vars.id}`, status: 200, setup: newWorkflow },
  { route: 'GET /workflows/:id/versions', path: (c) => `/workflows/${c.vars.id}/versions`, status: 200, setup: newWorkflow },
  { route: 'GET /workflows/:id/export', path: (c) => `/workflows/${c.vars.id}/export`, status: 200, setup: newWorkflow },
  { route: 'PUT /workflows/:id', path: (c) => `/workflows/${c.vars.id}`, body: (c) => ({ definition: workflowDefinition(`wf ${c.unique}`) }), status: 200, setup: newWorkflow },
  { route: 'DELETE /workflows/:id', path: (c) => `/workflows/${c.vars.id}`, status: 204, setup: newWorkflow },
];

/** A workflow of one transform step (it checks nothing beyond the run's own gate). */
const newRunnableWorkflow = (b: RestBench, ws: string) => ({
  id: insertWorkflow(b.core, ws, { name: `wf ${b.nextId()}`, steps: [{ id: 'a', kind: 'transform', config: { expression: '1' } }] }),
});
/** A run in a given state, written directly: a `running` one belongs to another (live) process, so it stays running until cancelled. */
const runIn = (status: 'running' | 'failed') => (b: RestBench, ws: string) => ({ id: insertRun(b.core, ws, newRunnableWorkflow(b, ws).id, status) });

/** Workflow runs (issue #15). */
export const RUN_ROWS: MatrixRow[] = [
  { route: 'POST /workflows/:id/runs', path: (c) => `/workflows/${c.vars.id}/runs`, body: () => ({}), status: 202, setup: newRunnableWorkflow },
  { route: 'GET /workflows/:id/runs', path: (c) => `/workflows/${c.vars.id}/runs`, status: 200, setup: newRunnableWorkflow },
  { route: 'GET /runs', path: '/runs', status: 200 },
  { route: 'GET /runs/:id', path: (c) => `/runs/${c.vars.id}`, status: 200, setup: runIn('failed') },
  { route: 'POST /runs/:id/cancel', path: (c) => `/runs/${c.vars.id}/cancel`, status: 200, setup: runIn('running') },
  { route: 'POST /runs/:id/replay', path: (c) => `/runs/${c.vars.id}/replay`, body: () => ({ from: 'failed' }), status: 202, setup: runIn('failed') },
];

/** The matrix: every capability's rows. Append yours here. */
export const MATRIX_ROWS: MatrixRow[] = [...IDENTITY_ROWS, ...CONNECTION_ROWS, ...OAUTH_ROWS, ...SECRET_ROWS, ...DATASTORE_ROWS, ...WORKFLOW_ROWS, ...RUN_ROWS];

export const rowPath = (r: MatrixRow, c: RowContext) => (typeof r.path === 'string' ? r.path : r.path(c));
export const rowMethod = (r: MatrixRow) => r.route.slice(0, r.route.indexOf(' '));
