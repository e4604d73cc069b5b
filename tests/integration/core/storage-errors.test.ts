import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE } from '@core/db/database';
import { createHttpServer } from '@core/http/http-server';
import { createAuthenticator } from '@core/http/rest/auth';
import type { Handlers } from '@core/handlers/dispatch';
import type { Logger, LogLevel } from '@core/ports';
import { makeReadyCore, tempDir, unwrap } from '../../helpers/test-core';
import { startTestServer } from '../../helpers/test-server';

/**
 * Clear storage errors (issue 14, item 7): a full disk is 507 STORAGE_FULL with a plain message and one error log
 * line; another process holding the database's write lock is 503 BUSY with Retry-After within a bounded wait (it
 * froze every request for 5 s); /health answers meanwhile; background work waits the lock out and loses nothing.
 */
const OWNER = 'owner-key-for-storage-tests';
const FULL_MESSAGE = "the data folder's disk is full: free some space and try again";
const DAY = 86_400_000;

type LogLine = { level: LogLevel; message: string; fields?: Record<string, unknown> };
/** Keeps every line; `next(message)` resolves when a line with that message is (or was) logged. */
function recordingLogger(): Logger & { lines: LogLine[]; next: (message: string) => Promise<LogLine> } {
  const lines: LogLine[] = [];
  const waiters: Array<{ message: string; resolve: (l: LogLine) => void }> = [];
  return {
    lines,
    log: (level, message, fields) => {
      const line = { level, message, fields };
      lines.push(line);
      for (const w of waiters.filter((x) => x.message === message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    },
    next: (message) => {
      const hit = lines.find((l) => l.message === message);
      return hit ? Promise.resolve(hit) : new Promise((resolve) => waiters.push({ message, resolve }));
    },
  };
}

const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function server(opts: { dataDir?: string; clock?: { now(): Date } } = {}) {
  const logger = recordingLogger();
  const s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: OWNER }, { ready: true, ports: { logger, ...(opts.clock ? { clock: opts.clock } : {}) } });
  cleanup.push(() => s.stop());
  const call = async (method: string, p: string, body?: unknown, headers: Record<string, string> = { 'x-api-key': OWNER }) => {
    const t0 = performance.now();
    const res = await fetch(`${s.url}${p}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (text ? JSON.parse(text) : null) as Record<string, unknown> & { error?: { code: string; message: string } }, ms: performance.now() - t0 };
  };
  const bridge = (channel: string, input: unknown) => call('POST', `/ipc/${channel}`, { input }, { 'x-console-token': s.consoleToken });
  return { s, logger, call, bridge };
}

/** A second connection to the same database file, as another app process would hold it. */
function otherProcess(dataDir: string) {
  const db = new Database(path.join(dataDir, DB_FILE));
  db.pragma('busy_timeout = 0');
  cleanup.push(() => {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
  });
  return db;
}

describe('a database another process keeps locked', () => {
  it('a write answers 503 BUSY with Retry-After: 1 within a second; /health and reads answer meanwhile; afterwards it works', async () => {
    const { s, logger, call, bridge } = await server();
    const key = s.core.apiKeys.create({ workspaceId: s.core.workspaces.defaultWorkspace().id, name: 'reader', scopes: ['secrets:read'] }, s.admin).key;
    const other = otherProcess(s.dataDir);
    other.exec('BEGIN IMMEDIATE');

    // Sent together: /health must not wait behind the write (it waited the whole 5 s busy timeout before).
    const [write, health] = await Promise.all([call('POST', '/secrets', { name: 'while-locked', value: 'v' }), call('GET', '/health', undefined, {})]);
    expect(write.status, JSON.stringify(write.json)).toBe(503);
    expect(write.json.error).toMatchObject({ code: 'BUSY' });
    expect(write.retryAfter).toBe('1');
    expect(write.ms).toBeLessThan(1000);
    expect(health.status).toBe(200);
    expect(health.ms).toBeLessThan(1000);

    // The console bridge (the IPC envelope) says the same, with the same header.
    const viaConsole = await bridge('secrets:create', { workspaceId: s.core.workspaces.defaultWorkspace().id, name: 'via-console', value: 'v' });
    expect(viaConsole.status).toBe(503);
    expect(viaConsole.retryAfter).toBe('1');
    expect(viaConsole.json).toMatchObject({ ok: false, error: { code: 'BUSY', retryAfter: 1 } });

    // Reads do not need the write lock (WAL), even with a stored API key whose last-use time cannot be written now.
    expect((await call('GET', '/secrets', undefined, { 'x-api-key': key })).status).toBe(200);
    expect(logger.lines.filter((l) => l.message.startsWith('database busy')).length).toBeGreaterThanOrEqual(2);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);

    other.exec('COMMIT');
    const after = await call('POST', '/secrets', { name: 'while-locked', value: 'v' });
    expect(after.status).toBe(201);
  });

  it('the scheduled rotation waits for the lock without blocking, then rotates once', async () => {
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const clock = { now: () => new Date(now) };
    const logger = recordingLogger();
    const t = await makeReadyCore({ clock, logger });
    cleanup.push(() => t.core.close());
    const ws = t.core.workspaces.defaultWorkspace().id;
    const gen = unwrap(await t.invoke('secrets:create', { workspaceId: ws, name: 'gen', generate: { length: 32, alphabet: 'alphanumeric' }, rotation: { everyDays: 1 } }));
    now += 2 * DAY;
    const other = otherProcess(t.dataDir);
    other.exec('BEGIN IMMEDIATE');
    // The tick's claim meets the lock: it must wait without blocking, not give up until the next tick.
    const tick = t.core.scheduler.runDue();
    await logger.next('secrets rotation: database busy, waiting');
    other.exec('COMMIT');
    await tick;
    const detail = unwrap(await t.invoke('secrets:get', { workspaceId: ws, id: gen.id })).secret;
    expect(detail.version).toBe(2);
    expect(t.core.audit.list({ workspaceId: ws, action: 'secret.rotated' }, t.admin).items).toHaveLength(1);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});

/** A small filesystem for the data folder: a real tmpfs when this process may mount one (root), else null. */
function tmpfs(sizeMiB: number): { dir: string; unmount: () => void } | null {
  const dir = tempDir('p1-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir], { stdio: 'ignore' });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a filler file until the filesystem refuses (ENOSPC); returns how to free the space again. */
function fillDisk(dir: string): () => void {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  // Whatever is left is smaller than a chunk: take it too, a page at a time.
  try {
    for (;;) fs.writeSync(fd, chunk, 0, 4096);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
  return () => fs.rmSync(filler, { force: true });
}

describe('a full disk under the data folder', () => {
  it('SQLite cannot grow the database (SQLITE_FULL): 507 STORAGE_FULL on REST and the console, one error log line each', async () => {
    const { s, logger, call, bridge } = await server();
    // SQLite's own page limit: the same SQLITE_FULL a full disk gives, on any machine.
    s.core.db.pragma(`max_page_count = ${s.core.db.pragma('page_count', { simple: true }) as number}`);
    const big = 'x'.repeat(60_000);
    const rest = await call('POST', '/secrets', { name: 'too-big-for-the-disk', value: big });
    expect(rest.status, JSON.stringify(rest.json)).toBe(507);
    expect(rest.json).toEqual({ error: { code: 'STORAGE_FULL', message: FULL_MESSAGE } });
    const viaConsole = await bridge('secrets:create', { workspaceId: s.core.workspaces.defaultWorkspace().id, name: 'too-big-2', value: big });
    expect(viaConsole.status).toBe(507);
    expect(viaConsole.json).toEqual({ ok: false, error: { code: 'STORAGE_FULL', message: FULL_MESSAGE } });
    const logged = logger.lines.filter((l) => l.message === "the data folder's disk is full");
    expect(logged).toHaveLength(2);
    expect(logged.every((l) => l.level === 'error' && l.fields?.cause === 'SQLITE_FULL')).toBe(true);
    expect(JSON.stringify(logger.lines)).not.toContain(big.slice(0, 100));
    expect((await call('GET', '/health', undefined, {})).status).toBe(200);
  });

  it('a file write that finds no space (ENOSPC) gets the same answer on every transport', async () => {
    const logger = recordingLogger();
    const t = await makeReadyCore({ logger });
    cleanup.push(() => t.core.close());
    // A handler whose file write fails the way fs reports a full disk: the mapper, not the handler, decides the answer.
    const enospc = () => {
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${t.dataDir}/x'`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    };
    const handlers = { ...t.handlers, 'vault:exportBackup': enospc } as Handlers;
    const srv = createHttpServer(t.core, handlers, { port: 0, consoleToken: 'tok', authenticate: createAuthenticator(t.core, { PROVENANCE_ADMIN_API_KEY: OWNER }) });
    const { url } = await srv.listen();
    cleanup.push(() => srv.close());
    const res = await fetch(`${url}/ipc/vault:exportBackup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-console-token': 'tok' },
      body: JSON.stringify({ input: { passphrase: 'a long enough backup passphrase' } }),
    });
    expect(res.status).toBe(507);
    expect(await res.json()).toEqual({ ok: false, error: { code: 'STORAGE_FULL', message: FULL_MESSAGE } });
    const logged = logger.lines.filter((l) => l.message === "the data folder's disk is full");
    expect(logged).toEqual([{ level: 'error', message: "the data folder's disk is full", fields: { channel: 'vault:exportBackup', cause: 'ENOSPC' } }]);
    // The path in the fs message never reaches the log or the answer.
    expect(JSON.stringify(logger.lines)).not.toContain(t.dataDir);
  });

  it('a real full disk (a tmpfs of 16 MiB when this runs as root): 507 for writes, /health and reads still answer, writes work once space is freed', async () => {
    const disk = tmpfs(16);
    const dataDir = disk?.dir ?? tempDir();
    if (disk) cleanup.push(disk.unmount);
    const logger = recordingLogger();
    const t = await makeReadyCore({ logger }, dataDir);
    cleanup.push(() => t.core.close());
    const srv = createHttpServer(t.core, t.handlers, { port: 0, consoleToken: 'tok', authenticate: createAuthenticator(t.core, { PROVENANCE_ADMIN_API_KEY: OWNER }) });
    const { url } = await srv.listen();
    cleanup.push(() => srv.close());
    const call = (method: string, p: string, body?: unknown) =>
      fetch(`${url}${p}`, { method, headers: { 'x-api-key': OWNER, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const ws = t.core.workspaces.defaultWorkspace().id;
    // A backup made while there was room, to restore on the full disk (the restore writes a scratch file first).
    const backup = unwrap(await t.invoke('vault:exportBackup', { passphrase: 'a long enough backup passphrase' }));
    expect((await call('POST', '/secrets', { name: 'before', value: 'v' })).status).toBe(201);

    // Nothing left to grow into: the WAL starts empty, and the disk (or, without a tmpfs, SQLite's page limit) is full.
    t.core.db.pragma('wal_checkpoint(TRUNCATE)');
    const free = disk ? fillDisk(dataDir) : () => void t.core.db.pragma('max_page_count = 1073741823');
    if (!disk) t.core.db.pragma(`max_page_count = ${t.core.db.pragma('page_count', { simple: true }) as number}`);

    const write = await call('POST', '/secrets', { name: 'after', value: 'x'.repeat(60_000) });
    expect(write.status).toBe(507);
    expect(await write.json()).toEqual({ error: { code: 'STORAGE_FULL', message: FULL_MESSAGE } });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await call('GET', '/secrets')).status).toBe(200);
    if (disk) {
      // A file write of its own (the restore's scratch copy) fails with ENOSPC: same answer over IPC.
      const restore = await t.invoke('vault:restoreBackup', { data: backup.data, passphrase: 'a long enough backup passphrase', protect: { mode: 'keychain' } });
      expect(restore).toEqual({ ok: false, error: { code: 'STORAGE_FULL', message: FULL_MESSAGE } });
    }
    const logged = logger.lines.filter((l) => l.message === "the data folder's disk is full");
    expect(logged.length).toBe(disk ? 2 : 1);
    expect(logged.every((l) => l.level === 'error')).toBe(true);

    free();
    expect((await call('POST', '/secrets', { name: 'after', value: 'v' })).status).toBe(201);
    expect(unwrap(await t.invoke('secrets:list', { workspaceId: ws })).items.map((x) => x.name).sort()).toEqual(['after', 'before']);
  });
});
