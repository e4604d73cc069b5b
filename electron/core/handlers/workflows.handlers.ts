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
export function workflowsHandlers(_core: Core): Pick<Handlers, WorkflowChannels> {
  return {
    'workflows:list': notYet,
    'workflows:get': notYet,
    'workflows:create': notYet,
    'workflows:update': notYet,
    'workflows:delete': notYet,
    'workflows:versions': notYet,
    'workflows:validate': notYet,
    'workflows:schema': notYet,
    'workflows:run': notYet,
    'runs:list': notYet,
    'runs:get': notYet,
    'runs:cancel': notYet,
    'runs:replay': notYet,
  };
}
