import type { OAuthProvider } from '@shared/domain/oauth';
import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

/** An OAuth app as stored: the client secret only ever as a vault ciphertext (null for a public PKCE-only client). */
export type StoredOAuthApp = {
  id: string;
  workspaceId: string;
  provider: OAuthProvider;
  clientId: string;
  clientSecretSealed: Buffer | null;
  scopes: string[];
  settings: { baseUrl?: string };
  createdAt: string;
  updatedAt: string;
};

/** The fields an update may change; absent keys are left as they are (clientSecretSealed: null removes the secret). */
export type OAuthAppChanges = Partial<Pick<StoredOAuthApp, 'clientId' | 'clientSecretSealed' | 'scopes' | 'settings' | 'updatedAt'>>;

export type OAuthAppListFilter = {
  workspaceId: string;
  provider?: OAuthProvider;
  /** Keyset page start: apps after this (provider, id) in list order. */
  after?: { provider: string; id: string };
  limit: number;
};

/**
 * The OAuth apps' persistence: every SQL statement on `oauth_apps`, behind typed methods. No access checks and no
 * validation here (the OAuth app service does both). Multi-statement changes run in `transaction(fn)`, opened by the
 * service; with SQLite a nested call is a savepoint, so the audit row written beside a change joins its transaction.
 * A second engine implements this same interface; all of it is synchronous today.
 */
export function createOAuthAppStore(db: Db) {
  type Row = {
    id: string;
    workspace_id: string;
    provider: OAuthProvider;
    client_id: string;
    client_secret_sealed: Buffer | null;
    scopes: string;
    settings: string;
    created_at: string;
    updated_at: string;
  };
  const toStored = (r: Row): StoredOAuthApp => ({
    id: r.id,
    workspaceId: r.workspace_id,
    provider: r.provider,
    clientId: r.client_id,
    clientSecretSealed: r.client_secret_sealed,
    scopes: JSON.parse(r.scopes) as string[],
    settings: JSON.parse(r.settings) as { baseUrl?: string },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });

  const byId = db.prepare('SELECT * FROM oauth_apps WHERE id = ? AND workspace_id = ?');
  const byProvider = db.prepare('SELECT * FROM oauth_apps WHERE workspace_id = ? AND provider = ?');
  const insertApp = db.prepare(
    `INSERT INTO oauth_apps (id, workspace_id, provider, client_id, client_secret_sealed, scopes, settings, created_at, updated_at)
     VALUES (@id, @workspace_id, @provider, @client_id, @client_secret_sealed, @scopes, @settings, @created_at, @updated_at)`,
  );
  const deleteApp = db.prepare('DELETE FROM oauth_apps WHERE id = ?');

  const COLUMNS: { [K in keyof Required<OAuthAppChanges>]: [column: string, encode?: (v: Required<OAuthAppChanges>[K]) => unknown] } = {
    clientId: ['client_id'],
    clientSecretSealed: ['client_secret_sealed'],
    scopes: ['scopes', (v) => JSON.stringify(v)],
    settings: ['settings', (v) => JSON.stringify(v)],
    updatedAt: ['updated_at'],
  };
  const updates = new Map<string, ReturnType<Db['prepare']>>();

  return {
    // transaction(fn) / immediate(fn): the one way transactions open (a savepoint when one is already open).
    ...createTransactor(db),

    get(workspaceId: string, id: string): StoredOAuthApp | undefined {
      const r = byId.get(id, workspaceId) as Row | undefined;
      return r ? toStored(r) : undefined;
    },

    /** The workspace's app for a provider (there is at most one). */
    forProvider(workspaceId: string, provider: OAuthProvider): StoredOAuthApp | undefined {
      const r = byProvider.get(workspaceId, provider) as Row | undefined;
      return r ? toStored(r) : undefined;
    },

    /** Up to `limit` apps ordered by provider, then id. */
    list(f: OAuthAppListFilter): StoredOAuthApp[] {
      const where = ['workspace_id = @ws'];
      const params: Record<string, unknown> = { ws: f.workspaceId, limit: f.limit };
      if (f.provider) {
        where.push('provider = @provider');
        params.provider = f.provider;
      }
      if (f.after !== undefined) {
        where.push('(provider || char(0) || id) > @after');
        params.after = `${f.after.provider}\u0000${f.after.id}`;
      }
      const rows = db.prepare(`SELECT * FROM oauth_apps WHERE ${where.join(' AND ')} ORDER BY provider, id LIMIT @limit`).all(params) as Row[];
      return rows.map(toStored);
    },

    insert(a: StoredOAuthApp): void {
      insertApp.run({
        id: a.id,
        workspace_id: a.workspaceId,
        provider: a.provider,
        client_id: a.clientId,
        client_secret_sealed: a.clientSecretSealed,
        scopes: JSON.stringify(a.scopes),
        settings: JSON.stringify(a.settings),
        created_at: a.createdAt,
        updated_at: a.updatedAt,
      });
    },

    /** Writes the given fields of one app in one statement. */
    update(id: string, changes: OAuthAppChanges): void {
      const keys = (Object.keys(changes) as Array<keyof OAuthAppChanges>).filter((k) => changes[k] !== undefined).sort();
      if (keys.length === 0) return;
      const sig = keys.join(',');
      let stmt = updates.get(sig);
      if (!stmt) {
        stmt = db.prepare(`UPDATE oauth_apps SET ${keys.map((k) => `${COLUMNS[k][0]} = @${k}`).join(', ')} WHERE id = @id`);
        updates.set(sig, stmt);
      }
      const params: Record<string, unknown> = { id };
      for (const k of keys) {
        const encode = COLUMNS[k][1] as ((v: unknown) => unknown) | undefined;
        params[k] = encode ? encode(changes[k]) : changes[k];
      }
      stmt.run(params);
    },

    delete(id: string): void {
      deleteApp.run(id);
    },
  };
}
export type OAuthAppStore = ReturnType<typeof createOAuthAppStore>;
