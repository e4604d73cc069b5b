import type { RestRoute } from './rest-router';

/**
 * REST for workflow runs (issue #15). Starting and replaying answer 202 with the queued run's id: the run executes in
 * the background; GET /runs/{id} (or the runs:changed push) follows it. Outputs and errors are scrubbed.
 */
export const runRoutes: readonly RestRoute[] = [
  { method: 'POST', path: '/workflows/:id/runs', channel: 'workflows:run', request: { body: true }, status: 202, summary: 'Run a workflow ({inputs?}); answers the queued run' },
  {
    method: 'GET',
    path: '/workflows/:id/runs',
    channel: 'runs:list',
    request: { params: { id: 'workflowId' }, query: ['status', 'limit', 'cursor'] },
    operationId: 'workflowsRunsList',
    summary: "A workflow's runs, newest first",
  },
  { method: 'GET', path: '/runs', channel: 'runs:list', request: { query: ['workflowId', 'status', 'limit', 'cursor'] }, summary: 'Runs of the workspace, newest first' },
  { method: 'GET', path: '/runs/:id', channel: 'runs:get', summary: 'A run with its steps: status, attempt, timing, error, scrubbed output, connection used' },
  { method: 'POST', path: '/runs/:id/cancel', channel: 'runs:cancel', summary: 'Cancel a queued or running run' },
  {
    method: 'POST',
    path: '/runs/:id/replay',
    channel: 'runs:replay',
    request: { body: true },
    status: 202,
    summary: 'A new run of the same version ({from?: "failed"|"start"}) reusing the outputs of the steps that succeeded',
  },
];
