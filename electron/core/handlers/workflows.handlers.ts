import type { Core } from '../index';
import type { Handlers } from './dispatch';

type WorkflowChannels =
  | 'workflows:list'
  | 'workflows:get'
  | 'workflows:create'
  | 'workflows:update'
  | 'workflows:delete'
  | 'workflows:versions'
  | 'workflows:validate'
  | 'workflows:schema'
  | 'workflows:export'
  | 'workflows:run'
  | 'runs:list'
  | 'runs:get'
  | 'runs:cancel'
  | 'runs:replay';

/**
 * Workflows: parsed input → service. The services check access (POLICY) themselves, for every transport.
 */
export function workflowsHandlers(core: Core): Pick<Handlers, WorkflowChannels> {
  const { workflows } = core;
  return {
    'workflows:list': (input, { actor }) => workflows.list(input, actor),
    'workflows:get': (input, { actor }) => workflows.get(input, actor),
    'workflows:create': (input, { actor }) => workflows.create(input, actor),
    'workflows:update': (input, { actor }) => workflows.update(input, actor),
    'workflows:delete': (input, { actor }) => workflows.remove(input, actor),
    'workflows:versions': (input, { actor }) => workflows.versions(input, actor),
    'workflows:validate': (input, { actor }) => workflows.validate(input, actor),
    'workflows:schema': (input, { actor }) => workflows.schema(input.workspaceId, actor),
    'workflows:export': (input, { actor }) => workflows.exportDefinition(input, actor),
    // Runs: the run service checks access itself (workflow.list / workflow.run), so these only route.
    'workflows:run': (input, { actor }) => core.runs.start(actor, input),
    'runs:list': (input, { actor }) => core.runs.list(actor, input),
    'runs:get': (input, { actor }) => core.runs.get(actor, input.workspaceId, input.id),
    'runs:cancel': (input, { actor }) => core.runs.cancel(actor, input.workspaceId, input.id),
    'runs:replay': (input, { actor }) => core.runs.replay(actor, input),
  };
}
