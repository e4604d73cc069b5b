import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import type { ApiKey } from '@shared/domain/identity';
import type { Scope } from '@shared/access/policy';
import type { Db } from '../db/database';
import type { AuditService } from '../audit/audit-service';
import type { Clock } from '../ports';
import { decodeCursor, encodeCursor } from '../db/cursor';
import { notFound } from '../errors';

type Row = { seq: number; id: string; workspace_id: string; name: string; key_hash: string; scopes: string; created_at: string; last_used_at: string | null };
const toKey = (r: Row): ApiKey => ({
  id: r.id,
  name: r.name,
  workspaceId: r.workspace_id,
  scopes: JSON.parse(r.scopes) as Scope[],
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

export const API_KEY_PREFIX = 'p1k_';
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Who an API key is: a stored key (one workspace) or the owner key from the environment (every workspace). */
export type KeyPrincipal = { id: string; name: string; workspaceId: string | null; scopes: readonly string[] };
export const OWNER_KEY_ID = 'owner';

/**
 * API keys: 256 random bits shown once, stored as SHA-256 only (a slow hash buys nothing against a random key),
 * one workspace and a set of scopes each. Deleting a key revokes it at once: the next request with it is a 401.
 */
export function createApiKeyService(deps: { db: Db; clock: Clock; audit: Pick<AuditService, 'record'> }) {
  const { db, clock, audit } = deps;
  const byHash = db.prepare('SELECT rowid AS seq, * FROM api_keys WHERE key_hash = ?');
  const byId = db.prepare('SELECT rowid AS seq, * FROM api_keys WHERE id = ? AND workspace_id = ?');
  const scopesOf = db.prepare('SELECT workspace_id, scopes FROM api_keys WHERE id = ?');
  const touch = db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
  let ownerDigest: Buffer | null = null;

  function create(input: { workspaceId: string; name: string; scopes: Scope[] }, actor: Actor) {
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const id = randomUUID();
    const scopes = [...new Set(input.scopes)];
    db.transaction(() => {
      db.prepare('INSERT INTO api_keys (id, workspace_id, name, key_hash, scopes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        id,
        input.workspaceId,
        input.name,
        sha256(key).toString('hex'),
        JSON.stringify(scopes),
        actor.id,
        clock.now().toISOString(),
      );
      audit.record({ workspaceId: input.workspaceId, action: 'apikey.created', actor, target: { type: 'apikey', id, name: input.name }, details: { scopes } });
    })();
    return { id, name: input.name, workspaceId: input.workspaceId, scopes, key };
  }

  function list(q: { workspaceId: string; limit?: number; cursor?: string }): { items: ApiKey[]; nextCursor: string | null } {
    const limit = q.limit ?? 100;
    const after = q.cursor === undefined ? 0 : Number(decodeCursor(q.cursor));
    const rows = db
      .prepare('SELECT rowid AS seq, * FROM api_keys WHERE workspace_id = ? AND rowid > ? ORDER BY rowid LIMIT ?')
      .all(q.workspaceId, after, limit + 1) as Row[];
    const page = rows.slice(0, limit);
    return { items: page.map(toKey), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.seq) : null };
  }

  function remove(input: { workspaceId: string; id: string }, actor: Actor): { id: string } {
    return db.transaction(() => {
      const row = byId.get(input.id, input.workspaceId) as Row | undefined;
      if (!row) throw notFound('API key');
      db.prepare('DELETE FROM api_keys WHERE id = ?').run(input.id);
      audit.record({ workspaceId: input.workspaceId, action: 'apikey.deleted', actor, target: { type: 'apikey', id: input.id, name: row.name } });
      return { id: input.id };
    })();
  }

  /** The bootstrap owner key (PROVENANCE_ADMIN_API_KEY): kept as a digest in memory, never stored. */
  function registerOwnerKey(value: string | undefined): void {
    ownerDigest = value ? sha256(value) : null;
  }

  /** A presented key → its principal (and its last-used time is updated), or null. */
  function authenticate(presented: string): KeyPrincipal | null {
    const digest = sha256(presented);
    if (ownerDigest && timingSafeEqual(digest, ownerDigest)) return { id: OWNER_KEY_ID, name: 'owner key', workspaceId: null, scopes: ['admin'] };
    const row = byHash.get(digest.toString('hex')) as Row | undefined;
    if (!row) return null;
    touch.run(clock.now().toISOString(), row.id);
    return { id: row.id, name: row.name, workspaceId: row.workspace_id, scopes: JSON.parse(row.scopes) as string[] };
  }

  /** Scopes a key holds in a workspace: its own workspace only; the owner key everywhere. */
  function scopesIn(keyId: string, workspaceId: string): readonly string[] | null {
    if (keyId === OWNER_KEY_ID) return ownerDigest ? ['admin'] : null;
    const row = scopesOf.get(keyId) as { workspace_id: string; scopes: string } | undefined;
    return row && row.workspace_id === workspaceId ? (JSON.parse(row.scopes) as string[]) : null;
  }

  return { create, list, remove, registerOwnerKey, authenticate, scopesIn };
}
export type ApiKeyService = ReturnType<typeof createApiKeyService>;
