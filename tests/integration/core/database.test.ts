import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, schemaVersion } from '@core/db/database';
import { type Migration } from '@core/db/database';
import { MIGRATIONS } from '@core/schema-migrations';
import { createCore } from '@core/index';
import { tempDir } from '../../helpers/test-core';

const dirs: string[] = [];
const fresh = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('database and migrations', () => {
  it('migrates an empty database to the latest version with WAL and foreign keys on', () => {
    const db = openDatabase(fresh(), MIGRATIONS);
    expect(schemaVersion(db)).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('applies only the new migrations to an existing database and keeps its rows', () => {
    const dir = fresh();
    const first = MIGRATIONS.slice(0, 1);
    const db = openDatabase(dir, first);
    db.prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run();
    db.close();
    const extra: Migration = { version: 9000, name: 'test', up: (d) => d.exec('CREATE TABLE extra (x)') };
    const db2 = openDatabase(dir, [...MIGRATIONS, extra]);
    expect(schemaVersion(db2)).toBe(9000);
    expect(db2.prepare("SELECT value FROM settings WHERE key = 'k'").get()).toEqual({ value: 'v' });
    db2.close();
  });

  it('moves an existing audit log into the lean layout with its order, ids and lookup index intact', () => {
    const dir = fresh();
    const db = openDatabase(dir, MIGRATIONS.filter((m) => m.version < 3));
    const ins = db.prepare(`INSERT INTO audit_events (id, at, workspace_id, action, risk, actor_kind, actor_id, actor_name, origin,
      target_type, target_id, target_name, outcome, details) VALUES (?, ?, 'ws', ?, ?, 'local', 'me', 'me', 'ipc', 'secret', ?, 'n', 'success', '{}')`);
    for (let i = 0; i < 5; i++) ins.run(`id-${i}`, `2026-01-0${i + 1}T00:00:00.000Z`, i % 2 ? 'secret.accessed' : 'secret.created', i % 2 ? 'high' : 'low', `t-${i}`);
    db.close();
    const db2 = openDatabase(dir, MIGRATIONS);
    expect(db2.prepare('SELECT seq, id FROM audit_events ORDER BY seq').all()).toEqual([1, 2, 3, 4, 5].map((seq) => ({ seq, id: `id-${seq - 1}` })));
    expect(db2.prepare("SELECT seq FROM audit_index WHERE workspace_id = 'ws' AND risk = 'high' ORDER BY seq").pluck().all()).toEqual([2, 4]);
    expect(() => db2.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    // The next event continues the sequence rather than reusing a number.
    db2.prepare(`INSERT INTO audit_events (id, at, workspace_id, action, risk, actor_kind, actor_id, actor_name, origin, target_type, target_id, outcome)
      VALUES ('id-5', 'x', 'ws', 'secret.created', 'low', 'local', 'me', 'me', 'ipc', 'secret', 't', 'success')`).run();
    expect(db2.prepare("SELECT seq FROM audit_events WHERE id = 'id-5'").pluck().get()).toBe(6);
    db2.close();
  });

  it('rewrites the audit log CHECKs without IN lists, keeping every row, the same accepted values and append-only', () => {
    const dir = fresh();
    const db = openDatabase(dir, MIGRATIONS.filter((m) => m.version < 5));
    const cols = `id, at, workspace_id, action, risk, actor_kind, actor_id, actor_name, origin, target_type, target_id, target_name, outcome, details`;
    const ins = (d: BetterSqlite3.Database, id: string, risk: string, outcome: string) =>
      d
        .prepare(`INSERT INTO audit_events (${cols}) VALUES (?, 'at', 'ws', 'secret.accessed', ?, 'local', 'me', 'me', 'ipc', 'secret', 't', NULL, ?, '{"version":1}')`)
        .run(id, risk, outcome);
    ins(db, 'a', 'low', 'success');
    ins(db, 'b', 'medium', 'failure');
    ins(db, 'c', 'high', 'denied');
    const before = db.prepare(`SELECT seq, ${cols} FROM audit_events ORDER BY seq`).all();
    db.close();
    const db2 = openDatabase(dir, MIGRATIONS);
    expect(db2.prepare(`SELECT seq, ${cols} FROM audit_events ORDER BY seq`).all()).toEqual(before);
    // Same values accepted, same refused.
    ins(db2, 'd', 'high', 'success');
    expect(() => ins(db2, 'e', 'critical', 'success')).toThrow(/CHECK constraint failed/);
    expect(() => ins(db2, 'f', 'low', 'maybe')).toThrow(/CHECK constraint failed/);
    expect(() => db2.prepare("UPDATE audit_events SET risk = 'low'").run()).toThrow(/append-only/);
    expect(() => db2.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    // What must stay true for the reveal's cost: appending a row builds no ephemeral table (an IN list in a CHECK did).
    const program = db2
      .prepare(`EXPLAIN INSERT INTO audit_events (${cols}) VALUES ('g', 'at', 'ws', 'secret.accessed', 'high', 'local', 'me', 'me', 'ipc', 'secret', 't', NULL, 'success', '{}')`)
      .all() as { opcode: string }[];
    expect(program.map((r) => r.opcode)).not.toContain('OpenEphemeral');
    db2.close();
  });

  it('a failing migration leaves the database at the previous whole version', () => {
    const dir = fresh();
    openDatabase(dir, MIGRATIONS).close();
    const broken: Migration = {
      version: 9001,
      name: 'broken',
      up: (d) => {
        d.exec('CREATE TABLE half (x)');
        throw new Error('boom');
      },
    };
    expect(() => openDatabase(dir, [...MIGRATIONS, broken])).toThrow('boom');
    const db = new BetterSqlite3(path.join(dir, 'provenance.db'));
    expect(schemaVersion(db)).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    expect(db.prepare('SELECT version FROM schema_migrations WHERE version = 9001').get()).toBeUndefined();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });

  it('refuses a database written by a newer app', () => {
    const dir = fresh();
    const future: Migration = { version: 9999, name: 'future', up: () => {} };
    openDatabase(dir, [...MIGRATIONS, future]).close();
    expect(() => openDatabase(dir, MIGRATIONS)).toThrow(/newer ProvenanceOne Desktop/);
  });

  it('applies a lower-numbered migration that landed later, once', () => {
    const db = new BetterSqlite3(':memory:');
    const a: Migration = { version: 300, name: 'a', up: (d) => d.exec('CREATE TABLE a (x)') };
    const b: Migration = { version: 200, name: 'b', up: (d) => d.exec('CREATE TABLE b (x)') };
    migrate(db, [a]);
    migrate(db, [a, b]);
    migrate(db, [a, b]);
    expect((db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version)).toEqual([200, 300]);
    expect(schemaVersion(db)).toBe(300);
  });

  it('refuses two migrations with one number', () => {
    const db = new BetterSqlite3(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'x', up: () => {} }, { version: 2, name: 'y', up: () => {} }])).toThrow(/share version 2/);
  });

  it('creates the data dir 0700 and its files 0600', () => {
    const dir = path.join(fresh(), 'nested', 'data');
    const core = createCore({ dataDir: dir, mode: 'headless', version: 't', localUser: 'u' });
    core.workspaces.create('Perms', { kind: 'local', id: 'l', name: 'u', origin: 'ipc' });
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(dir)) {
      expect({ f, mode: fs.statSync(path.join(dir, f)).mode & 0o777 }).toEqual({ f, mode: 0o600 });
    }
    core.close();
  });
});
