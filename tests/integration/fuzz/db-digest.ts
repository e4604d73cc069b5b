import { createHash } from 'node:crypto';
import type { Db } from '@core/db/database';

/** Rows a 4xx may change: the audit log records denied attempts on purpose (the audit index follows it). */
const UNCOMPARED_TABLES = new Set(['audit_events', 'audit_index']);
/** Columns a 4xx may change: an API key's last use is bookkeeping of the request, not a change it asked for. */
const UNCOMPARED_COLUMNS: Record<string, readonly string[]> = { api_keys: ['last_used_at'] };

/** One row as a hash: blobs (sealed values, up to 64 KiB) are hashed as bytes, never turned into text. */
function rowHash(row: Record<string, unknown>, skip: readonly string[]): string {
  const h = createHash('sha256');
  for (const [k, v] of Object.entries(row)) {
    if (skip.includes(k)) continue;
    h.update(`${k}=`);
    if (Buffer.isBuffer(v)) h.update(v);
    else h.update(JSON.stringify(v) ?? 'undefined');
    h.update('\u0000');
  }
  return h.digest('hex');
}

/**
 * "Nothing changed on a 4xx", made checkable: every table of the database but the audit log and its index (and
 * sqlite_sequence's rows for them), as one hash per table, so a report names the table that changed. A digest is
 * recomputed only when the connection wrote something since the last one (SQLite's total_changes() counts every row
 * this connection inserted, updated or deleted, rolled back or not; the app writes through this one connection).
 */
export function createDbDigest(db: Db) {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>)
    .map((t) => t.name)
    .filter((n) => !UNCOMPARED_TABLES.has(n));
  const totalChanges = db.prepare('SELECT total_changes()').pluck();
  let cached: { changes: number; digest: Map<string, string> } | null = null;

  function compute(): Map<string, string> {
    const out = new Map<string, string>();
    for (const t of tables) {
      let rows = db.prepare(`SELECT * FROM "${t}"`).all() as Array<Record<string, unknown>>;
      if (t === 'sqlite_sequence') rows = rows.filter((r) => !UNCOMPARED_TABLES.has(String(r.name)));
      const lines = rows.map((r) => rowHash(r, UNCOMPARED_COLUMNS[t] ?? [])).sort();
      out.set(t, createHash('sha256').update(lines.join('\n')).digest('hex'));
    }
    return out;
  }

  return {
    digest(): Map<string, string> {
      const changes = totalChanges.get() as number;
      if (cached?.changes !== changes) cached = { changes, digest: compute() };
      return cached.digest;
    },
    /** The tables whose hash differs between two digests. */
    changedTables: (a: Map<string, string>, b: Map<string, string>) => [...a.keys()].filter((k) => a.get(k) !== b.get(k)),
  };
}
