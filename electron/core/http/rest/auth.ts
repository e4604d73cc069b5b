import type { FastifyRequest } from 'fastify';
import type { Actor } from '@shared/domain/actor';
import type { Core } from '../../index';
import { AppError } from '../../errors';
import type { Authenticator } from './rest-router';

export const OWNER_KEY_ENV = 'PROVENANCE_ADMIN_API_KEY';

/**
 * REST authentication: `x-api-key` (a stored API key, or the owner key from PROVENANCE_ADMIN_API_KEY: all scopes in
 * every workspace, like a root token) or `Authorization: Bearer <JWT>` from POST /auth/login. A credential that is
 * presented but not valid is a 401 with a reason; what it may do is decided later by core.access (403).
 */
export function createAuthenticator(core: Core, env: NodeJS.ProcessEnv = process.env): Authenticator {
  core.apiKeys.registerOwnerKey(env[OWNER_KEY_ENV] || undefined);

  return async (req: FastifyRequest) => {
    const key = req.headers['x-api-key'];
    const authorization = req.headers.authorization;
    if (key !== undefined) {
      if (typeof key !== 'string' || key === '') throw new AppError('UNAUTHENTICATED', 'x-api-key must hold one API key');
      const principal = core.apiKeys.authenticate(key);
      if (!principal) throw new AppError('UNAUTHENTICATED', 'the API key is not valid: it was revoked or mistyped');
      const actor: Actor = { kind: 'apiKey', id: principal.id, name: principal.name, ...clientOrigin(req) };
      // A stored key works in its own workspace unless the caller names another (which core.access then refuses).
      const workspaceId = req.headers['x-workspace-id'] === undefined && principal.workspaceId ? principal.workspaceId : workspaceFrom(core, req);
      return { actor, workspaceId };
    }
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!m) throw new AppError('UNAUTHENTICATED', 'send the token as Authorization: Bearer <token>');
      const { origin, process } = clientOrigin(req);
      const actor = await userActor(core, m[1]!, origin);
      return { actor: process === undefined ? actor : { ...actor, process }, workspaceId: workspaceFrom(core, req) };
    }
    return null;
  };
}

export const CLIENT_HEADER = 'x-provenance-client';
export const PROCESS_HEADER = 'x-provenance-process';

/**
 * Where a call comes from, for the audit log: the client IP, or `cli` when the provenanceone CLI says so in
 * x-provenance-client, with the program it ran for (x-provenance-process: letters, digits and `._-/+@:` only, at most
 * 64 characters). Labels only: a caller can claim anything here, so nothing about access may ever depend on them.
 */
export function clientOrigin(req: FastifyRequest): { origin: string; process?: string } {
  if (req.headers[CLIENT_HEADER] !== 'cli') return { origin: req.ip };
  const raw = req.headers[PROCESS_HEADER];
  const name = typeof raw === 'string' ? raw.replace(/[^A-Za-z0-9._\-/+@:]/g, '').slice(0, 64) : '';
  return name ? { origin: 'cli', process: name } : { origin: 'cli' };
}

/** A user JWT → the user's actor (origin = client IP). Throws UNAUTHENTICATED for forged, expired or stale tokens. */
export async function userActor(core: Core, token: string, origin: string): Promise<Actor> {
  const user = await core.users.authenticate(token);
  return { kind: 'user', id: user.id, name: user.username, origin };
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
