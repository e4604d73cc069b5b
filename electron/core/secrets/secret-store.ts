import type { Statement } from 'better-sqlite3';
import type { SecretValueType, SecretVersion } from '@shared/domain/secret';
import { nameKey } from '@shared/domain/names';
import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

/** A secret's stored metadata (never its value). `version` is the current one; 0 only inside the create transaction. */
export type SecretRecord = {
  id: string;
  workspace_id: string;
  name: string;
  description: string;
  value_type: SecretValueType;
  version: number;
  /** The generator (JSON) of a secret the app generates; null for one a person typed. */
  generator: string | null;
  rotation_days: number | null;
  next_rotation_at: string | null;
  rotation_due_since: string | null;
  created_at: string;
  updated_at: string;
  last_rotated_at: string | null;
};

/** One kept version: the value sealed by the vault under AAD `secret:<id>:v<version>`. */
export type SecretVersionRecord = {
  secret_id: string;
  version: number;
  workspace_id: string;
  value_type: SecretValueType;
  ciphertext: Buffer;
  source: SecretVersion['source'];
  /** The version a rollback restored; null for every other source. */
  restored_from: number | null;
  created_at: string;
  created_by: string;
};

/** What a reveal reads: the secret and its current version's ciphertext (nulls when that version row is missing). */
export type SealedCurrent = { id: string; name: string; version: number | null; value_type: SecretValueType | null; ciphertext: Buffer | null };

/** A keyset page of a workspace's secrets by name: optionally only names containing `search`, after the name `after`. */
export type SecretPageQuery = { workspaceId: string; search?: string; after?: string; limit: number };

/** Shorter searches cannot use the trigram index (secrets_name_fts): see `page`. */
export const TRIGRAM_MIN = 3;

/** An FTS5 query for "the name contains `text`": one quoted string (quotes doubled), so no character is an operator. */
export const containsQuery = (text: string) => `"${text.replace(/"/g, '""')}"`;
/** A LIKE pattern for "contains `text`", with LIKE's wildcards escaped by backslash. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * All SQL of secrets (`secrets`, `secret_versions`). Every statement is prepared once, here: `currentSealed` is the
 * reveal's read (benchmarked against a raw better-sqlite3 floor) and runs inside the reveal's transaction with its
 * audit row, so it stays one statement for the secret and its current version, with only the columns a reveal needs.
 */
export function createSecretStore(db: Db) {
  const byId = db.prepare('SELECT * FROM secrets WHERE id = ? AND workspace_id = ?');
  const byKey = db.prepare('SELECT id FROM secrets WHERE workspace_id = ? AND name_key = ?');
  const insert = db.prepare(
    `INSERT INTO secrets (id, workspace_id, name, name_key, description, value_type, version, generator, rotation_days, next_rotation_at,
       rotation_due_since, created_at, updated_at, last_rotated_at)
     VALUES (@id, @workspace_id, @name, @name_key, @description, @value_type, @version, @generator, @rotation_days, @next_rotation_at,
       @rotation_due_since, @created_at, @updated_at, @last_rotated_at)`,
  );
  const updateMeta = db.prepare(
    `UPDATE secrets SET name = @name, name_key = @name_key, description = @description, rotation_days = @rotation_days, next_rotation_at = @next_rotation_at,
       rotation_due_since = @rotation_due_since, updated_at = @updated_at WHERE id = @id`,
  );
  const setCurrent = db.prepare(
    `UPDATE secrets SET version = @version, value_type = @value_type, updated_at = @updated_at, last_rotated_at = @last_rotated_at,
       next_rotation_at = @next_rotation_at, rotation_due_since = NULL WHERE id = @id`,
  );
  const remove = db.prepare('DELETE FROM secrets WHERE id = ?');
  const versionOf = db.prepare('SELECT * FROM secret_versions WHERE secret_id = ? AND version = ?');
  const versions = db.prepare(
    'SELECT version, value_type, source, restored_from, created_at, created_by FROM secret_versions WHERE secret_id = ? ORDER BY version DESC',
  );
  const insertVersion = db.prepare(
    `INSERT INTO secret_versions (secret_id, version, workspace_id, value_type, ciphertext, source, restored_from, created_at, created_by)
     VALUES (@secret_id, @version, @workspace_id, @value_type, @ciphertext, @source, @restored_from, @created_at, @created_by)`,
  );
  const pruneVersions = db.prepare('DELETE FROM secret_versions WHERE secret_id = ? AND version <= ?');
  const currentSealed = db.prepare(`SELECT s.id, s.name, v.version, v.value_type, v.ciphertext
    FROM secrets s LEFT JOIN secret_versions v ON v.secret_id = s.id AND v.version = s.version
    WHERE s.id = ? AND s.workspace_id = ?`);
  const DUE = 'SELECT * FROM secrets WHERE next_rotation_at IS NOT NULL AND next_rotation_at <= ?';
  const oldestDue = db.prepare(`${DUE} ORDER BY next_rotation_at LIMIT 1`);
  const oldestDueTyped = db.prepare(`${DUE} AND generator IS NULL ORDER BY next_rotation_at LIMIT 1`);
  const markDue = db.prepare('UPDATE secrets SET rotation_due_since = next_rotation_at, next_rotation_at = NULL WHERE id = ?');
  const pages = new Map<string, Statement>();
  /** The row's parameters with its name's key: `name_key` is written with the name, here only. */
  const storedName = <T extends { name: string }>(r: T): T & { name_key: string } => ({ ...r, name_key: nameKey(r.name) });

  type SearchShape = '' | 'index' | 'scan';
  function pageStatement(search: SearchShape, after: boolean): Statement {
    const shape = `${search}:${after ? 'a' : ''}`;
    let stmt = pages.get(shape);
    if (!stmt) {
      const where = ['workspace_id = @ws'];
      // 3+ characters: the trigram index finds the names containing them, in any case.
      if (search === 'index') where.push('rowid IN (SELECT rowid FROM secrets_name_fts WHERE secrets_name_fts MATCH @q)');
      // 1–2 characters (no trigram to look up): the workspace's names are read in name order on the (workspace_id,
      // name) index and matched by LIKE (ASCII case-insensitive) until the page is full.
      if (search === 'scan') where.push("name LIKE @q ESCAPE '\\'");
      if (after) where.push('name > @after');
      stmt = db.prepare(`SELECT * FROM secrets WHERE ${where.join(' AND ')} ORDER BY name LIMIT @limit`);
      pages.set(shape, stmt);
    }
    return stmt;
  }

  return {
    ...createTransactor(db),
    /** Ids are compared byte for byte: a UUID in other case is another (unknown) secret. */
    find: (workspaceId: string, id: string): SecretRecord | undefined => byId.get(id, workspaceId) as SecretRecord | undefined,
    /** The id of the workspace's secret whose name is this name (same `nameKey`: Unicode, ignoring case). */
    idByName: (workspaceId: string, name: string): string | undefined => (byKey.get(workspaceId, nameKey(name)) as { id: string } | undefined)?.id,
    page(q: SecretPageQuery): SecretRecord[] {
      const params: Record<string, unknown> = { ws: q.workspaceId, limit: q.limit };
      let search: SearchShape = '';
      if (q.search) {
        search = [...q.search].length >= TRIGRAM_MIN ? 'index' : 'scan';
        params.q = search === 'index' ? containsQuery(q.search) : likePattern(q.search);
      }
      if (q.after !== undefined) params.after = q.after;
      return pageStatement(search, q.after !== undefined).all(params) as SecretRecord[];
    },
    insert: (r: SecretRecord): void => void insert.run(storedName(r)),
    /** Name, description and schedule (the fields a person edits). */
    updateMeta: (r: Pick<SecretRecord, 'id' | 'name' | 'description' | 'rotation_days' | 'next_rotation_at' | 'rotation_due_since' | 'updated_at'>): void =>
      void updateMeta.run(storedName(r)),
    /** Points the secret at a new current version and restarts its schedule (clears "rotation due"). */
    setCurrentVersion: (r: Pick<SecretRecord, 'id' | 'version' | 'value_type' | 'updated_at' | 'last_rotated_at' | 'next_rotation_at'>): void =>
      void setCurrent.run(r),
    /** Deletes the secret; its versions go with it (ON DELETE CASCADE). */
    delete: (id: string): void => void remove.run(id),

    version: (secretId: string, version: number): SecretVersionRecord | undefined => versionOf.get(secretId, version) as SecretVersionRecord | undefined,
    /** The kept versions, newest first, without their ciphertext. */
    versions: (secretId: string): Array<Pick<SecretVersionRecord, 'version' | 'value_type' | 'source' | 'restored_from' | 'created_at' | 'created_by'>> =>
      versions.all(secretId) as Array<Pick<SecretVersionRecord, 'version' | 'value_type' | 'source' | 'restored_from' | 'created_at' | 'created_by'>>,
    insertVersion: (v: SecretVersionRecord): void => void insertVersion.run(v),
    /** Drops every version up to and including `upTo` (the oldest beyond the kept ones). */
    pruneVersions: (secretId: string, upTo: number): void => void pruneVersions.run(secretId, upTo),

    currentSealed: (workspaceId: string, id: string): SealedCurrent | undefined => currentSealed.get(id, workspaceId) as SealedCurrent | undefined,

    /** The secret whose schedule is the most overdue at `now`, or undefined; `generatedToo` false skips generated ones. */
    oldestDue: (now: string, generatedToo: boolean): SecretRecord | undefined =>
      (generatedToo ? oldestDue : oldestDueTyped).get(now) as SecretRecord | undefined,
    /** Marks a typed secret "rotation due" (its next rotation cleared until someone rotates it). */
    markDue: (id: string): void => void markDue.run(id),
  };
}
export type SecretStore = ReturnType<typeof createSecretStore>;
