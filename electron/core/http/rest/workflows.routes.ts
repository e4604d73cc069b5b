import type { WorkflowDefinition } from '@shared/domain/workflow';
import type { RestRoute } from './rest-router';

/** `attachment; filename=…` for a workflow file: ASCII fallback, and the UTF-8 name (RFC 6266 / 8187). */
export function workflowFileDisposition(name: string): string {
  // A lone surrogate would make encodeURIComponent throw: it becomes U+FFFD.
  const file = `${name.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')}.workflow.json`;
  const ascii = file.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const utf8 = encodeURIComponent(file).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/**
 * REST for workflow definitions (issue 15). Export is GET /workflows/{id}/export (the definition file, `$schema`
 * included, as an attachment); import is POST /workflows with a file's JSON as `definition`. Runs have their own
 * routes (runs room).
 */
export const workflowRoutes: readonly RestRoute[] = [
  { method: 'GET', path: '/workflows', channel: 'workflows:list', request: { query: ['q', 'limit', 'cursor'] }, summary: 'Workflows of the workspace by name, with their last run' },
  {
    method: 'POST',
    path: '/workflows',
    channel: 'workflows:create',
    request: { body: true },
    status: 201,
    summary: 'Create a workflow from a definition (import: send a file\'s JSON as `definition`); refused with the field that is wrong',
  },
  { method: 'GET', path: '/workflows/schema', channel: 'workflows:schema', summary: 'The JSON Schema of the workflow definition file format' },
  {
    method: 'POST',
    path: '/workflows/validate',
    channel: 'workflows:validate',
    request: { body: true },
    summary: 'Check a definition as a save would, without saving: every issue with its field',
  },
  { method: 'GET', path: '/workflows/:id', channel: 'workflows:get', request: { query: ['version'] }, summary: 'A workflow with its definition (?version=N: as it was at version N)' },
  {
    method: 'PUT',
    path: '/workflows/:id',
    channel: 'workflows:update',
    request: { body: true },
    summary: 'Save a new version of the workflow (expectedVersion: refused with 409 when another save came first)',
  },
  { method: 'DELETE', path: '/workflows/:id', channel: 'workflows:delete', status: 204, summary: 'Delete a workflow, its versions and runs (admin; 409 while a run is in progress)' },
  { method: 'GET', path: '/workflows/:id/versions', channel: 'workflows:versions', summary: 'The versions of a workflow, newest first' },
  {
    method: 'GET',
    path: '/workflows/:id/export',
    channel: 'workflows:export',
    request: { query: ['version'] },
    summary: 'The definition file of the workflow (or of ?version=N), as a download; import it with POST /workflows',
    respond: {
      map: (value) => {
        const def = value as WorkflowDefinition;
        return { status: 200, body: def, headers: { 'content-disposition': workflowFileDisposition(def.name) } };
      },
      responses: {},
    },
  },
];
