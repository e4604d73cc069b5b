import type { ConnectionTestResult, TestOutcome } from '@shared/domain/connection';
import { pageQuery, type RestRoute } from './rest-router';

const bodyObject = (b: unknown): Record<string, unknown> => (b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {});
const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** A failed test is a 4xx with the classified reason (the docs: "200 if the credential validates … or a 4xx"). */
const TEST_STATUS: Record<TestOutcome, number> = {
  valid: 200,
  invalid_credential: 422,
  insufficient_scope: 422,
  rate_limited: 429,
  provider_error: 424,
  unreachable: 424,
};

/** REST for connections, the docs' paths. The workspace comes from the caller (x-workspace-id, else Default). */
export const connectionRoutes: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/connections',
    channel: 'connections:list',
    input: (r) => ({
      workspaceId: r.workspaceId,
      ...pageQuery(r.query),
      ...(text(r.query.provider) ? { provider: r.query.provider } : {}),
      ...(text(r.query.status) ? { status: r.query.status } : {}),
      ...(text(r.query.q) ? { q: r.query.q } : {}),
    }),
  },
  { method: 'POST', path: '/connections', channel: 'connections:create', input: (r) => ({ ...bodyObject(r.body), workspaceId: r.workspaceId }), status: 201 },
  { method: 'GET', path: '/connections/:id', channel: 'connections:get', input: (r) => ({ workspaceId: r.workspaceId, id: r.params.id }) },
  {
    method: 'PATCH',
    path: '/connections/:id',
    channel: 'connections:update',
    input: (r) => ({ ...bodyObject(r.body), workspaceId: r.workspaceId, id: r.params.id }),
  },
  {
    method: 'DELETE',
    path: '/connections/:id',
    channel: 'connections:delete',
    input: (r) => ({ workspaceId: r.workspaceId, id: r.params.id, ...(r.query.force === 'true' ? { force: true } : {}) }),
    status: 204,
  },
  {
    method: 'POST',
    path: '/connections/:id/test',
    channel: 'connections:test',
    input: (r) => ({ workspaceId: r.workspaceId, id: r.params.id }),
    respond: (value) => {
      const result = value as ConnectionTestResult;
      const status = TEST_STATUS[result.outcome];
      if (status === 200) return { status, body: result };
      const headers: Record<string, string> = {};
      if (result.retryAfterSeconds !== null) headers['retry-after'] = String(result.retryAfterSeconds);
      return {
        status,
        headers,
        body: { error: { code: result.outcome.toUpperCase(), message: result.message }, result },
      };
    },
  },
];
