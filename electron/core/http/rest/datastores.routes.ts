import { pageQuery, type RestRoute } from './rest-router';

const obj = (b: unknown): Record<string, unknown> => (b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * REST for datastores, the docs' paths. Object bodies (download, pre-signed PUT) are streamed by
 * datastore-http.ts instead, since they cannot travel through a JSON channel.
 */
export const datastoreRoutes: readonly RestRoute[] = [
  { method: 'GET', path: '/datastores', channel: 'datastores:list', input: (r) => ({ workspaceId: r.workspaceId, ...pageQuery(r.query) }) },
  { method: 'POST', path: '/datastores', channel: 'datastores:create', input: (r) => ({ ...obj(r.body), workspaceId: r.workspaceId }), status: 201 },
  { method: 'GET', path: '/datastores/:id', channel: 'datastores:get', input: (r) => ({ workspaceId: r.workspaceId, datastoreId: r.params.id }) },
  {
    method: 'DELETE',
    path: '/datastores/:id',
    channel: 'datastores:delete',
    input: (r) => ({ workspaceId: r.workspaceId, datastoreId: r.params.id, force: r.query.force === 'true' || r.query.force === '1' }),
  },
  { method: 'POST', path: '/datastores/:id/test', channel: 'datastores:test', input: (r) => ({ workspaceId: r.workspaceId, datastoreId: r.params.id }) },
  {
    method: 'GET',
    path: '/datastores/:id/objects',
    channel: 'datastores:objects:list',
    input: (r) => {
      const q: Record<string, unknown> = { workspaceId: r.workspaceId, datastoreId: r.params.id, ...pageQuery(r.query) };
      if (str(r.query.prefix) !== undefined) q.prefix = r.query.prefix;
      if (str(r.query.delimiter) !== undefined) q.delimiter = r.query.delimiter;
      return q;
    },
  },
  {
    method: 'DELETE',
    path: '/datastores/:id/objects/*',
    channel: 'datastores:objects:delete',
    input: (r) => ({ workspaceId: r.workspaceId, datastoreId: r.params.id, key: r.params['*'] }),
    status: 204,
  },
  {
    method: 'POST',
    path: '/datastores/:id/upload-url',
    channel: 'datastores:uploadUrl',
    input: (r) => ({ ...obj(r.body), workspaceId: r.workspaceId, datastoreId: r.params.id }),
  },
  { method: 'GET', path: '/storage/usage', channel: 'datastores:usage', input: (r) => ({ workspaceId: r.workspaceId }) },
];
