import type { AuthType, ConnectionStatus, ConnectionSummary, ConnectionTestResult, Provider, StatusChange } from '@shared/domain/connection';
import { nameKey } from '@shared/domain/names';
import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

/**
 * A connection as stored: everything the service needs, including the sealed credential (a vault ciphertext, never
 * plaintext). Settings and the last test are plain values here; how they are encoded (JSON text in SQLite) is the
 * store's business.
 */
export type StoredConnection = {
  id: string;
  workspaceId: string;
  name: string;
  provider: Provider;
  authType: AuthType;
  status: ConnectionStatus;
  settings: Record<string, string>;
  credentialSealed: Buffer | null;
  credentialSecretId: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  lastErrorAt: string | null;
  lastTest: ConnectionTestResult | null;
  createdAt: string;
  updatedAt: string;
  statusChangedAt: string;
};

/** One optional write-only part of a credential: sealed here or a vault secret's id, exactly one of the two. */
export type StoredCredentialField = { key: string; sealed: Buffer | null; secretId: string | null };

/** The columns an update may change; absent keys are left as they are. */
export type ConnectionChanges = Partial<
  Pick<
    StoredConnection,
    | 'name'
    | 'settings'
    | 'credentialSealed'
    | 'credentialSecretId'
    | 'status'
    | 'statusChangedAt'
    | 'lastErrorCode'
    | 'lastErrorMessage'
    | 'lastErrorAt'
    | 'lastTest'
    | 'updatedAt'
  >
>;

export type StatusChangeEntry = {
  connectionId: string;
  workspaceId: string;
  at: string;
  from: ConnectionStatus | null;
  to: ConnectionStatus;
  reason: string;
  /** The actor's display name, kept as written (the history outlives users). */
  actor: string;
};

export type ConnectionListFilter = {
  workspaceId: string;
  provider?: Provider;
  status?: ConnectionStatus;
  /** Case-insensitive substring of the name, matched literally (no wildcards). */
  nameContains?: string;
  /** Keyset page start: rows after this (lower-cased name, id) in list order. */
  after?: { lowerName: string; id: string };
  limit: number;
};

/**
 * The connection room's persistence: every SQL statement on `connections`, `connection_status_history` and
 * `connection_credential_fields`, behind typed methods. Nothing here checks access or validates input: the
 * connection service does both before it calls. Multi-statement changes run inside `transaction(fn)`, which the
 * service opens; for SQLite that is better-sqlite3's (nested calls become savepoints, so other rooms' stores on the
 * same database — audit, references — join the same transaction).
 * A second engine implements this same interface; all of it is synchronous today.
 */
export function createConnectionStore(db: Db) {
  type Row = {
    id: string;
    workspace_id: string;
    name: string;
    provider: Provider;
    auth_type: AuthType;
    status: ConnectionStatus;
    settings: string;
    credential_sealed: Buffer | null;
    credential_secret_id: string | null;
    last_error_code: string | null;
    last_error_message: string | null;
    last_error_at: string | null;
    last_test: string | null;
    created_at: string;
    updated_at: string;
    status_changed_at: string;
  };
  const toStored = (r: Row): StoredConnection => ({
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    provider: r.provider,
    authType: r.auth_type,
    status: r.status,
    settings: JSON.parse(r.settings) as Record<string, string>,
    credentialSealed: r.credential_sealed,
    credentialSecretId: r.credential_secret_id,
    lastErrorCode: r.last_error_code,
    lastErrorMessage: r.last_error_message,
    lastErrorAt: r.last_error_at,
    lastTest: r.last_test ? (JSON.parse(r.last_test) as ConnectionTestResult) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    statusChangedAt: r.status_changed_at,
  });

  const byId = db.prepare('SELECT * FROM connections WHERE id = ? AND workspace_id = ?');
  const idByKey = db.prepare('SELECT id FROM connections WHERE workspace_id = ? AND name_key = ?');
  const insertConnection = db.prepare(
    `INSERT INTO connections (id, workspace_id, name, name_key, provider, auth_type, status, settings, credential_sealed, credential_secret_id,
       last_error_code, last_error_message, last_error_at, last_test, created_at, updated_at, status_changed_at)
     VALUES (@id, @workspace_id, @name, @name_key, @provider, @auth_type, @status, @settings, @credential_sealed, @credential_secret_id,
       @last_error_code, @last_error_message, @last_error_at, @last_test, @created_at, @updated_at, @status_changed_at)`,
  );
  const deleteConnection = db.prepare('DELETE FROM connections WHERE id = ?');
  const insertHistory = db.prepare(
    'INSERT INTO connection_status_history (connection_id, workspace_id, at, from_status, to_status, reason, actor) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const historyOf = db.prepare('SELECT at, from_status, to_status, reason, actor FROM connection_status_history WHERE connection_id = ? ORDER BY seq DESC LIMIT ?');
  const fieldsOf = db.prepare('SELECT key, sealed, secret_id FROM connection_credential_fields WHERE connection_id = ? ORDER BY key');
  const putField = db.prepare('INSERT OR REPLACE INTO connection_credential_fields (connection_id, key, sealed, secret_id) VALUES (?, ?, ?, ?)');
  const deleteField = db.prepare('DELETE FROM connection_credential_fields WHERE connection_id = ? AND key = ?');

  /** Column of each changeable field, and how its value is stored. A fixed map: no caller text reaches the SQL. */
  const COLUMNS: { [K in keyof Required<ConnectionChanges>]: [column: string, encode?: (v: Required<ConnectionChanges>[K]) => unknown] } = {
    name: ['name'],
    settings: ['settings', (v) => JSON.stringify(v)],
    credentialSealed: ['credential_sealed'],
    credentialSecretId: ['credential_secret_id'],
    status: ['status'],
    statusChangedAt: ['status_changed_at'],
    lastErrorCode: ['last_error_code'],
    lastErrorMessage: ['last_error_message'],
    lastErrorAt: ['last_error_at'],
    lastTest: ['last_test', (v) => (v === null ? null : JSON.stringify(v))],
    updatedAt: ['updated_at'],
  };
  /** One prepared UPDATE per set of changed columns, prepared on first use. */
  const updates = new Map<string, ReturnType<Db['prepare']>>();

  return {
    // transaction(fn) / immediate(fn): the one way transactions open (a savepoint when one is already open).
    ...createTransactor(db),

    /** A connection of the workspace; undefined for an unknown id and for another workspace's id alike. */
    get(workspaceId: string, id: string): StoredConnection | undefined {
      const r = byId.get(id, workspaceId) as Row | undefined;
      return r ? toStored(r) : undefined;
    },

    /** The id of the workspace's connection whose name is this name (same `nameKey`: Unicode, ignoring case; names are unique so). */
    idByName(workspaceId: string, name: string): string | undefined {
      return (idByKey.get(workspaceId, nameKey(name)) as { id: string } | undefined)?.id;
    },

    /** Up to `limit` summaries in list order (lower-cased name, then id). */
    list(f: ConnectionListFilter): ConnectionSummary[] {
      const where = ['workspace_id = @workspaceId'];
      const params: Record<string, unknown> = { workspaceId: f.workspaceId, limit: f.limit };
      if (f.provider) {
        where.push('provider = @provider');
        params.provider = f.provider;
      }
      if (f.status) {
        where.push('status = @status');
        params.status = f.status;
      }
      if (f.nameContains !== undefined && f.nameContains !== '') {
        where.push("name LIKE @q ESCAPE '\\' COLLATE NOCASE");
        params.q = `%${f.nameContains.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      }
      if (f.after) {
        where.push('(lower(name) > @afterName OR (lower(name) = @afterName AND id > @afterId))');
        params.afterName = f.after.lowerName;
        params.afterId = f.after.id;
      }
      const rows = db
        .prepare(
          `SELECT id, name, provider, auth_type, status, last_error_code, created_at, updated_at, status_changed_at FROM connections
           WHERE ${where.join(' AND ')} ORDER BY lower(name), id LIMIT @limit`,
        )
        .all(params) as Array<Pick<Row, 'id' | 'name' | 'provider' | 'auth_type' | 'status' | 'last_error_code' | 'created_at' | 'updated_at' | 'status_changed_at'>>;
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        provider: r.provider,
        authType: r.auth_type,
        status: r.status,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        statusChangedAt: r.status_changed_at,
        // Same rule as the service's toSummary: an OAuth connection never authorized is waiting, not failing.
        ...(r.status === 'error' && r.last_error_code === 'not_authorized' ? { awaitingAuthorization: true as const } : {}),
      }));
    },

    insert(c: StoredConnection): void {
      insertConnection.run({
        id: c.id,
        workspace_id: c.workspaceId,
        name: c.name,
        name_key: nameKey(c.name),
        provider: c.provider,
        auth_type: c.authType,
        status: c.status,
        settings: JSON.stringify(c.settings),
        credential_sealed: c.credentialSealed,
        credential_secret_id: c.credentialSecretId,
        last_error_code: c.lastErrorCode,
        last_error_message: c.lastErrorMessage,
        last_error_at: c.lastErrorAt,
        last_test: c.lastTest === null ? null : JSON.stringify(c.lastTest),
        created_at: c.createdAt,
        updated_at: c.updatedAt,
        status_changed_at: c.statusChangedAt,
      });
    },

    /** Writes the given fields of one connection in one statement. */
    update(id: string, changes: ConnectionChanges): void {
      const keys = (Object.keys(changes) as Array<keyof ConnectionChanges>).filter((k) => changes[k] !== undefined).sort();
      if (keys.length === 0) return;
      const sig = keys.join(',');
      let stmt = updates.get(sig);
      if (!stmt) {
        // A new name carries its key with it (name_key is written with the name, here only).
        const sets = keys.map((k) => `${COLUMNS[k][0]} = @${k}`);
        if (keys.includes('name')) sets.push('name_key = @nameKey');
        stmt = db.prepare(`UPDATE connections SET ${sets.join(', ')} WHERE id = @id`);
        updates.set(sig, stmt);
      }
      const params: Record<string, unknown> = { id };
      if (changes.name !== undefined) params.nameKey = nameKey(changes.name);
      for (const k of keys) {
        const encode = COLUMNS[k][1] as ((v: unknown) => unknown) | undefined;
        params[k] = encode ? encode(changes[k]) : changes[k];
      }
      stmt.run(params);
    },

    /** Deletes the connection; its history and credential fields go with it (ON DELETE CASCADE). */
    delete(id: string): void {
      deleteConnection.run(id);
    },

    addStatusChange(e: StatusChangeEntry): void {
      insertHistory.run(e.connectionId, e.workspaceId, e.at, e.from, e.to, e.reason, e.actor);
    },

    /** The newest `limit` status changes, newest first. */
    statusHistory(id: string, limit: number): StatusChange[] {
      return (
        historyOf.all(id, limit) as Array<{ at: string; from_status: ConnectionStatus | null; to_status: ConnectionStatus; reason: string; actor: string }>
      ).map((h) => ({ at: h.at, from: h.from_status, to: h.to_status, reason: h.reason, actor: h.actor }));
    },

    /** The credential fields that are set, by key. */
    credentialFields(id: string): StoredCredentialField[] {
      return (fieldsOf.all(id) as Array<{ key: string; sealed: Buffer | null; secret_id: string | null }>).map((f) => ({ key: f.key, sealed: f.sealed, secretId: f.secret_id }));
    },

    /** Sets one credential field (replacing a sealed value by a secret id or the reverse). */
    putCredentialField(id: string, field: StoredCredentialField): void {
      putField.run(id, field.key, field.sealed, field.secretId);
    },

    deleteCredentialField(id: string, key: string): void {
      deleteField.run(id, key);
    },
  };
}
export type ConnectionStore = ReturnType<typeof createConnectionStore>;
