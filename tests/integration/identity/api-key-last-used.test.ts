import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE } from '@core/db/database';
import { createApiKeyService } from '@core/identity/api-key-service';
import { createApiKeyStore } from '@core/identity/api-key-store';
import type { Logger, LogLevel } from '@core/ports';
import { makeTestCore } from '../../helpers/test-core';
import { startTestServer } from '../../helpers/test-server';

/**
 * An API key's last-used time is bookkeeping written on every request with the key: when the database cannot take
 * that write because another process holds its write lock (SQLITE_BUSY and its extended codes) or its disk is full
 * (SQLITE_FULL, ENOSPC, EDQUOT, also as the cause of a wrapping error), the request still authenticates, the time
 * stays as it was, and nothing is logged; any other failure of that write is not swallowed. The busy case runs for
 * real (a second connection holds the lock, as another app process would); the others through a store whose update
 * fails with the error SQLite or fs would give.
 */
const OWNER = 'owner-key-for-last-used-tests';
const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

type LogLine = { level: LogLevel; message: string };
function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, log: (level, message) => void lines.push({ level, message }) };
}

describe('a stored key while another process holds the write lock', () => {
  it('still authenticates its request (200, not 503), logs nothing, and notes its use once the lock is gone', async () => {
    let now = Date.parse('2026-03-01T10:00:00.000Z');
    const logger = recordingLogger();
    const s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: OWNER }, { ready: true, ports: { logger, clock: { now: () => new Date(now) } } });
    cleanup.push(() => s.stop());
    const ws = s.core.workspaces.defaultWorkspace().id;
    const k = s.core.apiKeys.create({ workspaceId: ws, name: 'reader', scopes: ['secrets:read'] }, s.admin);
    const lastUsed = () => s.core.db.prepare('SELECT last_used_at FROM api_keys WHERE id = ?').pluck().get(k.id);
    const get = () => fetch(`${s.url}/secrets`, { headers: { 'x-api-key': k.key } });

    expect((await get()).status).toBe(200);
    expect(lastUsed()).toBe('2026-03-01T10:00:00.000Z');

    const other = new Database(path.join(s.dataDir, DB_FILE));
    cleanup.push(() => {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    });
    other.exec('BEGIN IMMEDIATE');
    now += 60_000;
    const before = logger.lines.length;
    const locked = await get();
    expect(locked.status, await locked.clone().text()).toBe(200);
    expect(await locked.json()).toMatchObject({ items: [] });
    expect(logger.lines.slice(before)).toEqual([]);
    other.exec('COMMIT');
    expect(lastUsed()).toBe('2026-03-01T10:00:00.000Z');

    now += 60_000;
    expect((await get()).status).toBe(200);
    expect(lastUsed()).toBe('2026-03-01T10:02:00.000Z');
  });
});

describe('the last-used update failing', () => {
  function keys(touchError: () => unknown) {
    const t = makeTestCore();
    cleanup.push(() => t.close());
    const ws = t.core.workspaces.defaultWorkspace().id;
    const real = createApiKeyStore(t.core.db);
    let failing = false;
    let now = Date.parse('2026-03-01T10:00:00.000Z');
    const store = {
      ...real,
      touch: (id: string, at: string) => {
        if (failing) throw touchError();
        real.touch(id, at);
      },
    };
    const svc = createApiKeyService({ store, clock: { now: () => new Date(now) }, audit: { record: () => 'audit-id' }, access: { assert: () => {} } });
    const k = svc.create({ workspaceId: ws, name: 'ci', scopes: ['audit:read'] }, t.admin);
    const lastUsed = () => t.core.db.prepare('SELECT last_used_at FROM api_keys WHERE id = ?').pluck().get(k.id);
    /** From now on the update fails, a minute later than the last request. */
    const fail = () => {
      failing = true;
      now += 60_000;
    };
    return { svc, k, ws, lastUsed, fail };
  }
  const sqliteError = (code: string) => Object.assign(new Error(`${code}: sqlite says so`), { code });

  const tolerated: Array<[string, () => unknown]> = [
    ['SQLITE_BUSY', () => sqliteError('SQLITE_BUSY')],
    ['SQLITE_BUSY_SNAPSHOT', () => sqliteError('SQLITE_BUSY_SNAPSHOT')],
    ['SQLITE_FULL (the disk or the page limit)', () => sqliteError('SQLITE_FULL')],
    ['ENOSPC', () => Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })],
    ['EDQUOT', () => Object.assign(new Error('EDQUOT: disk quota exceeded'), { code: 'EDQUOT' })],
    ['a wrapping error whose cause is SQLITE_FULL', () => new Error('could not write', { cause: sqliteError('SQLITE_FULL') })],
    ['a wrapping error whose cause is SQLITE_BUSY', () => new Error('could not write', { cause: sqliteError('SQLITE_BUSY') })],
  ];
  it.each(tolerated)('%s: the key still authenticates to its principal, and its last-used time stays as it was', (_name, error) => {
    const { svc, k, ws, lastUsed, fail } = keys(error);
    expect(svc.authenticate(k.key)).toEqual({ id: k.id, name: 'ci', workspaceId: ws, scopes: ['audit:read'] });
    expect(lastUsed()).toBe('2026-03-01T10:00:00.000Z');
    fail();
    expect(svc.authenticate(k.key)).toEqual({ id: k.id, name: 'ci', workspaceId: ws, scopes: ['audit:read'] });
    expect(lastUsed()).toBe('2026-03-01T10:00:00.000Z');
  });

  const thrown: Array<[string, () => unknown]> = [
    ['SQLITE_CORRUPT', () => sqliteError('SQLITE_CORRUPT')],
    ['SQLITE_READONLY', () => sqliteError('SQLITE_READONLY')],
    ['a plain Error', () => new Error('something else broke')],
  ];
  it.each(thrown)('%s is not swallowed: authenticate throws that very error', (_name, error) => {
    const e = error();
    const { svc, k, fail } = keys(() => e);
    fail();
    expect(() => svc.authenticate(k.key)).toThrow(e as Error);
  });
});
