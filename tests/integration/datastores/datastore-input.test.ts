import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '@core/db/database';
import { INVALID_CURSOR } from '@core/db/cursor';
import { MIGRATIONS } from '@core/schema-migrations';
import { nameKey } from '@shared/domain/names';
import { count, makeReadyCore, tempDir, unwrap } from '../../helpers/test-core';

/**
 * Bad input to the datastore lists and names is a 400 (issue 14, items 8 and 9): cursors are bound to their list and
 * workspace (and, for objects, their datastore), and datastore names follow the one name rule set (no controls,
 * zero-width or bidi characters) and are unique by nameKey.
 */
type T = Awaited<ReturnType<typeof makeReadyCore>>;
let t: T;
let ws: string;
let other: string;
beforeEach(async () => {
  t = await makeReadyCore();
  ws = t.core.workspaces.defaultWorkspace().id;
  other = t.core.workspaces.create('Other', t.admin).id;
});
afterEach(() => t.close());

const create = async (name: string, workspaceId = ws) => unwrap(await t.invoke('datastores:create', { workspaceId, name }));
const invalidCursor = { ok: false, error: { code: 'INVALID_INPUT', field: 'cursor', message: INVALID_CURSOR } };

describe('datastore list cursors', () => {
  it('a cursor of another workspace, of the object list or of the old format is 400 invalid cursor', async () => {
    for (const n of ['a', 'b', 'c']) await create(n);
    for (const n of ['x', 'y']) await create(n, other);
    const page = unwrap(await t.invoke('datastores:list', { workspaceId: ws, limit: 1 }));
    expect(page.nextCursor).not.toBeNull();
    // Its own list and workspace: the next page.
    expect(unwrap(await t.invoke('datastores:list', { workspaceId: ws, limit: 1, cursor: page.nextCursor! })).items.map((d) => d.name)).toEqual(['b']);
    const otherPage = unwrap(await t.invoke('datastores:list', { workspaceId: other, limit: 1 }));
    const ds = unwrap(await t.invoke('datastores:list', { workspaceId: ws })).items[0]!;
    for (const k of ['k1', 'k2']) unwrap(await t.invoke('datastores:objects:putText', { workspaceId: ws, datastoreId: ds.id, key: k, content: 'x' }));
    const objects = unwrap(await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: ds.id, limit: 1 }));
    const oldFormat = Buffer.from(JSON.stringify('2026-01-01T00:00:00.000Z|x')).toString('base64url');
    for (const cursor of [otherPage.nextCursor!, objects.nextCursor!, oldFormat, 'not-a-cursor', `${page.nextCursor!}=`]) {
      expect(await t.invoke('datastores:list', { workspaceId: ws, limit: 1, cursor }), cursor).toMatchObject(invalidCursor);
    }
  });

  it('an object cursor of another datastore, of the datastore list or of the old format is 400 invalid cursor', async () => {
    const a = await create('A');
    const b = await create('B');
    for (const d of [a, b]) for (const k of ['k1', 'k2', 'k3']) unwrap(await t.invoke('datastores:objects:putText', { workspaceId: ws, datastoreId: d.id, key: k, content: 'x' }));
    const pageA = unwrap(await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: a.id, limit: 1 }));
    expect(unwrap(await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: a.id, limit: 1, cursor: pageA.nextCursor! })).items.map((o) => o.key)).toEqual(['k2']);
    const dsPage = unwrap(await t.invoke('datastores:list', { workspaceId: ws, limit: 1 }));
    const oldFormat = Buffer.from(JSON.stringify('k1')).toString('base64url');
    for (const cursor of [dsPage.nextCursor!, oldFormat, 'garbage!']) {
      expect(await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: a.id, limit: 1, cursor }), cursor).toMatchObject(invalidCursor);
    }
    expect(await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: b.id, limit: 1, cursor: pageA.nextCursor! })).toMatchObject(invalidCursor);
  });

  it('pages through keys of any shape: the cursor it gives is always one it takes back', async () => {
    const d = await create('Odd keys');
    const keys = ['\u0001'.repeat(1000), 'é'.repeat(512), `${'\u0002'.repeat(500)}/x`];
    for (const k of keys) unwrap(await t.invoke('datastores:objects:putText', { workspaceId: ws, datastoreId: d.id, key: k, content: 'x' }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const p = unwrap(await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: d.id, limit: 1, cursor }));
      seen.push(...p.items.map((o) => o.key));
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual([...keys].sort());
  });
});

describe('datastore names', () => {
  it('refuses control, zero-width and bidi characters, naming the code point', async () => {
    for (const [name, cp] of [
      ['report\u202Etxt', 'U+202E'],
      ['zero\u200Bwidth', 'U+200B'],
      ['bell\u0007', 'U+0007'],
      ['mark\u200E', 'U+200E'],
    ] as const) {
      const r = await t.invoke('datastores:create', { workspaceId: ws, name });
      expect(r, cp).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'name', message: expect.stringContaining(cp) } });
    }
    expect(count(t.core.db, 'datastores')).toBe(0);
  });

  it('is unique by nameKey: case, NFD and compatibility forms are one name (409); another workspace may reuse it', async () => {
    await create('café-db');
    for (const name of ['CAFÉ-DB', 'cafe\u0301-db', 'ＣＡＦＥ\u0301-ＤＢ']) {
      expect(await t.invoke('datastores:create', { workspaceId: ws, name }), name).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'name' } });
    }
    await create('Straße');
    expect(await t.invoke('datastores:create', { workspaceId: ws, name: 'STRASSE' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    await create('CAFÉ-DB', other);
    const keys = t.core.db.prepare('SELECT name_key FROM datastores WHERE workspace_id = ? ORDER BY created_at').pluck().all(ws);
    expect(keys).toEqual([nameKey('café-db'), nameKey('Straße')]);
  });

  it('the migration keys old rows: the oldest keeps the key, a later one that is the same name is kept too', () => {
    const dir = tempDir();
    try {
      const before = MIGRATIONS.filter((m) => m.version < 401 || m.version >= 500);
      const db = openDatabase(dir, before);
      const WS = (db.prepare('SELECT id FROM workspaces LIMIT 1').pluck().get() as string | undefined) ?? '11111111-1111-4111-8111-111111111111';
      if (!db.prepare('SELECT 1 FROM workspaces WHERE id = ?').get(WS)) {
        db.prepare("INSERT INTO workspaces (id, name, name_key, created_at, updated_at) VALUES (?, 'Default', 'default', '2026-01-01', '2026-01-01')").run(WS);
      }
      const ins = db.prepare(`INSERT INTO datastores (id, workspace_id, name, description, backend_type, backend_config, sealed_secret, created_at, updated_at)
        VALUES (?, ?, ?, NULL, 's3', '{}', NULL, ?, ?)`);
      ins.run('00000000-0000-4000-8000-000000000001', WS, 'café', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
      ins.run('00000000-0000-4000-8000-000000000002', WS, 'cafe\u0301', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z');
      db.close();
      const logged: unknown[] = [];
      const after = openDatabase(dir, MIGRATIONS, (_m, f) => logged.push(f));
      const rows = after.prepare('SELECT id, name_key FROM datastores ORDER BY id').all() as Array<{ id: string; name_key: string }>;
      expect(rows.map((r) => r.name_key)).toEqual([nameKey('café'), `${nameKey('café')}\u0000${rows[1]!.id}`]);
      expect(logged).toContainEqual({ table: 'datastores', keptId: rows[0]!.id, laterId: rows[1]!.id });
      expect(() => after.prepare('UPDATE datastores SET name_key = ? WHERE id = ?').run(nameKey('café'), rows[1]!.id)).toThrow(/UNIQUE/);
      after.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
