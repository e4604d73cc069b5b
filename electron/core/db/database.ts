import BetterSqlite3, { type Database } from 'better-sqlite3';
import path from 'node:path';
import { touchPrivate } from '../fs/data-dir';
import type { Migration } from './migrations';

export type Db = Database;
export const DB_FILE = 'provenance.db';

/** Opens the app database: WAL, foreign keys on, busy timeout for a second process on the same data dir. */
export function openDatabase(dataDir: string, migrations: readonly Migration[]): Db {
  const file = path.join(dataDir, DB_FILE);
  touchPrivate(file);
  // -wal and -shm inherit the main file's mode in SQLite, and the umask guards the instant in between.
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  migrate(db, migrations);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration above the stored version, each in its own transaction with the version bump, so a
 * crash leaves the database at a whole version. A database newer than this app is refused, not guessed at.
 */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1..n without gaps; found ${m.version} at ${i + 1}`);
  });
  const current = schemaVersion(db);
  const latest = sorted.length;
  if (current > latest) {
    throw new Error(
      `the database schema (version ${current}) is newer than this app understands (${latest}); update ProvenanceOne Desktop`,
    );
  }
  for (const m of sorted.filter((x) => x.version > current)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
