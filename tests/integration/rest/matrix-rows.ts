import type { Operation } from '@shared/access/policy';
import { PASSWORD, type RestBench } from './rest-harness';

/** What a row's path/body builders get: a fresh unique suffix, the workspace acted in, and what setup made. */
export type RowContext = { unique: string; workspaceId: string; vars: Record<string, string> };

/**
 * One REST endpoint in the permission matrix. `op` is the POLICY operation the endpoint is guarded by (null: any
 * authenticated caller); the expected status for every credential is derived from POLICY, never written here.
 * `setup` creates what the request acts on (as the owner), fresh for each credential. Other capabilities append
 * their endpoints as rows (connections, secrets, datastores…) and the matrix covers them for every credential.
 */
export type MatrixRow = {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string | ((c: RowContext) => string);
  body?: (c: RowContext) => unknown;
  op: Operation | null;
  /** Status when allowed. */
  status: number;
  setup?: (b: RestBench, workspaceId: string) => Promise<Record<string, string>> | Record<string, string>;
};

export const IDENTITY_ROWS: MatrixRow[] = [
  { method: 'GET', path: '/me', op: null, status: 200 },
  // Everyone lists the workspaces they hold a grant in.
  { method: 'GET', path: '/workspaces', op: null, status: 200 },
  { method: 'POST', path: '/workspaces', body: (c) => ({ name: `ws ${c.unique}` }), op: 'workspace.create', status: 201 },
  { method: 'GET', path: '/users', op: 'user.manage', status: 200 },
  { method: 'POST', path: '/users', body: (c) => ({ username: `new-${c.unique}`, password: PASSWORD, role: 'viewer' }), op: 'user.manage', status: 201 },
  {
    method: 'PATCH',
    path: (c) => `/users/${c.vars.id}`,
    body: () => ({ role: 'editor' }),
    op: 'user.manage',
    status: 200,
    setup: async (b, ws) => ({ id: (await b.core.users.create({ workspaceId: ws, username: `target-${b.nextId()}`, password: PASSWORD, role: 'viewer' }, b.admin)).id }),
  },
  {
    method: 'DELETE',
    path: (c) => `/users/${c.vars.id}`,
    op: 'user.manage',
    status: 204,
    setup: async (b, ws) => ({ id: (await b.core.users.create({ workspaceId: ws, username: `target-${b.nextId()}`, password: PASSWORD, role: 'viewer' }, b.admin)).id }),
  },
  { method: 'GET', path: '/api-keys', op: 'apikey.manage', status: 200 },
  { method: 'POST', path: '/api-keys', body: (c) => ({ name: `k ${c.unique}`, scopes: ['connections:read'] }), op: 'apikey.manage', status: 201 },
  {
    method: 'DELETE',
    path: (c) => `/api-keys/${c.vars.id}`,
    op: 'apikey.manage',
    status: 204,
    setup: (b, ws) => ({ id: b.core.apiKeys.create({ workspaceId: ws, name: `victim ${b.nextId()}`, scopes: ['audit:read'] }, b.admin).id }),
  },
  { method: 'GET', path: '/audit-events?limit=5', op: 'audit.read', status: 200 },
  { method: 'GET', path: '/settings', op: null, status: 200 },
  { method: 'PATCH', path: '/settings', body: (c) => ({ restApi: { port: 20000 + (Number(c.unique) % 20000) } }), op: 'settings.manage', status: 200 },
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
  { method: 'GET', path: '/connections', op: 'connection.list', status: 200 },
  { method: 'POST', path: '/connections', body: connectionBody, op: 'connection.create', status: 201 },
  { method: 'GET', path: (c) => `/connections/${c.vars.id}`, op: 'connection.read_detail', status: 200, setup: newConnection },
  { method: 'PATCH', path: (c) => `/connections/${c.vars.id}`, body: () => ({ status: 'paused' }), op: 'connection.update', status: 200, setup: newConnection },
  { method: 'POST', path: (c) => `/connections/${c.vars.id}/test`, op: 'connection.test', status: 424, setup: newConnection },
  { method: 'DELETE', path: (c) => `/connections/${c.vars.id}`, op: 'connection.delete', status: 204, setup: newConnection },
];

const newSecret = (b: RestBench, ws: string) => ({
  id: b.core.secrets.create({ workspaceId: ws, name: `secret-${b.nextId()}`, value: 'matrix-value' }, b.admin).id,
});

/** The docs' Secrets table over REST (reveal: admin or secrets:read only). */
export const SECRET_ROWS: MatrixRow[] = [
  { method: 'GET', path: '/secrets', op: 'secret.list', status: 200 },
  { method: 'POST', path: '/secrets', body: (c) => ({ name: `s-${c.unique}`, value: 'v' }), op: 'secret.write', status: 201 },
  { method: 'GET', path: (c) => `/secrets/${c.vars.id}`, op: 'secret.list', status: 200, setup: newSecret },
  { method: 'PATCH', path: (c) => `/secrets/${c.vars.id}`, body: () => ({ description: 'changed' }), op: 'secret.write', status: 200, setup: newSecret },
  { method: 'POST', path: (c) => `/secrets/${c.vars.id}/rotate`, body: () => ({ value: 'rotated' }), op: 'secret.rotate', status: 200, setup: newSecret },
  { method: 'POST', path: (c) => `/secrets/${c.vars.id}/reveal`, op: 'secret.reveal', status: 200, setup: newSecret },
  { method: 'DELETE', path: (c) => `/secrets/${c.vars.id}`, op: 'secret.write', status: 204, setup: newSecret },
];

const newDatastore = (b: RestBench, ws: string) => ({ id: b.core.datastores.create(b.admin, { workspaceId: ws, name: `ds ${b.nextId()}` }).id });
const datastoreWithObject = async (b: RestBench, ws: string) => {
  const { id } = newDatastore(b, ws);
  await b.core.datastores.putText(b.admin, { workspaceId: ws, datastoreId: id, key: 'reports/2026-05-01.csv', content: 'a,b\n1,2\n' });
  return { id };
};

/** The docs' Datastores table over REST (the download and upload-URL PUT routes have their own tests). */
export const DATASTORE_ROWS: MatrixRow[] = [
  { method: 'GET', path: '/datastores', op: 'datastore.list', status: 200 },
  { method: 'POST', path: '/datastores', body: (c) => ({ name: `ds ${c.unique}` }), op: 'datastore.create', status: 201 },
  { method: 'GET', path: (c) => `/datastores/${c.vars.id}`, op: 'datastore.list', status: 200, setup: newDatastore },
  { method: 'GET', path: (c) => `/datastores/${c.vars.id}/objects`, op: 'datastore.object_read', status: 200, setup: datastoreWithObject },
  {
    method: 'POST',
    path: (c) => `/datastores/${c.vars.id}/upload-url`,
    body: () => ({ key: 'reports/2026-05-01.csv', contentType: 'text/csv' }),
    op: 'datastore.object_write',
    status: 200,
    setup: newDatastore,
  },
  { method: 'DELETE', path: (c) => `/datastores/${c.vars.id}/objects/reports/2026-05-01.csv`, op: 'datastore.object_write', status: 204, setup: datastoreWithObject },
  // 200 with {deleted, objectsDeleted}: the admin sees what went with it.
  { method: 'DELETE', path: (c) => `/datastores/${c.vars.id}`, op: 'datastore.delete', status: 200, setup: newDatastore },
];

/** The matrix: every capability's rows. Append yours here. */
export const MATRIX_ROWS: MatrixRow[] = [...IDENTITY_ROWS, ...CONNECTION_ROWS, ...SECRET_ROWS, ...DATASTORE_ROWS];

export const rowPath = (r: MatrixRow, c: RowContext) => (typeof r.path === 'string' ? r.path : r.path(c));
export const rowName = (r: MatrixRow) => `${r.method} ${typeof r.path === 'string' ? r.path : r.path({ unique: 'N', workspaceId: 'W', vars: { id: '{id}' } })}`;
