import { nameKey } from '@shared/domain/names';
import type { Db, MigrationLog } from './database';

/** A table whose `name` becomes unique by `nameKey(name)` (per scope, e.g. per workspace). Fixed strings from code. */
export type NameKeyTable = {
  table: string;
  /** The column names are unique within (e.g. `workspace_id`), or null when unique across the table. */
  scope: string | null;
  /** Oldest first: the row that was there first keeps the plain key when two old names collide. */
  order: string;
  /** Name of the UNIQUE index on (scope, name_key). */
  index: string;
};

/**
 * Adds `name_key` to a table, fills it for every existing row and makes it unique: the migration step behind each
 * capability's "names are unique ignoring case, in all of Unicode" (shared/domain/names.ts). SQLite has no NFKC or
 * case folding, so the backfill runs here, in JS, inside the migration's transaction.
 *
 * Rows written while uniqueness was `COLLATE NOCASE` (ASCII only) may collide under the new key (`café` in NFC and
 * NFD, `STRASSE` and `straße`). None is renamed or dropped: the oldest keeps the plain key, each later one gets
 * `key + NUL + id` (no real name's key holds NUL: names refuse control characters), and the decision is logged with
 * the rows' ids. Such a later row keeps working under its id; a new name equal to either is refused (409), and
 * renaming it to a free name gives it a plain key again.
 */
export function addNameKeyColumn(db: Db, t: NameKeyTable, log: MigrationLog): void {
  db.exec(`ALTER TABLE ${t.table} ADD COLUMN name_key TEXT`);
  const rows = db.prepare(`SELECT id, name, ${t.scope ?? 'NULL'} AS scope FROM ${t.table} ORDER BY ${t.order}`).all() as Array<{
    id: string;
    name: string;
    scope: string | null;
  }>;
  const set = db.prepare(`UPDATE ${t.table} SET name_key = ? WHERE id = ?`);
  const holder = new Map<string, string>();
  for (const r of rows) {
    const plain = nameKey(r.name);
    const slot = `${r.scope ?? ''}\u0000${plain}`;
    const first = holder.get(slot);
    if (first === undefined) {
      holder.set(slot, r.id);
      set.run(plain, r.id);
    } else {
      set.run(`${plain}\u0000${r.id}`, r.id);
      log('two existing names are one name under the new comparison (Unicode, ignoring case); both rows are kept and the later one keeps its name', {
        table: t.table,
        keptId: first,
        laterId: r.id,
      });
    }
  }
  db.exec(`CREATE UNIQUE INDEX ${t.index} ON ${t.table} (${t.scope ? `${t.scope}, ` : ''}name_key)`);
}
