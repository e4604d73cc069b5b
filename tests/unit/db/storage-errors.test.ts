import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { diskFullCode, isBusyError, retryWhenBusy } from '@core/db/storage-errors';
import { tempDir } from '../../helpers/test-core';

const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
  }
});

function twoConnections() {
  const file = path.join(tempDir(), 'busy.db');
  const a = new Database(file);
  a.pragma('journal_mode = WAL');
  a.pragma('busy_timeout = 0');
  a.exec('CREATE TABLE t (n INTEGER)');
  const b = new Database(file);
  b.pragma('busy_timeout = 0');
  open.push(a, b);
  return { a, b };
}

describe('storage error classification', () => {
  it('knows a full disk by its code (SQLite or fs), also when wrapped as a cause', () => {
    expect(diskFullCode(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe('SQLITE_FULL');
    expect(diskFullCode(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe('ENOSPC');
    expect(diskFullCode(Object.assign(new Error('quota'), { code: 'EDQUOT' }))).toBe('EDQUOT');
    expect(diskFullCode(new Error('upload failed', { cause: Object.assign(new Error('x'), { code: 'ENOSPC' }) }))).toBe('ENOSPC');
    expect(diskFullCode(Object.assign(new Error('x'), { code: 'EACCES' }))).toBeNull();
    expect(diskFullCode('ENOSPC')).toBeNull();
  });

  it('knows SQLITE_BUSY and its extended codes, from a real second connection too', () => {
    const { a, b } = twoConnections();
    b.exec('BEGIN IMMEDIATE');
    let caught: unknown;
    try {
      a.prepare('INSERT INTO t VALUES (1)').run();
    } catch (e) {
      caught = e;
    }
    expect(isBusyError(caught)).toBe(true);
    expect(isBusyError(Object.assign(new Error('x'), { code: 'SQLITE_BUSY_SNAPSHOT' }))).toBe(true);
    expect(isBusyError(Object.assign(new Error('x'), { code: 'SQLITE_LOCKED' }))).toBe(false);
    expect(diskFullCode(caught)).toBeNull();
  });
});

describe('retryWhenBusy', () => {
  it('waits (without blocking) while another connection holds the write lock, then applies the write once', async () => {
    const { a, b } = twoConnections();
    b.exec('BEGIN IMMEDIATE');
    const waits: number[] = [];
    const seen: number[] = [];
    const n = await retryWhenBusy(() => a.prepare('INSERT INTO t VALUES (7)').run().changes, {
      onBusy: (attempt) => seen.push(attempt),
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 3) b.exec('COMMIT');
      },
    });
    expect(n).toBe(1);
    expect(seen).toEqual([0, 1, 2]);
    expect(waits.every((ms) => ms > 0 && ms <= 200)).toBe(true);
    expect(a.prepare('SELECT COUNT(*) AS c FROM t').get()).toEqual({ c: 1 });
  });

  it('gives up with the busy error after its deadline, and rethrows anything else at once', async () => {
    const { a, b } = twoConnections();
    b.exec('BEGIN IMMEDIATE');
    let t = 0;
    const busy = retryWhenBusy(() => a.prepare('INSERT INTO t VALUES (1)').run(), { deadlineMs: 100, now: () => t, sleep: async (ms) => void (t += ms) });
    await expect(busy).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    let calls = 0;
    const other = retryWhenBusy(() => {
      calls++;
      throw Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT' });
    });
    await expect(other).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT' });
    expect(calls).toBe(1);
  });
});
