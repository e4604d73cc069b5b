import { nameKey } from '@shared/domain/names';
import type { Db } from '../db/database';

/**
 * The datastores' SQL, and the only place it is written: the services see the narrow interface below, in plain
 * records, so a second database engine is one more implementation of `DatastoreStore`. Everything is synchronous
 * (better-sqlite3); with an asynchronous engine every method, and `transaction`, would return a Promise.
 *
 * Transactions are opened only through `transaction(fn)`: a service runs its steps and its audit event (written by
 * the audit service on the same connection) inside one `fn`, so a change and its audit row commit together or not
 * at all. Nested calls join the outer transaction.
 */

/** A datastore as stored: backend settings as their JSON text, the backend's secret sealed by the vault. */
export type StoredDatastore = {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  backendType: 'filesystem' | 's3';
  /** Non-secret backend settings as JSON; only backend-registry.ts reads or writes it. */
  backendConfig: string;
  sealedSecret: Buffer | null;
  createdAt: string;
  updatedAt: string;
};

/** An object row: it exists only once its bytes are complete at `locator` in the backend. */
export type StoredObject = {
  datastoreId: string;
  workspaceId: string;
  key: string;
  locator: string;
  size: number;
  contentType: string;
  sha256: string;
  uploadedBy: string;
  createdAt: string;
  updatedAt: string;
};

/** An S3 pre-signed PUT handed out: the object row is created when its bytes are first seen. */
export type PendingUpload = {
  datastoreId: string;
  workspaceId: string;
  key: string;
  contentType: string;
  createdBy: string;
  expiresAt: string;
};

export type DatastoreUsageRow = { id: string; name: string; objectCount: number; bytesUsed: number };

/**
 * A filesystem upload URL handed out: its nonce (signed into the URL), what it may store, who issued it (checked
 * again at use), and when it was used (null until the PUT that stored its object committed).
 */
export type UploadGrantRow = {
  nonce: string;
  datastoreId: string;
  workspaceId: string;
  key: string;
  issuerKind: string;
  issuerId: string;
  expiresAt: string;
  usedAt: string | null;
};

export interface DatastoreStore {
  /** Runs `fn` in one transaction (joining an outer one), and returns what it returns; a throw rolls it back. */
  transaction<T>(fn: () => T): T;

  // ---- datastores ----
  findDatastore(id: string): StoredDatastore | undefined;
  /** A page of a workspace's datastores in (createdAt, id) order, after the keyset `after` ([createdAt, id]; null = start). */
  listDatastores(workspaceId: string, after: readonly [string, string] | null, limit: number): StoredDatastore[];
  /** Every datastore of every workspace (crash recovery, and the folders a new datastore must keep clear of). */
  allDatastores(): StoredDatastore[];
  /** Names are unique per workspace by nameKey (Unicode, ignoring case: shared/domain/names.ts). */
  nameTaken(workspaceId: string, name: string): boolean;
  /** Writes the row with its name's key (`name_key`, written here only). */
  insertDatastore(d: StoredDatastore): void;
  /** New backend settings (the folder was marked as the datastore's, e.g. on re-attach). */
  updateBackendConfig(id: string, backendConfig: string, updatedAt: string): void;
  /** Deletes the datastore with its object, pending-upload and upload-grant rows. */
  deleteDatastore(id: string): void;
  datastoreStats(id: string): { objectCount: number; bytesUsed: number };
  /** Per datastore of the workspace, in (createdAt, id) order. */
  usage(workspaceId: string): DatastoreUsageRow[];

  // ---- objects ----
  findObject(datastoreId: string, key: string): StoredObject | undefined;
  /**
   * Up to `limit` objects in key order (UTF-8 byte order, like S3) with lower ≤ key < upper, or lower < key < upper
   * when `exclusive`. A plain range on the primary key, so the engine seeks rather than scans.
   */
  listObjectRange(q: { datastoreId: string; lower: string; upper: string; exclusive: boolean; limit: number }): StoredObject[];
  objectLocators(datastoreId: string): string[];
  hasLocator(datastoreId: string, locator: string): boolean;
  /** Inserts the object, or switches the existing row of its key to the new bytes (createdAt is kept). */
  upsertObject(o: StoredObject): void;
  deleteObject(datastoreId: string, key: string): void;

  // ---- pending pre-signed uploads (S3) ----
  pendingUploads(datastoreId: string): PendingUpload[];
  upsertPendingUpload(p: PendingUpload): void;
  deletePendingUpload(datastoreId: string, key: string): void;
  /** Deletes the pending row if it is still there; true only for the one caller that removed it. */
  claimPendingUpload(datastoreId: string, key: string): boolean;

  // ---- single-use filesystem upload URLs ----
  insertUploadGrant(g: Omit<UploadGrantRow, 'usedAt'>): void;
  findUploadGrant(nonce: string): UploadGrantRow | undefined;
  /** Marks the grant used if it is not yet; true only for the one caller that did (run it in the object's transaction). */
  consumeUploadGrant(nonce: string, usedAt: string): boolean;
  /** Removes grants that expired before `before` (used or not); returns how many. */
  purgeUploadGrants(before: string): number;

  // ---- the upload-URL signing key (the one settings row the datastores own) ----
  /** The vault-sealed HMAC key of filesystem upload URLs, or null before the first URL. */
  sealedPresignKey(): Buffer | null;
  /** Stores it unless another caller stored one first (then that one wins, and is what sealedPresignKey returns). */
  insertSealedPresignKey(sealed: Buffer): void;
}

type DsRow = {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  backend_type: 'filesystem' | 's3';
  backend_config: string;
  sealed_secret: Buffer | null;
  created_at: string;
  updated_at: string;
};
type ObjRow = {
  datastore_id: string;
  workspace_id: string;
  key: string;
  locator: string;
  size: number;
  content_type: string;
  sha256: string;
  uploaded_by: string;
  created_at: string;
  updated_at: string;
};
type PendingRow = { datastore_id: string; workspace_id: string; key: string; content_type: string; created_by: string; expires_at: string };
type GrantRow = {
  nonce: string;
  datastore_id: string;
  workspace_id: string;
  key: string;
  issuer_kind: string;
  issuer_id: string;
  expires_at: string;
  used_at: string | null;
};

const PRESIGN_SETTING = 'datastores.presign_key';

const toDatastore = (r: DsRow): StoredDatastore => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  description: r.description,
  backendType: r.backend_type,
  backendConfig: r.backend_config,
  sealedSecret: r.sealed_secret,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toObject = (r: ObjRow): StoredObject => ({
  datastoreId: r.datastore_id,
  workspaceId: r.workspace_id,
  key: r.key,
  locator: r.locator,
  size: r.size,
  contentType: r.content_type,
  sha256: r.sha256,
  uploadedBy: r.uploaded_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toPending = (r: PendingRow): PendingUpload => ({
  datastoreId: r.datastore_id,
  workspaceId: r.workspace_id,
  key: r.key,
  contentType: r.content_type,
  createdBy: r.created_by,
  expiresAt: r.expires_at,
});

/** The SQLite implementation. Statements are prepared once, here. */
export function createDatastoreStore(db: Db): DatastoreStore {
  const dsById = db.prepare('SELECT * FROM datastores WHERE id = ?');
  const dsFirst = db.prepare('SELECT * FROM datastores WHERE workspace_id = ? ORDER BY created_at, id LIMIT ?');
  const dsPage = db.prepare('SELECT * FROM datastores WHERE workspace_id = ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?');
  const dsAll = db.prepare('SELECT * FROM datastores ORDER BY created_at, id');
  const dsNamed = db.prepare('SELECT 1 FROM datastores WHERE workspace_id = ? AND name_key = ?');
  const dsInsert = db.prepare(`INSERT INTO datastores (id, workspace_id, name, name_key, description, backend_type, backend_config, sealed_secret, created_at, updated_at)
    VALUES (@id, @workspace_id, @name, @name_key, @description, @backend_type, @backend_config, @sealed_secret, @created_at, @updated_at)`);
  const dsConfig = db.prepare('UPDATE datastores SET backend_config = ?, updated_at = ? WHERE id = ?');
  // Object, pending-upload and upload-grant rows go with it (ON DELETE CASCADE).
  const dsDelete = db.prepare('DELETE FROM datastores WHERE id = ?');
  const dsStats = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM datastore_objects WHERE datastore_id = ?');
  const dsUsage = db.prepare(`SELECT d.id, d.name, COUNT(o.key) AS n, COALESCE(SUM(o.size), 0) AS bytes FROM datastores d
    LEFT JOIN datastore_objects o ON o.datastore_id = d.id WHERE d.workspace_id = ? GROUP BY d.id ORDER BY d.created_at, d.id`);

  const objByKey = db.prepare('SELECT * FROM datastore_objects WHERE datastore_id = ? AND key = ?');
  // Two statements, not one with CASE: a plain range on the primary key is what lets SQLite seek.
  const objFrom = db.prepare('SELECT * FROM datastore_objects WHERE datastore_id = @id AND key >= @lower AND key < @upper ORDER BY key LIMIT @limit');
  const objAfter = db.prepare('SELECT * FROM datastore_objects WHERE datastore_id = @id AND key > @lower AND key < @upper ORDER BY key LIMIT @limit');
  const objLocators = db.prepare('SELECT locator FROM datastore_objects WHERE datastore_id = ?').pluck();
  const objHasLocator = db.prepare('SELECT 1 FROM datastore_objects WHERE datastore_id = ? AND locator = ?');
  const objUpsert = db.prepare(`INSERT INTO datastore_objects
      (datastore_id, workspace_id, key, locator, size, content_type, sha256, uploaded_by, created_at, updated_at)
      VALUES (@datastore_id, @workspace_id, @key, @locator, @size, @content_type, @sha256, @uploaded_by, @created_at, @updated_at)
      ON CONFLICT (datastore_id, key) DO UPDATE SET locator = excluded.locator, size = excluded.size,
        content_type = excluded.content_type, sha256 = excluded.sha256, uploaded_by = excluded.uploaded_by, updated_at = excluded.updated_at`);
  const objDelete = db.prepare('DELETE FROM datastore_objects WHERE datastore_id = ? AND key = ?');

  const pendingAll = db.prepare('SELECT * FROM datastore_pending_uploads WHERE datastore_id = ?');
  const pendingUpsert = db.prepare(`INSERT INTO datastore_pending_uploads (datastore_id, workspace_id, key, content_type, created_by, expires_at)
    VALUES (@datastore_id, @workspace_id, @key, @content_type, @created_by, @expires_at)
    ON CONFLICT (datastore_id, key) DO UPDATE SET content_type = excluded.content_type, created_by = excluded.created_by, expires_at = excluded.expires_at`);
  const pendingDelete = db.prepare('DELETE FROM datastore_pending_uploads WHERE datastore_id = ? AND key = ?');

  const grantInsert = db.prepare(`INSERT INTO datastore_upload_grants (nonce, datastore_id, workspace_id, key, issuer_kind, issuer_id, expires_at)
    VALUES (@nonce, @datastore_id, @workspace_id, @key, @issuer_kind, @issuer_id, @expires_at)`);
  const grantByNonce = db.prepare('SELECT * FROM datastore_upload_grants WHERE nonce = ?');
  const grantConsume = db.prepare('UPDATE datastore_upload_grants SET used_at = ? WHERE nonce = ? AND used_at IS NULL');
  const grantPurge = db.prepare('DELETE FROM datastore_upload_grants WHERE expires_at < ?');

  const presignGet = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
  const presignInsert = db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)');

  return {
    transaction: (fn) => db.transaction(fn)(),

    findDatastore: (id) => {
      const r = dsById.get(id) as DsRow | undefined;
      return r && toDatastore(r);
    },
    listDatastores: (workspaceId, after, limit) =>
      ((after ? dsPage.all(workspaceId, after[0], after[1], limit) : dsFirst.all(workspaceId, limit)) as DsRow[]).map(toDatastore),
    allDatastores: () => (dsAll.all() as DsRow[]).map(toDatastore),
    nameTaken: (workspaceId, name) => dsNamed.get(workspaceId, nameKey(name)) !== undefined,
    insertDatastore: (d) =>
      void dsInsert.run({
        id: d.id,
        workspace_id: d.workspaceId,
        name: d.name,
        name_key: nameKey(d.name),
        description: d.description,
        backend_type: d.backendType,
        backend_config: d.backendConfig,
        sealed_secret: d.sealedSecret,
        created_at: d.createdAt,
        updated_at: d.updatedAt,
      }),
    updateBackendConfig: (id, backendConfig, updatedAt) => void dsConfig.run(backendConfig, updatedAt, id),
    deleteDatastore: (id) => void dsDelete.run(id),
    datastoreStats: (id) => {
      const s = dsStats.get(id) as { n: number; bytes: number };
      return { objectCount: s.n, bytesUsed: s.bytes };
    },
    usage: (workspaceId) =>
      (dsUsage.all(workspaceId) as { id: string; name: string; n: number; bytes: number }[]).map((r) => ({
        id: r.id,
        name: r.name,
        objectCount: r.n,
        bytesUsed: r.bytes,
      })),

    findObject: (datastoreId, key) => {
      const r = objByKey.get(datastoreId, key) as ObjRow | undefined;
      return r && toObject(r);
    },
    listObjectRange: (q) => ((q.exclusive ? objAfter : objFrom).all({ id: q.datastoreId, lower: q.lower, upper: q.upper, limit: q.limit }) as ObjRow[]).map(toObject),
    objectLocators: (datastoreId) => objLocators.all(datastoreId) as string[],
    hasLocator: (datastoreId, locator) => objHasLocator.get(datastoreId, locator) !== undefined,
    upsertObject: (o) =>
      void objUpsert.run({
        datastore_id: o.datastoreId,
        workspace_id: o.workspaceId,
        key: o.key,
        locator: o.locator,
        size: o.size,
        content_type: o.contentType,
        sha256: o.sha256,
        uploaded_by: o.uploadedBy,
        created_at: o.createdAt,
        updated_at: o.updatedAt,
      }),
    deleteObject: (datastoreId, key) => void objDelete.run(datastoreId, key),

    pendingUploads: (datastoreId) => (pendingAll.all(datastoreId) as PendingRow[]).map(toPending),
    upsertPendingUpload: (p) =>
      void pendingUpsert.run({
        datastore_id: p.datastoreId,
        workspace_id: p.workspaceId,
        key: p.key,
        content_type: p.contentType,
        created_by: p.createdBy,
        expires_at: p.expiresAt,
      }),
    deletePendingUpload: (datastoreId, key) => void pendingDelete.run(datastoreId, key),
    claimPendingUpload: (datastoreId, key) => pendingDelete.run(datastoreId, key).changes > 0,

    insertUploadGrant: (g) =>
      void grantInsert.run({
        nonce: g.nonce,
        datastore_id: g.datastoreId,
        workspace_id: g.workspaceId,
        key: g.key,
        issuer_kind: g.issuerKind,
        issuer_id: g.issuerId,
        expires_at: g.expiresAt,
      }),
    findUploadGrant: (nonce) => {
      const r = grantByNonce.get(nonce) as GrantRow | undefined;
      return (
        r && {
          nonce: r.nonce,
          datastoreId: r.datastore_id,
          workspaceId: r.workspace_id,
          key: r.key,
          issuerKind: r.issuer_kind,
          issuerId: r.issuer_id,
          expiresAt: r.expires_at,
          usedAt: r.used_at,
        }
      );
    },
    consumeUploadGrant: (nonce, usedAt) => grantConsume.run(usedAt, nonce).changes > 0,
    purgeUploadGrants: (before) => grantPurge.run(before).changes,

    sealedPresignKey: () => {
      const v = presignGet.get(PRESIGN_SETTING) as string | undefined;
      return v === undefined ? null : Buffer.from(v, 'base64');
    },
    insertSealedPresignKey: (sealed) => void presignInsert.run(PRESIGN_SETTING, sealed.toString('base64')),
  };
}
