import type { Db } from '../db/database';

/**
 * The SQL of resumable uploads (datastore_resumable_uploads, migration 403), apart from datastore-store.ts because
 * only resumable-upload-service.ts uses it. Synchronous (better-sqlite3); with an asynchronous engine every method
 * would return a Promise.
 */

/** Whose upload a record is: the actor that started it. Another actor never sees it. */
export type UploadOwner = { datastoreId: string; actorKind: string; actorId: string; key: string };

export type ResumableUploadRecord = UploadOwner & {
  size: number;
  fingerprint: string;
  uploadId: string;
  s3Key: string;
  partSize: number;
  parts: Array<{ n: number; etag: string; size: number }>;
  expiresAt: string;
};

export interface ResumableUploadStore {
  find(o: UploadOwner): ResumableUploadRecord | undefined;
  /** Inserts the record or replaces the owner's record of that key. */
  save(r: ResumableUploadRecord): void;
  remove(o: UploadOwner): void;
  /** Records that expired before `before`, oldest first, at most `limit`. */
  expired(before: string, limit: number): ResumableUploadRecord[];
}

type Row = {
  datastore_id: string;
  actor_kind: string;
  actor_id: string;
  key: string;
  size: number;
  fingerprint: string;
  upload_id: string;
  s3_key: string;
  part_size: number;
  parts: string;
  expires_at: string;
};

const toRecord = (r: Row): ResumableUploadRecord => ({
  datastoreId: r.datastore_id,
  actorKind: r.actor_kind,
  actorId: r.actor_id,
  key: r.key,
  size: r.size,
  fingerprint: r.fingerprint,
  uploadId: r.upload_id,
  s3Key: r.s3_key,
  partSize: r.part_size,
  parts: JSON.parse(r.parts) as ResumableUploadRecord['parts'],
  expiresAt: r.expires_at,
});

export function createResumableUploadStore(db: Db): ResumableUploadStore {
  const byOwner = db.prepare('SELECT * FROM datastore_resumable_uploads WHERE datastore_id = ? AND actor_kind = ? AND actor_id = ? AND key = ?');
  const upsert = db.prepare(`INSERT INTO datastore_resumable_uploads
      (datastore_id, actor_kind, actor_id, key, size, fingerprint, upload_id, s3_key, part_size, parts, expires_at)
    VALUES (@datastore_id, @actor_kind, @actor_id, @key, @size, @fingerprint, @upload_id, @s3_key, @part_size, @parts, @expires_at)
    ON CONFLICT (datastore_id, actor_kind, actor_id, key) DO UPDATE SET size = excluded.size, fingerprint = excluded.fingerprint,
      upload_id = excluded.upload_id, s3_key = excluded.s3_key, part_size = excluded.part_size, parts = excluded.parts, expires_at = excluded.expires_at`);
  const del = db.prepare('DELETE FROM datastore_resumable_uploads WHERE datastore_id = ? AND actor_kind = ? AND actor_id = ? AND key = ?');
  const old = db.prepare('SELECT * FROM datastore_resumable_uploads WHERE expires_at < ? ORDER BY expires_at LIMIT ?');
  return {
    find: (o) => {
      const r = byOwner.get(o.datastoreId, o.actorKind, o.actorId, o.key) as Row | undefined;
      return r && toRecord(r);
    },
    save: (r) =>
      void upsert.run({
        datastore_id: r.datastoreId,
        actor_kind: r.actorKind,
        actor_id: r.actorId,
        key: r.key,
        size: r.size,
        fingerprint: r.fingerprint,
        upload_id: r.uploadId,
        s3_key: r.s3Key,
        part_size: r.partSize,
        parts: JSON.stringify(r.parts),
        expires_at: r.expiresAt,
      }),
    remove: (o) => void del.run(o.datastoreId, o.actorKind, o.actorId, o.key),
    expired: (before, limit) => (old.all(before, limit) as Row[]).map(toRecord),
  };
}
