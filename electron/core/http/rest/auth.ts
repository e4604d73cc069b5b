import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '@shared/domain/actor';
import type { Core } from '../../index';
import { AppError } from '../../errors';
import type { Authenticator } from './rest-router';

export const OWNER_KEY_ENV = 'PROVENANCE_ADMIN_API_KEY';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bootstrap authentication: the owner key from PROVENANCE_ADMIN_API_KEY (all scopes, every workspace, like a root
 * token). The identity capability extends this with local users (JWT) and stored API keys.
 */
export function createAuthenticator(core: Core, env: NodeJS.ProcessEnv = process.env): Authenticator {
  const owner = env[OWNER_KEY_ENV];
  const ownerDigest = owner ? digest(owner) : null;
  if (ownerDigest) core.access.registerResolver('apiKey', (actor) => (actor.id === 'owner' ? { scopes: ['admin'] } : null));

  return (req: FastifyRequest) => {
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || !ownerDigest) return null;
    if (!timingSafeEqual(digest(key), ownerDigest)) return null;
    const actor: Actor = { kind: 'apiKey', id: 'owner', name: 'owner key', origin: req.ip };
    return { actor, workspaceId: workspaceFrom(core, req) };
  };
}

/** x-workspace-id, else the Default workspace. An unknown id is a 403 (the docs' "belongs to your workspace"). */
export function workspaceFrom(core: Core, req: FastifyRequest): string {
  const header = req.headers['x-workspace-id'];
  if (header === undefined) return core.workspaces.defaultWorkspace().id;
  if (typeof header !== 'string') throw new AppError('INVALID_INPUT', 'x-workspace-id must be one workspace id', 'x-workspace-id');
  try {
    return core.workspaces.get(header).id;
  } catch {
    throw new AppError('FORBIDDEN', 'the workspace in x-workspace-id does not exist or is not yours');
  }
}
