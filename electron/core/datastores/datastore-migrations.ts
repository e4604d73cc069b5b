import type { Migration } from '../db/database';
import { addNameKeyColumn } from '../db/name-key-backfill';

/**
 * Datastores (400–499). An object row exists only once its bytes are complete in the backend: `locator` names
 * where they are (a random file name for the filesystem backend, the S3 key for S3), so replacing an object
 * writes new bytes first and switches the row second.
 */
export const datastoresMigration: Migration = {
  version: 400,
  name: 'datastores: stores, objects, pending upload URLs',
  up: (db) => {
    db.exec(`
      CREATE TABLE datastores (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT,
        backend_type TEXT NOT NULL CHECK (backend_type IN ('filesystem','s3')),
        -- non-secret backend settings as JSON (path, endpoint, region, bucket, prefix, forcePathStyle, accessKeyId)
        backend_config TEXT NOT NULL,
        -- vault-sealed: the filesystem backend's data key, or the S3 secret access key
        sealed_secret BLOB,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX datastores_ws_name ON datastores (workspace_id, name COLLATE NOCASE);

      CREATE TABLE datastore_objects (
        datastore_id TEXT NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL,
        key TEXT NOT NULL,
        locator TEXT NOT NULL,
        size INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        uploaded_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (datastore_id, key)
      ) WITHOUT ROWID;
      CREATE INDEX datastore_objects_ws ON datastore_objects (workspace_id);

      -- S3 pre-signed PUTs bypass the app; the row is created when the object is first seen.
      CREATE TABLE datastore_pending_uploads (
        datastore_id TEXT NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL,
        key TEXT NOT NULL,
        content_type TEXT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (datastore_id, key)
      );
    `);
  },
};

/**
 * Datastore names are unique per workspace by nameKey (NFKC + full case folding) instead of ASCII-only NOCASE, like
 * workspaces (4), secrets (251) and connections (302). The NOCASE index stays; list order is unchanged.
 */
export const datastoreNameKeyMigration: Migration = {
  version: 401,
  name: 'datastores: names unique in all of Unicode, ignoring case',
  up: (db, log) => addNameKeyColumn(db, { table: 'datastores', scope: 'workspace_id', order: 'created_at, rowid', index: 'datastores_ws_name_key' }, log),
};

/**
 * Filesystem upload URLs are single-use and answer to their issuer: each URL's nonce is a row here from when it is
 * issued; the PUT that stores the object sets `used_at` in the transaction that writes the object's row, so a second
 * PUT finds it used. The issuer (kind + id: an API key, a user, the local admin) is checked again at use. Rows past
 * `expires_at` are purged when URLs are issued (an expired URL is refused by its signed expiry anyway).
 */
export const datastoreUploadGrantsMigration: Migration = {
  version: 402,
  name: 'datastores: single-use upload URL grants',
  up: (db) => {
    db.exec(`
      CREATE TABLE datastore_upload_grants (
        nonce TEXT PRIMARY KEY,
        datastore_id TEXT NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL,
        key TEXT NOT NULL,
        issuer_kind TEXT NOT NULL,
        issuer_id TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
      ) WITHOUT ROWID;
      CREATE INDEX datastore_upload_grants_expiry ON datastore_upload_grants (expires_at);
      CREATE INDEX datastore_upload_grants_ds ON datastore_upload_grants (datastore_id);
    `);
  },
};

/**
 * Resumable S3 uploads over REST (the CLI's `cp`): one row per interrupted multipart upload, private to the actor
 * that started it (kind + id), keyed by datastore, actor and object key, and bound to what the client said the body
 * is (its size and an opaque fingerprint; never content). It names the S3 upload and the parts S3 acknowledged;
 * past `expires_at` the row is dropped and its upload aborted (resumable-upload-service.ts).
 */
export const datastoreResumableUploadsMigration: Migration = {
  version: 403,
  name: 'datastores: resumable multipart uploads',
  up: (db) => {
    db.exec(`
      CREATE TABLE datastore_resumable_uploads (
        datastore_id TEXT NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
        actor_kind TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        key TEXT NOT NULL,
        size INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        upload_id TEXT NOT NULL,
        s3_key TEXT NOT NULL,
        part_size INTEGER NOT NULL,
        -- [{n, etag, size}] of the parts S3 acknowledged
        parts TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (datastore_id, actor_kind, actor_id, key)
      ) WITHOUT ROWID;
      CREATE INDEX datastore_resumable_uploads_expiry ON datastore_resumable_uploads (expires_at);
    `);
  },
};
