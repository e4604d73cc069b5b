import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '@core/db/database';
import { MIGRATIONS } from '@core/schema-migrations';
import { nameKey } from '@shared/domain/names';
import { makeReadyCore, tempDir } from '../../helpers/test-core';

const NAME_KEY_VERSIONS = new Set([4, 251, 302]);
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const WS = '11111111-1111-4111-8111-111111111111';
const ids = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * A data dir as the previous release wrote it: names unique by COLLATE NOCASE only, so `café` in NFC and in NFD,
 * and `Straße` and `STRASSE`, could be two rows of one workspace.
 */
function oldDataDir(): string {
  const dir = tempDir();
  dirs.push(dir);
  const db = openDatabase(dir, MIGRATIONS.filter((m) => !NAME_KEY_VERSIONS.has(m.version)));
  const at = (i: number) => `2026-01-0${i}T00:00:00.000Z`;
  db.prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(WS, 'Équipe', at(1), at(1));
  db.prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(ids(9), 'E\u0301QUIPE', at(2), at(2));
  const secret = db.prepare(`INSERT INTO secrets (id, workspace_id, name, description, value_type, version, created_at, updated_at)
    VALUES (?, ?, ?, '', 'string', 1, ?, ?)`);
  secret.run(ids(1), WS, 'café-db', at(1), at(1));
  secret.run(ids(2), WS, 'cafe\u0301-db', at(2), at(2));
  secret.run(ids(3), WS, 'ＣＡＦÉ-ＤＢ', at(3), at(3));
  secret.run(ids(4), WS, 'unrelated', at(4), at(4));
  // The same name in another workspace is no collision.
  secret.run(ids(5), ids(9), 'café-db', at(5), at(5));
  const connection = db.prepare(`INSERT INTO connections (id, workspace_id, name, provider, auth_type, status, created_at, updated_at, status_changed_at)
    VALUES (?, ?, ?, 'pagerduty', 'apikey', 'active', ?, ?, ?)`);
  // Inserted newest first: "later" means created later, not inserted later.
  connection.run(ids(7), WS, 'STRASSE', at(3), at(3), at(3));
  connection.run(ids(6), WS, 'Straße', at(2), at(2), at(2));
  db.close();
  return dir;
}

describe('name_key migrations: old rows that are one name now are kept, none is lost', () => {
  it('fills the key of every row; the oldest keeps the plain key, later ones get a suffixed key, each logged', () => {
    const dir = oldDataDir();
    const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const db = openDatabase(dir, MIGRATIONS, (message, fields) => logged.push({ message, fields }));
    const rows = (table: string) => db.prepare(`SELECT id, name, name_key FROM ${table} ORDER BY id`).all() as Array<{ id: string; name: string; name_key: string }>;

    const secrets = rows('secrets');
    expect(secrets.map((r) => r.name)).toEqual(['café-db', 'cafe\u0301-db', 'ＣＡＦÉ-ＤＢ', 'unrelated', 'café-db']);
    expect(secrets.map((r) => r.name_key)).toEqual([
      nameKey('café-db'),
      `${nameKey('café-db')}\u0000${ids(2)}`,
      `${nameKey('café-db')}\u0000${ids(3)}`,
      'unrelated',
      nameKey('café-db'),
    ]);
    const connections = rows('connections');
    expect(connections.find((r) => r.id === ids(6))!.name_key).toBe('strasse');
    expect(connections.find((r) => r.id === ids(7))!.name_key).toBe(`strasse\u0000${ids(7)}`);
    const workspaces = rows('workspaces');
    expect(workspaces.find((r) => r.id === ids(9))!.name_key).toBe(`${nameKey('Équipe')}\u0000${ids(9)}`);
    expect(workspaces.every((r) => r.name_key !== null)).toBe(true);

    expect(logged.map((l) => l.fields)).toEqual([
      { table: 'workspaces', keptId: WS, laterId: ids(9) },
      { table: 'secrets', keptId: ids(1), laterId: ids(2) },
      { table: 'secrets', keptId: ids(1), laterId: ids(3) },
      { table: 'connections', keptId: ids(6), laterId: ids(7) },
    ]);
    // The log says what was decided by id; it never carries the names.
    expect(JSON.stringify(logged)).not.toContain('café');

    // The keys are unique from now on.
    expect(() => db.prepare("UPDATE secrets SET name_key = ? WHERE id = ?").run(nameKey('café-db'), ids(4))).toThrow(/UNIQUE/);
    db.close();
  });

  it('after the migration the service refuses the name again (409), and renaming a later row gives it a plain key', async () => {
    const dir = oldDataDir();
    const t = await makeReadyCore({}, dir);
    try {
      const created = await t.invoke('secrets:create', { workspaceId: WS, name: 'CAFÉ-DB', value: 'v' });
      expect(created.ok || created.error).toMatchObject({ code: 'CONFLICT', field: 'name' });
      // Every old row is still listed.
      const list = await t.invoke('secrets:list', { workspaceId: WS });
      expect(list.ok && list.value.items.map((s) => s.id).sort()).toEqual([ids(1), ids(2), ids(3), ids(4)]);
      // A later row keeps working under its id, and may be renamed to a free name (a plain key again) but not onto the kept one.
      const onto = await t.invoke('secrets:update', { workspaceId: WS, id: ids(2), name: 'Café-DB' });
      expect(onto.ok || onto.error).toMatchObject({ code: 'CONFLICT' });
      const renamed = await t.invoke('secrets:update', { workspaceId: WS, id: ids(2), name: 'café-db (2)' });
      expect(renamed.ok).toBe(true);
      expect(t.core.db.prepare('SELECT name_key FROM secrets WHERE id = ?').pluck().get(ids(2))).toBe(nameKey('café-db (2)'));
      const conn = await t.invoke('connections:update', { workspaceId: WS, id: ids(7), name: 'Strasse (old)' });
      expect(conn.ok).toBe(true);
      expect(t.core.db.prepare('SELECT name_key FROM connections WHERE id = ?').pluck().get(ids(7))).toBe('strasse (old)');
    } finally {
      t.close();
    }
  });
});
