import { randomUUID } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import type { OAuthApp, OAuthProvider } from '@shared/domain/oauth';
import { z } from 'zod';
import type { OAuthAppCreateSchema, OAuthAppListSchema, OAuthAppUpdateSchema } from '@shared/domain/oauth';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import type { VaultPort } from '../vault/vault-port';
import type { Clock } from '../ports';
import { conflict, invalid, notFound } from '../errors';
import { pageCursor } from '../db/cursor';
import type { OAuthAppChanges, OAuthAppStore, StoredOAuthApp } from './oauth-app-store';

export const clientSecretAad = (appId: string) => `oauthapp:${appId}:client_secret`;
/** The OAuth apps list's cursor: the last app's sort key, [provider, id]. */
const cursor = pageCursor('oauthApps', z.tuple([z.string().min(1).max(64), z.string().min(1).max(100)]));

const toApp = (a: StoredOAuthApp): OAuthApp => ({
  id: a.id,
  workspaceId: a.workspaceId,
  provider: a.provider,
  clientId: a.clientId,
  hasClientSecret: a.clientSecretSealed !== null,
  scopes: a.scopes,
  settings: a.settings,
  createdAt: a.createdAt,
  updatedAt: a.updatedAt,
});

/** What the consent flow and the token service need of an app: its public parts and its opened secret. */
export type OAuthClientConfig = { app: OAuthApp; clientSecret: string | null };

export type OAuthAppServiceDeps = {
  store: OAuthAppStore;
  clock: Clock;
  access: Pick<AccessService, 'assert'>;
  audit: Pick<AuditService, 'record'>;
  vault: VaultPort;
};

/**
 * OAuth apps: the provider-side app the admin registered (client id, client secret, scopes, endpoint override), one per
 * provider and workspace. The client secret is write-only: sealed by the vault under `oauthapp:<id>:client_secret`.
 * Every top-level method takes the acting principal and checks POLICY (oauthapp.list / oauthapp.manage) first;
 * `internal` is for the consent flow and the token service, which act for an already-authorized caller or the system.
 */
export function createOAuthAppService(deps: OAuthAppServiceDeps) {
  const { store, clock, access, audit, vault } = deps;

  function stored(workspaceId: string, id: string): StoredOAuthApp {
    const a = store.get(workspaceId, id);
    if (!a) throw notFound('OAuth app');
    return a;
  }

  function list(q: z.output<typeof OAuthAppListSchema>, actor: Actor): { items: OAuthApp[]; nextCursor: string | null } {
    access.assert(actor, q.workspaceId, 'oauthapp.list');
    const limit = q.limit ?? 100;
    let after: { provider: string; id: string } | undefined;
    if (q.cursor !== undefined) {
      const [provider, id] = cursor.decode(q.workspaceId, q.cursor);
      after = { provider, id };
    }
    const rows = store.list({ workspaceId: q.workspaceId, provider: q.provider, after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toApp), nextCursor: rows.length > limit && last ? cursor.encode(q.workspaceId, [last.provider, last.id]) : null };
  }

  /** One app's public parts (what the list shows), so the same permission as listing. */
  function get(workspaceId: string, id: string, actor: Actor): OAuthApp {
    access.assert(actor, workspaceId, 'oauthapp.list');
    return toApp(stored(workspaceId, id));
  }

  function create(input: z.output<typeof OAuthAppCreateSchema>, actor: Actor): OAuthApp {
    access.assert(actor, input.workspaceId, 'oauthapp.manage');
    if (store.forProvider(input.workspaceId, input.provider)) {
      throw conflict(`an OAuth app for ${input.provider} already exists in this workspace; edit it instead (PATCH /oauth-apps/{id})`, 'provider');
    }
    const id = randomUUID();
    const sealed = input.clientSecret === undefined ? null : vault.seal(Buffer.from(input.clientSecret, 'utf8'), clientSecretAad(id));
    const now = clock.now().toISOString();
    return store.transaction(() => {
      if (store.forProvider(input.workspaceId, input.provider)) throw conflict(`an OAuth app for ${input.provider} already exists in this workspace`, 'provider');
      store.insert({
        id,
        workspaceId: input.workspaceId,
        provider: input.provider,
        clientId: input.clientId,
        clientSecretSealed: sealed,
        scopes: input.scopes,
        settings: input.settings ?? {},
        createdAt: now,
        updatedAt: now,
      });
      audit.record({
        workspaceId: input.workspaceId,
        action: 'oauthapp.created',
        actor,
        target: { type: 'oauthapp', id, name: input.provider },
        details: { provider: input.provider, clientId: input.clientId, scopes: input.scopes, hasClientSecret: sealed !== null, baseUrl: input.settings?.baseUrl ?? null },
      });
      return toApp(stored(input.workspaceId, id));
    });
  }

  function update(input: z.output<typeof OAuthAppUpdateSchema>, actor: Actor): OAuthApp {
    access.assert(actor, input.workspaceId, 'oauthapp.manage');
    const current = stored(input.workspaceId, input.id);
    const changed: string[] = [];
    if (input.clientId !== undefined && input.clientId !== current.clientId) changed.push('clientId');
    if (input.clientSecret !== undefined) changed.push('clientSecret');
    if (input.scopes !== undefined) changed.push('scopes');
    if (input.settings !== undefined) changed.push('settings');
    if (input.clientId === undefined && input.clientSecret === undefined && input.scopes === undefined && input.settings === undefined) {
      throw invalid('send at least one of clientId, clientSecret, scopes or settings');
    }
    const sealed = typeof input.clientSecret === 'string' ? vault.seal(Buffer.from(input.clientSecret, 'utf8'), clientSecretAad(current.id)) : undefined;
    return store.transaction(() => {
      stored(input.workspaceId, input.id);
      const now = clock.now().toISOString();
      const edits: OAuthAppChanges = { updatedAt: now };
      if (input.clientId !== undefined) edits.clientId = input.clientId;
      if (sealed !== undefined) edits.clientSecretSealed = sealed;
      if (input.clientSecret === null) edits.clientSecretSealed = null;
      if (input.scopes !== undefined) edits.scopes = input.scopes;
      if (input.settings !== undefined) edits.settings = input.settings;
      store.update(current.id, edits);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'oauthapp.updated',
        actor,
        target: { type: 'oauthapp', id: current.id, name: current.provider },
        details: { changed, ...(input.clientSecret === null ? { clientSecretRemoved: true } : {}) },
      });
      return toApp(stored(input.workspaceId, current.id));
    });
  }

  function remove(workspaceId: string, id: string, actor: Actor): { id: string; deleted: true } {
    access.assert(actor, workspaceId, 'oauthapp.manage');
    store.transaction(() => {
      const a = stored(workspaceId, id);
      store.delete(id);
      audit.record({ workspaceId, action: 'oauthapp.deleted', actor, target: { type: 'oauthapp', id, name: a.provider }, details: { provider: a.provider } });
    });
    return { id, deleted: true };
  }

  /** The app a provider's flows and refreshes use, with its secret opened (kept in memory only for the request). */
  function clientFor(workspaceId: string, provider: OAuthProvider): OAuthClientConfig | null {
    const a = store.forProvider(workspaceId, provider);
    if (!a) return null;
    const secret = a.clientSecretSealed ? vault.open(a.clientSecretSealed, clientSecretAad(a.id)).toString('utf8') : null;
    return { app: toApp(a), clientSecret: secret };
  }

  return {
    list,
    get,
    create,
    update,
    remove,
    /** For trusted core code only (no access check): the consent flow, after its own check, and token refreshes. */
    internal: { clientFor },
  };
}
export type OAuthAppService = ReturnType<typeof createOAuthAppService>;
