import type { Core } from '../index';
import type { Handlers } from './dispatch';

type CoreChannels = 'session:info' | 'workspaces:list' | 'workspaces:create' | 'workspaces:rename' | 'audit:list' | 'audit:export';

/** Foundation handlers: parsed input → service. Each service checks the caller itself. */
export function coreHandlers(core: Core): Pick<Handlers, CoreChannels> {
  const { session, workspaces, audit } = core;
  return {
    'session:info': (_input, { actor }) => session.info(actor),
    'workspaces:list': (_input, { actor }) => workspaces.list(actor),
    'workspaces:create': (input, { actor }) => workspaces.create(input.name, actor),
    'workspaces:rename': (input, { actor }) => workspaces.rename(input.id, input.name, actor),
    'audit:list': (input, { actor }) => audit.list(input, actor),
    'audit:export': (input, { actor }) => audit.exportLog(input, actor),
  };
}
