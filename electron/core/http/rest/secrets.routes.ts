import { pageQuery, type RestRequestParts, type RestRoute } from './rest-router';

/** A JSON body as an object to spread; anything else becomes {} plus a marker the strict schema rejects. */
const body = (r: RestRequestParts): Record<string, unknown> =>
  r.body && typeof r.body === 'object' && !Array.isArray(r.body) ? (r.body as Record<string, unknown>) : r.body === undefined ? {} : { body: r.body };
const ref = (r: RestRequestParts) => ({ workspaceId: r.workspaceId, id: r.params.id });

/** REST for secrets, the docs' paths. Values go in (create, rotate) and come out only from /reveal. */
export const secretRoutes: readonly RestRoute[] = [
  { method: 'POST', path: '/secrets', channel: 'secrets:create', status: 201, input: (r) => ({ ...body(r), workspaceId: r.workspaceId }) },
  {
    method: 'GET',
    path: '/secrets',
    channel: 'secrets:list',
    input: (r) => ({
      workspaceId: r.workspaceId,
      ...pageQuery(r.query),
      ...(typeof r.query.search === 'string' && r.query.search !== '' ? { search: r.query.search } : {}),
    }),
  },
  { method: 'GET', path: '/secrets/:id', channel: 'secrets:get', input: ref },
  { method: 'PATCH', path: '/secrets/:id', channel: 'secrets:update', input: (r) => ({ ...body(r), ...ref(r) }) },
  { method: 'POST', path: '/secrets/:id/rotate', channel: 'secrets:rotate', input: (r) => ({ ...body(r), ...ref(r) }) },
  { method: 'POST', path: '/secrets/:id/rollback', channel: 'secrets:rollback', input: (r) => ({ ...body(r), ...ref(r) }) },
  { method: 'POST', path: '/secrets/:id/reveal', channel: 'secrets:reveal', input: ref },
  {
    method: 'DELETE',
    path: '/secrets/:id',
    channel: 'secrets:delete',
    status: 204,
    input: (r) => ({ ...ref(r), ...(r.query.force === 'true' || r.query.force === '1' ? { force: true } : {}) }),
  },
];
