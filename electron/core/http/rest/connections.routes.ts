import type { ConnectionTestResult, TestOutcome } from '@shared/domain/connection';
import { ConnectionTestFailedSchema } from '@shared/ipc/rest.contract';
import type { RestRoute } from './rest-router';

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
    request: { query: ['provider', 'status', 'q', 'limit', 'cursor'] },
    summary: 'Connections of the workspace (no credential is ever returned)',
  },
  { method: 'POST', path: '/connections', channel: 'connections:create', request: { body: true }, status: 201, summary: 'Store a connection; the credential is sealed by the vault' },
  {
    method: 'GET',
    path: '/connections/:id',
    channel: 'connections:get',
    summary: 'A connection in detail (audited as connection.accessed)',
    // openingId (one access record per opening of the desktop's detail view) is not for REST: every read is recorded.
    request: { omit: ['openingId'] },
  },
  { method: 'PATCH', path: '/connections/:id', channel: 'connections:update', request: { body: true }, summary: 'Rename, pause or resume, change settings, or replace the credential' },
  {
    method: 'DELETE',
    path: '/connections/:id',
    channel: 'connections:delete',
    request: { query: ['force'] },
    status: 204,
    summary: 'Delete a connection (force=true when workflow steps reference it)',
  },
  {
    method: 'POST',
    path: '/connections/:id/credential',
    channel: 'connections:credential',
    summary: "The credential, for a local program the caller runs (the CLI's exec): connection.use; audited as connection.used",
  },
  {
    method: 'POST',
    path: '/connections/:id/test',
    channel: 'connections:test',
    summary: "Test the stored credential against the provider's validation endpoint",
    respond: {
      map: (value) => {
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
      responses: {
        '422': { description: 'The provider refused the credential, or it lacks a scope', schema: ConnectionTestFailedSchema },
        '424': { description: 'The provider failed or could not be reached', schema: ConnectionTestFailedSchema },
        '429': { description: 'The provider rate-limited the test; see Retry-After', schema: ConnectionTestFailedSchema, headers: { 'retry-after': 'Seconds until the provider allows another test' } },
      },
    },
  },
];
