import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import type { ApiKey } from '@shared/domain/identity';
import type { Scope } from '@shared/access/policy';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import type { Clock } from '../ports';
import { pageCursor } from '../db/cursor';
import { diskFullCode, isBusyError } from '../db/storage-errors';
import { notFound } from '../errors';
import type { ApiKeyStore } from './api-key-store';

export const API_KEY_PREFIX = 'p1k_';
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Who an API key is: a stored key (one workspace) or the owner key from the environment (every workspace). */
export type KeyPrincipal = { id: string; name: string; workspaceId: string | null; scopes: readonly string[] };
export const OWNER_KEY_ID = 'owner';
/** The API keys list's cursor: the keyset position of the last key shown. */
const cursor = pageCursor('apiKeys', z.number().int().positive());

/**
 * API keys: 256 random bits shown once, stored as SHA-256 only (a slow hash buys nothing against a random key),
 * one workspace and a set of scopes each. Deleting a key revokes it at once: the next request with it is a 401.
 *
 * Who may call what: `create`, `list` and `remove` take the actor and need `apikey.manage` in the key's workspace.
 * `registerOwnerKey` (start-up), `authenticate` (the REST edge: a presented key → its principal) and `scopesIn`
 * (the access service's grant resolver) are internal.
 */
export function createApiKeyService(deps: { store: ApiKeyStore; clock: Clock; audit: Pick<AuditService, 'record'>; access: Pick<AccessService, 'assert'> }) {
  const { store, clock, audit, access } = deps;
  let ownerDigest: Buffer | null = null;

  function create(input: { workspaceId: string; name: string; scopes: Scope[] }, actor: Actor) {
    access.assert(actor, input.workspaceId, 'apikey.manage');
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const id = randomUUID();
    const scopes = [...new Set(input.scopes)];
    store.transaction(() => {
      store.insert({ id, workspaceId: input.workspaceId, name: input.name, keyHash: sha256(key).toString('hex'), scopes, createdBy: actor.id, createdAt: clock.now().toISOString() });
      audit.record({ workspaceId: input.workspaceId, action: 'apikey.created', actor, target: { type: 'apikey', id, name: input.name }, details: { scopes } });
    });
    return { id, name: input.name, workspaceId: input.workspaceId, scopes, key };
  }

  function list(q: { workspaceId: string; limit?: number; cursor?: string }, actor: Actor): { items: ApiKey[]; nextCursor: string | null } {
    access.assert(actor, q.workspaceId, 'apikey.manage');
    const limit = q.limit ?? 100;
    const after = q.cursor === undefined ? 0 : cursor.decode(q.workspaceId, q.cursor);
    const rows = store.page(q.workspaceId, after, limit + 1);
    const page = rows.slice(0, limit);
    return { items: page.map((r) => r.key), nextCursor: rows.length > limit ? cursor.encode(q.workspaceId, page[page.length - 1]!.seq) : null };
  }

  function remove(input: { workspaceId: string; id: string }, actor: Actor): { id: string } {
    access.assert(actor, input.workspaceId, 'apikey.manage');
    return store.transaction(() => {
      const k = store.find(input.workspaceId, input.id);
      if (!k) throw notFound('API key');
      store.delete(input.id);
      audit.record({ workspaceId: input.workspaceId, action: 'apikey.deleted', actor, target: { type: 'apikey', id: input.id, name: k.name } });
      return { id: input.id };
    });
  }

  /** Internal: the bootstrap owner key (PROVENANCE_ADMIN_API_KEY), kept as a digest in memory, never stored. */
  function registerOwnerKey(value: string | undefined): void {
    ownerDigest = value ? sha256(value) : null;
  }

  /** Internal: a presented key → its principal (and its last-used time is updated when the database can take it), or null. */
  function authenticate(presented: string): KeyPrincipal | null {
    const digest = sha256(presented);
    if (ownerDigest && timingSafeEqual(digest, ownerDigest)) return { id: OWNER_KEY_ID, name: 'owner key', workspaceId: null, scopes: ['admin'] };
    const k = store.byHash(digest.toString('hex'));
    if (!k) return null;
    try {
      store.touch(k.id, clock.now().toISOString());
    } catch (e) {
      // Last-used is bookkeeping: another process's write lock or a full disk must not turn every request into a 503/507.
      if (!isBusyError(e) && diskFullCode(e) === null) throw e;
    }
    return { id: k.id, name: k.name, workspaceId: k.workspaceId, scopes: k.scopes };
  }

  /** Internal (the grant resolver): scopes a key holds in a workspace: its own workspace only; the owner key everywhere. */
  function scopesIn(keyId: string, workspaceId: string): readonly string[] | null {
    if (keyId === OWNER_KEY_ID) return ownerDigest ? ['admin'] : null;
    const g = store.grantOf(keyId);
    return g && g.workspaceId === workspaceId ? g.scopes : null;
  }

  return {
    // User-facing: each checks `apikey.manage`.
    create,
    list,
    remove,
    // Internal (see above).
    registerOwnerKey,
    authenticate,
    scopesIn,
  };
}
export type ApiKeyService = ReturnType<typeof createApiKeyService>;
