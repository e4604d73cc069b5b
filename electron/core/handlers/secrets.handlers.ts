import type { Core } from '../index';
import type { Handlers } from './dispatch';

type SecretChannels =
  | 'secrets:list'
  | 'secrets:get'
  | 'secrets:create'
  | 'secrets:update'
  | 'secrets:rotate'
  | 'secrets:rollback'
  | 'secrets:reveal'
  | 'secrets:delete';

/** Secrets handlers: the service checks access itself (reveal records denied attempts), so these only route. */
export function secretsHandlers(core: Core): Pick<Handlers, SecretChannels> {
  const { secrets } = core;
  return {
    'secrets:list': (input, { actor }) => secrets.list(input, actor),
    'secrets:get': (input, { actor }) => secrets.get(input.workspaceId, input.id, actor),
    'secrets:create': (input, { actor }) => secrets.create(input, actor),
    'secrets:update': (input, { actor }) => secrets.update(input, actor),
    'secrets:rotate': (input, { actor }) => secrets.rotate(input, actor),
    'secrets:rollback': (input, { actor }) => secrets.rollback(input, actor),
    'secrets:reveal': (input, { actor }) => secrets.reveal(input.workspaceId, input.id, actor),
    'secrets:delete': (input, { actor }) => secrets.remove(input, actor),
  };
}
