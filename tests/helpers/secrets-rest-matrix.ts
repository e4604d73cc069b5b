/**
 * The docs' Secrets REST surface, as rows the identity capability's role × REST matrix can join: for each
 * endpoint, the status each role gets (the docs' Secrets table) and the owner key's. The secrets suite runs every
 * row with the owner key and without credentials; `path` takes the id of a freshly created secret.
 */
export const SECRETS_REST_MATRIX: ReadonlyArray<{
  name: string;
  method: string;
  path: (id: string) => string;
  body?: unknown;
  roles: { admin: number; editor: number; viewer: number };
  owner: number;
}> = [
  { name: 'create', method: 'POST', path: () => '/secrets', body: { name: `rest-${Date.now()}`, value: 'v' }, roles: { admin: 201, editor: 201, viewer: 403 }, owner: 201 },
  { name: 'list', method: 'GET', path: () => '/secrets', roles: { admin: 200, editor: 200, viewer: 200 }, owner: 200 },
  { name: 'get', method: 'GET', path: (id) => `/secrets/${id}`, roles: { admin: 200, editor: 200, viewer: 200 }, owner: 200 },
  { name: 'update', method: 'PATCH', path: (id) => `/secrets/${id}`, body: { description: 'changed' }, roles: { admin: 200, editor: 200, viewer: 403 }, owner: 200 },
  { name: 'rotate', method: 'POST', path: (id) => `/secrets/${id}/rotate`, body: { value: 'rotated' }, roles: { admin: 200, editor: 200, viewer: 403 }, owner: 200 },
  { name: 'reveal', method: 'POST', path: (id) => `/secrets/${id}/reveal`, roles: { admin: 200, editor: 403, viewer: 403 }, owner: 200 },
  { name: 'delete', method: 'DELETE', path: (id) => `/secrets/${id}`, roles: { admin: 204, editor: 204, viewer: 403 }, owner: 204 },
];

