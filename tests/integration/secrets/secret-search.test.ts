import { afterEach, describe, expect, it } from 'vitest';
import { makeReadyCore, unwrap } from '../../helpers/test-core';

const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((c) => c()));

async function ready() {
  const t = await makeReadyCore();
  cleanup.push(t.close);
  const ws = t.core.workspaces.defaultWorkspace().id;
  const names = async (search: string, limit?: number) =>
    unwrap(await t.invoke('secrets:list', { workspaceId: ws, search, ...(limit ? { limit } : {}) })).items.map((s) => s.name);
  return { ...t, ws, names };
}

describe('secrets search: anywhere in the name, on an index', () => {
  it('finds a part of the name in the middle or at the end, ignoring case, in name order', async () => {
    const t = await ready();
    for (const name of ['prod_db_password', 'STAGING_DB_USER', 'stripe-live-key', 'Github token', 'db']) {
      unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name, value: 'v' }));
    }
    expect(await t.names('_db_')).toEqual(['prod_db_password', 'STAGING_DB_USER']);
    expect(await t.names('KEY')).toEqual(['stripe-live-key']);
    expect(await t.names('b tok')).toEqual(['Github token']);
    expect(await t.names('nothing like it')).toEqual([]);
    // Characters FTS5 would read as syntax are plain text in a search.
    expect(await t.names('"db')).toEqual([]);
    expect(await t.names('db*')).toEqual([]);
    expect(await t.names('a AND b')).toEqual([]);
  });

  it('1–2 characters match anywhere too (read in name order, not from trigrams); LIKE wildcards are plain text', async () => {
    const t = await ready();
    for (const name of ['prod_db_password', 'STAGING_DB_USER', 'stripe-live-key', 'db', '100%_sure']) {
      unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name, value: 'v' }));
    }
    expect(await t.names('db')).toEqual(['db', 'prod_db_password', 'STAGING_DB_USER']);
    expect(await t.names('%')).toEqual(['100%_sure']);
    expect(await t.names('_')).toEqual(['100%_sure', 'prod_db_password', 'STAGING_DB_USER']);
  });

  it('pages a search with the keyset cursor', async () => {
    const t = await ready();
    for (let i = 0; i < 12; i++) unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: `svc-${String(i).padStart(2, '0')}-token`, value: 'v' }));
    unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'unrelated', value: 'v' }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = unwrap(await t.invoke('secrets:list', { workspaceId: t.ws, search: 'token', limit: 5, ...(cursor ? { cursor } : {}) }));
      seen.push(...page.items.map((s) => s.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `svc-${String(i).padStart(2, '0')}-token`));
  });

  it('the index follows renames, deletes and a workspace delete (triggers), and the query uses it', async () => {
    const t = await ready();
    const a = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'old-name-alpha', value: 'v' }));
    const b = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'to-delete-alpha', value: 'v' }));
    unwrap(await t.invoke('secrets:update', { workspaceId: t.ws, id: a.id, name: 'renamed-bravo' }));
    expect(await t.names('alpha')).toEqual(['to-delete-alpha']);
    expect(await t.names('bravo')).toEqual(['renamed-bravo']);
    unwrap(await t.invoke('secrets:delete', { workspaceId: t.ws, id: b.id }));
    expect(await t.names('alpha')).toEqual([]);
    const indexed = () => (t.core.db.prepare("SELECT COUNT(*) AS n FROM secrets_name_fts WHERE secrets_name_fts MATCH '\"bravo\"'").get() as { n: number }).n;
    expect(indexed()).toBe(1);
    // FTS5's own consistency check: the index matches the secrets table it is built on.
    t.core.db.exec("INSERT INTO secrets_name_fts (secrets_name_fts, rank) VALUES ('integrity-check', 1)");

    const plan = t.core.db
      .prepare("EXPLAIN QUERY PLAN SELECT * FROM secrets WHERE workspace_id = ? AND rowid IN (SELECT rowid FROM secrets_name_fts WHERE secrets_name_fts MATCH ?) ORDER BY name LIMIT 5")
      .all(t.ws, '"bravo"') as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/VIRTUAL TABLE INDEX/);
  });
});
