import { AppError } from '../errors';
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
  | 'workflows:run'
  | 'runs:list'
  | 'runs:get'
  | 'runs:cancel'
  | 'runs:replay';

const notYet = async (): Promise<never> => {
  throw new AppError('UNAVAILABLE', 'workflows are not available in this build yet');
};

/** Placeholder until the workflow services land: every channel answers UNAVAILABLE. */
export function workflowsHandlers(core: Core): Pick<Handlers, WorkflowChannels> {
  return {
    'workflows:list': notYet,
    'workflows:get': notYet,
    'workflows:create': notYet,
    'workflows:update': notYet,
    'workflows:delete': notYet,
    'workflows:versions': notYet,
    'workflows:validate': notYet,
    'workflows:schema': notYet,
    // Runs: the run service checks access itself (workflow.list / workflow.run), so these only route.
    'workflows:run': (input, { actor }) => core.runs.start(actor, input),
    'runs:list': (input, { actor }) => core.runs.list(actor, input),
    'runs:get': (input, { actor }) => core.runs.get(actor, input.workspaceId, input.id),
    'runs:cancel': (input, { actor }) => core.runs.cancel(actor, input.workspaceId, input.id),
    'runs:replay': (input, { actor }) => core.runs.replay(actor, input),
  };
}
