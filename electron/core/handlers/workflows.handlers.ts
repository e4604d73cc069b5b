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
  | 'workflows:export'
  | 'workflows:run'
  | 'runs:list'
  | 'runs:get'
  | 'runs:cancel'
  | 'runs:replay';

const notYet = async (): Promise<never> => {
  throw new AppError('UNAVAILABLE', 'workflows are not available in this build yet');
};

/**
 * Workflows: parsed input → service. The services check access (POLICY) themselves, for every transport. Runs answer
 * UNAVAILABLE until the runner lands.
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
    'workflows:run': notYet,
    'runs:list': notYet,
    'runs:get': notYet,
    'runs:cancel': notYet,
    'runs:replay': notYet,
  };
}
