import BetterSqlite3, { type Database } from 'better-sqlite3';
import path from 'node:path';
import { touchPrivate } from '../fs/data-dir';

export type Db = Database;

/** Where a migration reports what it decided for the admin (e.g. two old names that became one name). Never secrets. */
export type MigrationLog = (message: string, fields?: Record<string, string | number | boolean | null>) => void;
const noLog: MigrationLog = () => {};

/** A numbered schema change. Capability migration files import this type from here; db/ never imports a capability. */
export type Migration = { version: number; name: string; up: (db: Db, log: MigrationLog) => void };
export const DB_FILE = 'provenance.db';

/** ~32 MB of WAL at most between checkpoints (4 KiB pages). */
const WAL_AUTOCHECKPOINT_PAGES = 8000;

/**
 * How long a statement waits for another process's write lock (the desktop app and the console may share a data dir).
 * better-sqlite3 is synchronous, so SQLite's busy wait blocks the event loop: every request and /health wait with it.
 *
 * - While opening and migrating (start-up, nothing served yet) the wait is long, so a second process that starts
 *   during the first one's migrations waits for them instead of failing.
 * - Once the core serves requests it is BUSY_TIMEOUT_MS: a write that cannot get the lock by then fails with
 *   SQLITE_BUSY, which the error mapper answers as 503 BUSY with Retry-After: 1. Measured with three processes writing
 *   app-sized transactions (a row + an audit row) as fast as they can on a loaded 2-core machine: no SQLITE_BUSY at all
 *   from a 50 ms timeout up, and the longest any transaction waited was ~110 ms; 250 ms leaves twice that headroom,
 *   and is 20× less frozen than the 5 s it was. Background work retries without blocking (storage-errors.ts).
 */
export const OPEN_BUSY_TIMEOUT_MS = 5000;
export const BUSY_TIMEOUT_MS = 250;

export function setBusyTimeout(db: Db, ms: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(ms))}`);
}

/** Opens the app database: WAL, foreign keys on, the start-up busy timeout (see above; the core lowers it once built). */
export function openDatabase(dataDir: string, migrations: readonly Migration[], log: MigrationLog = noLog): Db {
  const file = path.join(dataDir, DB_FILE);
  touchPrivate(file);
  // -wal and -shm inherit the main file's mode in SQLite, and the umask guards the instant in between.
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  setBusyTimeout(db, OPEN_BUSY_TIMEOUT_MS);
  db.pragma('synchronous = NORMAL');
  // Commits do not checkpoint every 1000 pages (the default, an fsync on a request's path): the core checkpoints
  // when idle (startIdleCheckpoints), and this larger bound only caps the WAL under a long burst of writes.
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  migrate(db, migrations, log);
  return db;
}

/** Copies the WAL back into the database every `intervalMs` between requests; returns the stop function. */
export function startIdleCheckpoints(db: Db, intervalMs = 2000): () => void {
  const timer = setInterval(() => {
    try {
      if (db.open && !db.inTransaction) db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // The next tick or the automatic bound retries; a checkpoint is never needed for correctness.
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration this database has not had yet, in version order, each in its own transaction together
 * with its row in schema_migrations, so a crash leaves whole migrations only. Versions are reserved per capability
 * (see schema-migrations.ts) and may have gaps, so capabilities can land in any order. user_version mirrors the highest
 * applied version for tools. A database that has a migration this app does not know was written by a newer app:
 * it is refused, not guessed at.
 */
export function migrate(db: Db, migrations: readonly Migration[], log: MigrationLog = noLog): void {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version < 1) throw new Error(`migration versions must be positive integers; got ${m.version}`);
    if (i > 0 && sorted[i - 1]!.version === m.version) throw new Error(`two migrations share version ${m.version}`);
  });
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const known = new Set(sorted.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new Error(
      `the database has schema changes (version ${Math.max(...unknown)}) that this app does not know; it was written by a newer ProvenanceOne Desktop: update the app`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of sorted.filter((x) => !applied.has(x.version))) {
    db.transaction(() => {
      m.up(db, log);
      record.run(m.version, m.name, new Date().toISOString());
      db.pragma(`user_version = ${Math.max(m.version, schemaVersion(db))}`);
    })();
  }
}
