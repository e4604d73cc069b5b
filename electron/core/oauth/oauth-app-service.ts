import { randomUUID } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import type { OAuthApp, OAuthProvider } from '@shared/domain/oauth';
import type { z } from 'zod';
import type { OAuthAppCreateSchema, OAuthAppListSchema, OAuthAppUpdateSchema } from '@shared/domain/oauth';
import type { Db } from '../db/database';
import type { AuditService } from '../audit/audit-service';
import type { VaultPort } from '../vault/vault-port';
import type { Clock } from '../ports';
import { conflict, invalid, notFound } from '../errors';
import { decodeCursor, encodeCursor } from '../db/cursor';

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

export const clientSecretAad = (appId: string) => `oauthapp:${appId}:client_secret`;

const toApp = (r: Row): OAuthApp => ({
  id: r.id,
  workspaceId: r.workspace_id,
  provider: r.provider,
  clientId: r.client_id,
  hasClientSecret: r.client_secret_sealed !== null,
  scopes: JSON.parse(r.scopes) as string[],
  settings: JSON.parse(r.settings) as { baseUrl?: string },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** What the consent flow and the token service need of an app: its public parts and its opened secret. */
export type OAuthClientConfig = { app: OAuthApp; clientSecret: string | null };

/**
 * OAuth apps: the provider-side app the admin registered (client id, client secret, scopes, endpoint override), one per
 * provider and workspace. The client secret is write-only: sealed by the vault under `oauthapp:<id>:client_secret`.
 */
export function createOAuthAppService(deps: { db: Db; clock: Clock; audit: Pick<AuditService, 'record'>; vault: VaultPort }) {
  const { db, clock, audit, vault } = deps;
  const byId = db.prepare('SELECT * FROM oauth_apps WHERE id = ? AND workspace_id = ?');
  const byProvider = db.prepare('SELECT * FROM oauth_apps WHERE workspace_id = ? AND provider = ?');

  function row(workspaceId: string, id: string): Row {
    const r = byId.get(id, workspaceId) as Row | undefined;
    if (!r) throw notFound('OAuth app');
    return r;
  }

  function list(q: z.output<typeof OAuthAppListSchema>): { items: OAuthApp[]; nextCursor: string | null } {
    const limit = q.limit ?? 100;
    const where = ['workspace_id = @ws'];
    const params: Record<string, unknown> = { ws: q.workspaceId, limit: limit + 1 };
    if (q.provider) {
      where.push('provider = @provider');
      params.provider = q.provider;
    }
    if (q.cursor !== undefined) {
      const after = String(decodeCursor(q.cursor));
      where.push('(provider || char(0) || id) > @after');
      params.after = after;
    }
    const rows = db.prepare(`SELECT * FROM oauth_apps WHERE ${where.join(' AND ')} ORDER BY provider, id LIMIT @limit`).all(params) as Row[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toApp), nextCursor: rows.length > limit && last ? encodeCursor(`${last.provider}\u0000${last.id}`) : null };
  }

  function get(workspaceId: string, id: string): OAuthApp {
    return toApp(row(workspaceId, id));
  }

  function create(input: z.output<typeof OAuthAppCreateSchema>, actor: Actor): OAuthApp {
    if (byProvider.get(input.workspaceId, input.provider)) {
      throw conflict(`an OAuth app for ${input.provider} already exists in this workspace; edit it instead (PATCH /oauth-apps/{id})`, 'provider');
    }
    const id = randomUUID();
    const sealed = input.clientSecret === undefined ? null : vault.seal(Buffer.from(input.clientSecret, 'utf8'), clientSecretAad(id));
    const now = clock.now().toISOString();
    return db.transaction(() => {
      if (byProvider.get(input.workspaceId, input.provider)) throw conflict(`an OAuth app for ${input.provider} already exists in this workspace`, 'provider');
      db.prepare(
        `INSERT INTO oauth_apps (id, workspace_id, provider, client_id, client_secret_sealed, scopes, settings, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(id, input.workspaceId, input.provider, input.clientId, sealed, JSON.stringify(input.scopes), JSON.stringify(input.settings ?? {}), now, now);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'oauthapp.created',
        actor,
        target: { type: 'oauthapp', id, name: input.provider },
        details: { provider: input.provider, clientId: input.clientId, scopes: input.scopes, hasClientSecret: sealed !== null, baseUrl: input.settings?.baseUrl ?? null },
      });
      return get(input.workspaceId, id);
    })();
  }

  function update(input: z.output<typeof OAuthAppUpdateSchema>, actor: Actor): OAuthApp {
    const current = row(input.workspaceId, input.id);
    const changed: string[] = [];
    if (input.clientId !== undefined && input.clientId !== current.client_id) changed.push('clientId');
    if (input.clientSecret !== undefined) changed.push('clientSecret');
    if (input.scopes !== undefined) changed.push('scopes');
    if (input.settings !== undefined) changed.push('settings');
    if (input.clientId === undefined && input.clientSecret === undefined && input.scopes === undefined && input.settings === undefined) {
      throw invalid('send at least one of clientId, clientSecret, scopes or settings');
    }
    const sealed = typeof input.clientSecret === 'string' ? vault.seal(Buffer.from(input.clientSecret, 'utf8'), clientSecretAad(current.id)) : undefined;
    return db.transaction(() => {
      row(input.workspaceId, input.id);
      const now = clock.now().toISOString();
      if (input.clientId !== undefined) db.prepare('UPDATE oauth_apps SET client_id = ? WHERE id = ?').run(input.clientId, current.id);
      if (sealed !== undefined) db.prepare('UPDATE oauth_apps SET client_secret_sealed = ? WHERE id = ?').run(sealed, current.id);
      if (input.clientSecret === null) db.prepare('UPDATE oauth_apps SET client_secret_sealed = NULL WHERE id = ?').run(current.id);
      if (input.scopes !== undefined) db.prepare('UPDATE oauth_apps SET scopes = ? WHERE id = ?').run(JSON.stringify(input.scopes), current.id);
      if (input.settings !== undefined) db.prepare('UPDATE oauth_apps SET settings = ? WHERE id = ?').run(JSON.stringify(input.settings), current.id);
      db.prepare('UPDATE oauth_apps SET updated_at = ? WHERE id = ?').run(now, current.id);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'oauthapp.updated',
        actor,
        target: { type: 'oauthapp', id: current.id, name: current.provider },
        details: { changed, ...(input.clientSecret === null ? { clientSecretRemoved: true } : {}) },
      });
      return get(input.workspaceId, current.id);
    })();
  }

  function remove(workspaceId: string, id: string, actor: Actor): { id: string; deleted: true } {
    db.transaction(() => {
      const r = row(workspaceId, id);
      db.prepare('DELETE FROM oauth_apps WHERE id = ?').run(id);
      audit.record({ workspaceId, action: 'oauthapp.deleted', actor, target: { type: 'oauthapp', id, name: r.provider }, details: { provider: r.provider } });
    })();
    return { id, deleted: true };
  }

  /** The app a provider's flows and refreshes use, with its secret opened (kept in memory only for the request). */
  function clientFor(workspaceId: string, provider: OAuthProvider): OAuthClientConfig | null {
    const r = byProvider.get(workspaceId, provider) as Row | undefined;
    if (!r) return null;
    const secret = r.client_secret_sealed ? vault.open(r.client_secret_sealed, clientSecretAad(r.id)).toString('utf8') : null;
    return { app: toApp(r), clientSecret: secret };
  }

  return { list, get, create, update, remove, clientFor };
}
export type OAuthAppService = ReturnType<typeof createOAuthAppService>;
