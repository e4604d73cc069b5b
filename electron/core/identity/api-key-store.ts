import type { ApiKey } from '@shared/domain/identity';
import type { Scope } from '@shared/access/policy';
import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

/** A stored key (never the key itself: its SHA-256) with its keyset position. */
export type ApiKeyRecord = { seq: number; key: ApiKey };

type Row = { seq: number; id: string; workspace_id: string; name: string; scopes: string; created_at: string; last_used_at: string | null };
const toRecord = (r: Row): ApiKeyRecord => ({
  seq: r.seq,
  key: { id: r.id, name: r.name, workspaceId: r.workspace_id, scopes: JSON.parse(r.scopes) as Scope[], createdAt: r.created_at, lastUsedAt: r.last_used_at },
});

/**
 * All SQL of API keys. `byHash` runs on every REST request with a key and `grantOf` on every access check of one:
 * each stays one prepared lookup on a unique column.
 */
export function createApiKeyStore(db: Db) {
  const COLUMNS = 'rowid AS seq, id, workspace_id, name, scopes, created_at, last_used_at';
  const insert = db.prepare('INSERT INTO api_keys (id, workspace_id, name, key_hash, scopes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const page = db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE workspace_id = ? AND rowid > ? ORDER BY rowid LIMIT ?`);
  const inWorkspace = db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE id = ? AND workspace_id = ?`);
  const byHash = db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = ?`);
  const grant = db.prepare('SELECT workspace_id, scopes FROM api_keys WHERE id = ?');
  const touch = db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM api_keys WHERE id = ?');

  return {
    ...createTransactor(db),
    insert(k: { id: string; workspaceId: string; name: string; keyHash: string; scopes: readonly string[]; createdBy: string; createdAt: string }): void {
      insert.run(k.id, k.workspaceId, k.name, k.keyHash, JSON.stringify(k.scopes), k.createdBy, k.createdAt);
    },
    page: (workspaceId: string, afterSeq: number, limit: number): ApiKeyRecord[] => (page.all(workspaceId, afterSeq, limit) as Row[]).map(toRecord),
    find(workspaceId: string, id: string): ApiKey | undefined {
      const r = inWorkspace.get(id, workspaceId) as Row | undefined;
      return r && toRecord(r).key;
    },
    /** The key whose SHA-256 (hex) this is. */
    byHash(keyHash: string): ApiKey | undefined {
      const r = byHash.get(keyHash) as Row | undefined;
      return r && toRecord(r).key;
    },
    /** The key's workspace and scopes, for access checks. */
    grantOf(id: string): { workspaceId: string; scopes: string[] } | undefined {
      const r = grant.get(id) as { workspace_id: string; scopes: string } | undefined;
      return r && { workspaceId: r.workspace_id, scopes: JSON.parse(r.scopes) as string[] };
    },
    touch: (id: string, at: string): void => void touch.run(at, id),
    delete: (id: string): void => void remove.run(id),
  };
}
export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
