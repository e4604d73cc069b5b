import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Actor } from '@shared/domain/actor';
import type {
  BackendInfo,
  Datastore,
  DatastoreCreate,
  DatastoreObject,
  ObjectList,
  ObjectListQuery,
  UploadUrl,
} from '@shared/domain/datastore';
import type { PushPayloads } from '@shared/ipc/channels';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import type { Db } from '../db/database';
import { decodeCursor, encodeCursor } from '../db/cursor';
import type { EventBus } from '../events/event-bus';
import { AppError, conflict, forbidden, invalid, notFound } from '../errors';
import type { Clock, Logger } from '../ports';
import type { VaultPort } from '../vault/vault-port';
import type { ObjectBackend } from './backends/backend-port';
import { openFilesystemBackend } from './backends/filesystem-backend';
import { openLazyS3Backend } from './backends/lazy-s3-backend';
import { createMeter, guessContentType } from './object-meter';

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
type FsConfig = { path: string; managed: boolean };
type S3Config = { endpoint: string | null; region: string; bucket: string; prefix: string; forcePathStyle: boolean; accessKeyId: string };
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

export type PutStreamOptions = {
  contentType?: string;
  signal?: AbortSignal;
  /** Pushes `datastores:uploadProgress` under this id; `cancelUpload(uploadId)` aborts it. */
  uploadId?: string;
  total?: number | null;
  maxBytes?: number;
};

export type DatastoreServiceDeps = {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'assert'>;
  bus: EventBus;
  vault: VaultPort;
  dataDir: string;
  /** Multipart tuning for S3 datastores. */
  s3?: { partSize?: number; queueSize?: number; maxAttempts?: number };
  /** The desktop's save dialog: an absolute path the admin chose, or null if they cancelled. Absent headless. */
  chooseSavePath?: SavePathChooser;
};

export type SavePathChooser = (o: { defaultName: string }) => Promise<string | null>;

const dataKeyAad = (id: string) => `datastore:${id}:data-key`;
const s3SecretAad = (id: string) => `datastore:${id}:secret-access-key`;
const PRESIGN_SETTING = 'datastores.presign_key';
const PRESIGN_AAD = 'settings:datastores.presign-key';
const PREVIEW_BYTES = 256 * 1024;
const STEP_MAX_BYTES = 10 * 1024 * 1024;
const MAX_CHAR = '\u{10FFFF}';

const toObject = (r: ObjRow): DatastoreObject => ({
  key: r.key,
  size: r.size,
  contentType: r.content_type,
  sha256: r.sha256,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  uploadedBy: r.uploaded_by,
});

/** Backend failures as errors that say what to do (and never echo a provider body or credential). */
export function describeBackendError(e: unknown, ds: { name: string; backend_type: string }): AppError {
  if (e instanceof AppError) return e;
  const err = e as { code?: string; name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const where = `datastore "${ds.name}"`;
  if (err.name === 'AbortError' || err.code === 'ABORT_ERR') return new AppError('CONFLICT', 'the upload was cancelled; nothing was stored');
  if (err.code === 'ENOSPC') return new AppError('UNAVAILABLE', `the disk holding ${where} is full; free some space and upload again`);
  if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') {
    return new AppError('UNAVAILABLE', `${where} cannot write to its folder; check the folder's permissions`);
  }
  if (err.code === 'ENOENT' && ds.backend_type === 'filesystem') return new AppError('UNAVAILABLE', `the folder of ${where} is missing; was it moved or unmounted?`);
  const net = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH'];
  if ((err.code && net.includes(err.code)) || err.name === 'TimeoutError' || net.some((c) => err.message?.includes(c))) {
    return new AppError('UNAVAILABLE', `the S3 endpoint of ${where} is unreachable; check the endpoint URL and your network, then use Test`);
  }
  if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden'].includes(err.name ?? '') || err.$metadata?.httpStatusCode === 403) {
    return new AppError('PRECONDITION_FAILED', `S3 refused the credentials of ${where}; check the access key id, secret and bucket policy`);
  }
  if (err.name === 'NoSuchBucket') return new AppError('PRECONDITION_FAILED', `the bucket of ${where} does not exist; create it or fix the bucket name`);
  return new AppError('UNAVAILABLE', `${where} could not complete the operation (${err.name ?? err.code ?? 'error'}); use Test to check the backend`);
}

/**
 * Datastores: object stores per workspace on the filesystem or S3, with object metadata in SQLite.
 * Invariant: an object row exists only for complete bytes. New bytes are written (and made durable) first and
 * the row is inserted or switched second, in one transaction with its audit event; bytes no row points at are
 * removed afterwards or swept at the next start.
 */
export function createDatastoreService(deps: DatastoreServiceDeps) {
  const { db, clock, audit, access, bus, vault } = deps;
  const backends = new Map<string, ObjectBackend>();
  const uploads = new Map<string, { controller: AbortController; actorId: string }>();
  let localApiUrl: string | null = null;

  const dsById = db.prepare('SELECT * FROM datastores WHERE id = ?');
  const objByKey = db.prepare('SELECT * FROM datastore_objects WHERE datastore_id = ? AND key = ?');
  const stats = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM datastore_objects WHERE datastore_id = ?');
  const upsertObj = db.prepare(`INSERT INTO datastore_objects
      (datastore_id, workspace_id, key, locator, size, content_type, sha256, uploaded_by, created_at, updated_at)
      VALUES (@datastore_id, @workspace_id, @key, @locator, @size, @content_type, @sha256, @uploaded_by, @created_at, @updated_at)
      ON CONFLICT (datastore_id, key) DO UPDATE SET locator = excluded.locator, size = excluded.size,
        content_type = excluded.content_type, sha256 = excluded.sha256, uploaded_by = excluded.uploaded_by, updated_at = excluded.updated_at`);

  const deletePending = db.prepare('DELETE FROM datastore_pending_uploads WHERE datastore_id = ? AND key = ?');

  const listFrom = db.prepare('SELECT * FROM datastore_objects WHERE datastore_id = @id AND key >= @lower AND key < @upper ORDER BY key LIMIT @batch');
  const listAfter = db.prepare('SELECT * FROM datastore_objects WHERE datastore_id = @id AND key > @lower AND key < @upper ORDER BY key LIMIT @batch');

  const now = () => clock.now().toISOString();

  function toDatastore(r: DsRow): Datastore {
    const s = stats.get(r.id) as { n: number; bytes: number };
    return {
      id: r.id,
      workspaceId: r.workspace_id,
      name: r.name,
      description: r.description,
      backend: backendInfo(r),
      objectCount: s.n,
      bytesUsed: s.bytes,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  function backendInfo(r: DsRow): BackendInfo {
    if (r.backend_type === 'filesystem') {
      const c = JSON.parse(r.backend_config) as FsConfig;
      return { type: 'filesystem', path: c.path, encrypted: true };
    }
    const c = JSON.parse(r.backend_config) as S3Config;
    return { type: 's3', ...c };
  }

  /** The datastore, if the actor may do `op` in the workspace and the datastore is in it. */
  function load(actor: Actor, workspaceId: string, id: string, op: Parameters<AccessService['assert']>[2]): DsRow {
    access.assert(actor, workspaceId, op);
    const row = dsById.get(id) as DsRow | undefined;
    if (!row) throw notFound('datastore');
    // The docs' troubleshooting: a datastore of another workspace is a 403, not a 404.
    if (row.workspace_id !== workspaceId) throw forbidden('this datastore belongs to another workspace; check the datastore id and x-workspace-id');
    return row;
  }

  function backendFor(r: DsRow): ObjectBackend {
    const cached = backends.get(r.id);
    if (cached) return cached;
    let b: ObjectBackend;
    if (r.backend_type === 'filesystem') {
      const c = JSON.parse(r.backend_config) as FsConfig;
      b = openFilesystemBackend({ root: c.path, dataKey: vault.open(r.sealed_secret!, dataKeyAad(r.id)) });
    } else {
      const c = JSON.parse(r.backend_config) as S3Config;
      b = openLazyS3Backend({
        ...c,
        secretAccessKey: vault.open(r.sealed_secret!, s3SecretAad(r.id)).toString('utf8'),
        partSize: deps.s3?.partSize,
        queueSize: deps.s3?.queueSize,
        maxAttempts: deps.s3?.maxAttempts,
      });
    }
    backends.set(r.id, b);
    return b;
  }

  function emitChanged(r: DsRow) {
    bus.emit('datastores:changed', { workspaceId: r.workspace_id, datastoreId: r.id });
  }

  /**
   * Crash recovery, run at start before any upload: temp files and object files no row points at are removed
   * from every filesystem datastore (neither needs the vault: nothing is decrypted).
   */
  function recover(): { temp: number; orphans: number } {
    let temp = 0;
    let orphans = 0;
    const rows = db.prepare("SELECT * FROM datastores WHERE backend_type = 'filesystem'").all() as DsRow[];
    const locs = db.prepare('SELECT 1 FROM datastore_objects WHERE datastore_id = ? AND locator = ?');
    for (const r of rows) {
      const root = (JSON.parse(r.backend_config) as FsConfig).path;
      const tmp = path.join(root, '.tmp');
      const obj = path.join(root, 'objects');
      for (const name of safeReaddir(tmp)) {
        fs.rmSync(path.join(tmp, name), { force: true, recursive: true });
        temp += 1;
      }
      for (const shard of safeReaddir(obj)) {
        for (const name of safeReaddir(path.join(obj, shard))) {
          if (locs.get(r.id, name)) continue;
          fs.rmSync(path.join(obj, shard, name), { force: true, recursive: true });
          orphans += 1;
        }
      }
    }
    if (temp + orphans > 0) deps.logger.log('info', 'datastores: swept crash leftovers', { temp, orphans });
    return { temp, orphans };
  }

  function create(actor: Actor, input: DatastoreCreate): Datastore {
    access.assert(actor, input.workspaceId, 'datastore.create');
    const id = randomUUID();
    const backend = input.backend ?? { type: 'filesystem' as const };
    let config: FsConfig | S3Config;
    let sealed: Buffer;
    if (backend.type === 'filesystem') {
      const managed = backend.path === undefined;
      const root = managed ? path.join(deps.dataDir, 'datastores', id) : backend.path!;
      if (!path.isAbsolute(root)) throw invalid('backend.path must be an absolute folder path', 'backend.path');
      if (!managed && fs.existsSync(root) && fs.readdirSync(root).some((n) => n !== '.tmp' && n !== 'objects')) {
        throw invalid('backend.path must be an empty folder (or one not yet created): the datastore keeps its own layout there', 'backend.path');
      }
      config = { path: path.resolve(root), managed };
      sealed = vault.seal(randomBytes(32), dataKeyAad(id));
    } else {
      const { secretAccessKey, type: _t, ...rest } = backend;
      config = {
        endpoint: rest.endpoint ?? null,
        region: rest.region,
        bucket: rest.bucket,
        prefix: rest.prefix ?? '',
        forcePathStyle: rest.forcePathStyle ?? false,
        accessKeyId: rest.accessKeyId,
      };
      sealed = vault.seal(Buffer.from(secretAccessKey, 'utf8'), s3SecretAad(id));
    }
    const t = now();
    const row: DsRow = {
      id,
      workspace_id: input.workspaceId,
      name: input.name,
      description: input.description || null,
      backend_type: backend.type,
      backend_config: JSON.stringify(config),
      sealed_secret: sealed,
      created_at: t,
      updated_at: t,
    };
    db.transaction(() => {
      const dup = db.prepare('SELECT 1 FROM datastores WHERE workspace_id = ? AND name = ? COLLATE NOCASE').get(input.workspaceId, input.name);
      if (dup) throw conflict(`a datastore named "${input.name}" already exists in this workspace`, 'name');
      db.prepare(`INSERT INTO datastores (id, workspace_id, name, description, backend_type, backend_config, sealed_secret, created_at, updated_at)
        VALUES (@id, @workspace_id, @name, @description, @backend_type, @backend_config, @sealed_secret, @created_at, @updated_at)`).run(row);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'datastore.created',
        actor,
        target: { type: 'datastore', id, name: input.name },
        details: { backend: backend.type },
      });
    })();
    if (backend.type === 'filesystem') {
      try {
        backendFor(row);
      } catch (e) {
        db.prepare('DELETE FROM datastores WHERE id = ?').run(id);
        throw describeBackendError(e, row);
      }
    }
    emitChanged(row);
    return toDatastore(row);
  }

  function list(actor: Actor, q: { workspaceId: string; limit?: number; cursor?: string }) {
    access.assert(actor, q.workspaceId, 'datastore.list');
    const limit = q.limit ?? 100;
    const after = q.cursor === undefined ? '' : String(decodeCursor(q.cursor));
    const rows = db
      .prepare("SELECT * FROM datastores WHERE workspace_id = ? AND (created_at || '|' || id) > ? ORDER BY created_at, id LIMIT ?")
      .all(q.workspaceId, after, limit + 1) as DsRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toDatastore), nextCursor: rows.length > limit && last ? encodeCursor(`${last.created_at}|${last.id}`) : null };
  }

  function get(actor: Actor, workspaceId: string, id: string): Datastore {
    return toDatastore(load(actor, workspaceId, id, 'datastore.list'));
  }

  async function remove(actor: Actor, workspaceId: string, id: string, force = false) {
    const r = load(actor, workspaceId, id, 'datastore.delete');
    const objects = db.prepare('SELECT locator FROM datastore_objects WHERE datastore_id = ?').all(id) as { locator: string }[];
    if (objects.length > 0 && !force) {
      throw conflict(`datastore "${r.name}" still holds ${objects.length} object(s); delete them first, or delete with force to remove them too`);
    }
    const backend = objects.length > 0 ? backendFor(r) : backends.get(id);
    db.transaction(() => {
      db.prepare('DELETE FROM datastores WHERE id = ?').run(id);
      audit.record({
        workspaceId,
        action: 'datastore.deleted',
        actor,
        target: { type: 'datastore', id, name: r.name },
        details: { objectsDeleted: objects.length, forced: force },
      });
    })();
    // The rows are gone, so the bytes are unreachable; removing them is cleanup (a crash here is swept later).
    for (const o of objects) await backend?.remove(o.locator).catch(() => undefined);
    backend?.close();
    backends.delete(id);
    if (r.backend_type === 'filesystem') {
      const c = JSON.parse(r.backend_config) as FsConfig;
      const targets = c.managed ? [c.path] : [path.join(c.path, '.tmp'), path.join(c.path, 'objects')];
      for (const t of targets) fs.rmSync(t, { recursive: true, force: true });
    }
    emitChanged(r);
    return { deleted: true as const, objectsDeleted: objects.length };
  }

  async function test(actor: Actor, workspaceId: string, id: string) {
    const r = load(actor, workspaceId, id, 'datastore.object_write');
    const t0 = performance.now();
    try {
      await backendFor(r).test();
      return { ok: true, message: 'the backend is reachable and writable', latencyMs: Math.round(performance.now() - t0) };
    } catch (e) {
      return { ok: false, message: describeBackendError(e, r).message, latencyMs: Math.round(performance.now() - t0) };
    }
  }

  function usage(actor: Actor, workspaceId: string) {
    access.assert(actor, workspaceId, 'datastore.list');
    const rows = db
      .prepare(`SELECT d.id, d.name, COUNT(o.key) AS n, COALESCE(SUM(o.size), 0) AS bytes FROM datastores d
        LEFT JOIN datastore_objects o ON o.datastore_id = d.id WHERE d.workspace_id = ? GROUP BY d.id ORDER BY d.created_at, d.id`)
      .all(workspaceId) as { id: string; name: string; n: number; bytes: number }[];
    return {
      workspaceId,
      bytesUsed: rows.reduce((s, x) => s + x.bytes, 0),
      objectCount: rows.reduce((s, x) => s + x.n, 0),
      datastores: rows.map((x) => ({ id: x.id, name: x.name, bytesUsed: x.bytes, objectCount: x.n })),
    };
  }

  // ---- objects ----

  async function syncPending(r: DsRow): Promise<void> {
    if (r.backend_type !== 's3') return;
    const pending = db.prepare('SELECT * FROM datastore_pending_uploads WHERE datastore_id = ?').all(r.id) as Array<{
      key: string;
      content_type: string;
      created_by: string;
      expires_at: string;
    }>;
    if (pending.length === 0) return;
    const backend = backendFor(r);
    for (const p of pending) {
      const found = await backend.head!(p.key).catch(() => null);
      if (!found) {
        if (p.expires_at < now()) db.prepare('DELETE FROM datastore_pending_uploads WHERE datastore_id = ? AND key = ?').run(r.id, p.key);
        continue;
      }
      // Written behind the app's back: hash it once so the row carries a SHA-256 like every other object.
      const meter = createMeter({});
      await pipeline(await backend.get(backend.locatorFor!(p.key)), meter.stream, devNull());
      const t = now();
      db.transaction(() => {
        const existing = objByKey.get(r.id, p.key) as ObjRow | undefined;
        upsertObj.run({
          datastore_id: r.id,
          workspace_id: r.workspace_id,
          key: p.key,
          locator: backend.locatorFor!(p.key),
          size: meter.bytes(),
          content_type: found.contentType ?? p.content_type,
          sha256: meter.sha256(),
          uploaded_by: p.created_by,
          created_at: existing?.created_at ?? t,
          updated_at: t,
        });
        db.prepare('DELETE FROM datastore_pending_uploads WHERE datastore_id = ? AND key = ?').run(r.id, p.key);
        audit.record({
          workspaceId: r.workspace_id,
          action: 'datastore.object_uploaded',
          actor: { kind: 'system', id: 'system', name: 'ProvenanceOne', origin: 'presigned-url' },
          target: { type: 'datastore', id: r.id, name: r.name },
          details: { objectKey: p.key, size: meter.bytes(), sha256: meter.sha256(), via: 'presigned-url', uploadedBy: p.created_by },
        });
      })();
    }
  }

  async function listObjects(actor: Actor, q: ObjectListQuery): Promise<ObjectList> {
    const r = load(actor, q.workspaceId, q.datastoreId, 'datastore.object_read');
    await syncPending(r);
    const limit = q.limit ?? 100;
    const prefix = q.prefix ?? '';
    const delimiter = q.delimiter;
    let after: string | null = q.cursor === undefined ? null : String(decodeCursor(q.cursor));
    const items: DatastoreObject[] = [];
    const prefixes: string[] = [];
    const maxBatch = Math.min(limit + 1, 1000);
    // After skipping a folder the next row is often another folder: fetch one row, and grow while rows are objects.
    let batch = maxBatch;
    // Keys sort by their UTF-8 bytes (SQLite BINARY), like S3. Every key in [prefix, prefix+U+10FFFF) starts with prefix.
    for (;;) {
      // Two statements, not one with CASE: a plain range on the primary key is what lets SQLite seek.
      const rows = (after === null ? listFrom.all({ id: r.id, lower: prefix, upper: prefix + MAX_CHAR, batch }) : listAfter.all({ id: r.id, lower: after, upper: prefix + MAX_CHAR, batch })) as ObjRow[];
      if (rows.length === 0) return { items, prefixes, nextCursor: null };
      let jumped = false;
      for (const row of rows) {
        if (items.length + prefixes.length >= limit) return { items, prefixes, nextCursor: encodeCursor(after ?? prefix) };
        const idx = delimiter ? row.key.indexOf(delimiter, prefix.length) : -1;
        if (delimiter && idx >= 0) {
          const group = row.key.slice(0, idx + delimiter.length);
          prefixes.push(group);
          // Skip the rest of this folder in one seek.
          after = group + MAX_CHAR;
          jumped = true;
          batch = 1;
          break;
        }
        items.push(toObject(row));
        after = row.key;
      }
      if (!jumped && rows.length < batch) return { items, prefixes, nextCursor: null };
      if (!jumped) batch = Math.min(batch * 4, maxBatch);
    }
  }

  async function head(actor: Actor, workspaceId: string, datastoreId: string, key: string): Promise<DatastoreObject> {
    const r = load(actor, workspaceId, datastoreId, 'datastore.object_read');
    let o = objByKey.get(r.id, key) as ObjRow | undefined;
    if (!o) {
      await syncPending(r);
      o = objByKey.get(r.id, key) as ObjRow | undefined;
    }
    if (!o) throw notFound(`object "${key.slice(0, 200)}" (keys must match exactly, including separators)`);
    return toObject(o);
  }

  /** The object's bytes as a stream (decrypted for the filesystem backend). */
  async function read(actor: Actor, workspaceId: string, datastoreId: string, key: string): Promise<{ object: DatastoreObject; stream: Readable }> {
    const object = await head(actor, workspaceId, datastoreId, key);
    const r = dsById.get(datastoreId) as DsRow;
    const row = objByKey.get(datastoreId, key) as ObjRow;
    try {
      return { object, stream: await backendFor(r).get(row.locator) };
    } catch (e) {
      throw describeBackendError(e, r);
    }
  }

  async function readBuffer(actor: Actor, workspaceId: string, datastoreId: string, key: string, max: number) {
    const { object, stream } = await read(actor, workspaceId, datastoreId, key);
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of stream) {
      const b = c as Buffer;
      chunks.push(b);
      n += b.length;
      if (n >= max) {
        stream.destroy();
        break;
      }
    }
    const all = Buffer.concat(chunks);
    return { object, data: all.subarray(0, max), truncated: object.size > max };
  }

  async function preview(actor: Actor, workspaceId: string, datastoreId: string, key: string) {
    const { object, data, truncated } = await readBuffer(actor, workspaceId, datastoreId, key, PREVIEW_BYTES);
    return { object, base64: data.toString('base64'), truncated };
  }

  function progress(p: Omit<PushPayloads['datastores:uploadProgress'], 'state'> & { state?: PushPayloads['datastores:uploadProgress']['state'] }) {
    bus.emit('datastores:uploadProgress', { state: 'running', ...p });
  }

  /**
   * Streams `body` into the datastore as `key`. Bytes pass through a meter (size, SHA-256, size limit) into the
   * backend; only when the backend has them complete is the row written, with its audit event.
   */
  async function putStream(actor: Actor, workspaceId: string, datastoreId: string, key: string, body: Readable, o: PutStreamOptions = {}) {
    const r = load(actor, workspaceId, datastoreId, 'datastore.object_write');
    const backend = (() => {
      try {
        return backendFor(r);
      } catch (e) {
        throw describeBackendError(e, r);
      }
    })();
    const contentType = o.contentType ?? guessContentType(key);
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort();
    if (o.signal?.aborted) controller.abort();
    o.signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (o.uploadId) {
      if (uploads.has(o.uploadId)) throw conflict('an upload with this uploadId is already running', 'uploadId');
      uploads.set(o.uploadId, { controller, actorId: actor.id });
    }
    const base = { uploadId: o.uploadId ?? '', workspaceId, datastoreId, key, total: o.total ?? null };
    let lastPush = 0;
    const meter = createMeter({
      maxBytes: o.maxBytes,
      onProgress: (bytes) => {
        const t = Date.now();
        if (o.uploadId && t - lastPush >= 200) {
          lastPush = t;
          progress({ ...base, bytes });
        }
      },
    });
    try {
      let locator: string;
      try {
        // The body goes to the backend as it is (a dropped file's stream lets it read the file directly); the
        // meter sees every byte on the way, and its size limit fails the put.
        ({ locator } = await backend.put(key, body, { contentType, signal: controller.signal, onData: meter.observe, sha256: meter.sha256 }));
      } catch (e) {
        const cause = body.errored ?? e;
        throw describeBackendError(controller.signal.aborted ? Object.assign(new Error('cancelled'), { name: 'AbortError' }) : cause, r);
      }
      const t = now();
      let previous: string | null = null;
      const object = db.transaction(() => {
        if (!dsById.get(r.id)) throw notFound('datastore');
        const existing = objByKey.get(r.id, key) as ObjRow | undefined;
        previous = existing && existing.locator !== locator ? existing.locator : null;
        const row: ObjRow = {
          datastore_id: r.id,
          workspace_id: r.workspace_id,
          key,
          locator,
          size: meter.bytes(),
          content_type: contentType,
          sha256: meter.sha256(),
          uploaded_by: actor.name,
          created_at: existing?.created_at ?? t,
          updated_at: t,
        };
        upsertObj.run(row);
        deletePending.run(r.id, key);
        audit.record({
          workspaceId,
          action: 'datastore.object_uploaded',
          actor,
          target: { type: 'datastore', id: r.id, name: r.name },
          details: { objectKey: key, size: row.size, sha256: row.sha256, contentType, replaced: existing !== undefined },
        });
        return toObject(row);
      })();
      if (previous) await backend.remove(previous).catch(() => undefined);
      if (o.uploadId) progress({ ...base, bytes: object.size, state: 'done' });
      emitChanged(r);
      return object;
    } catch (e) {
      const err = e instanceof AppError ? e : describeBackendError(e, r);
      if (o.uploadId) progress({ ...base, bytes: meter.bytes(), state: controller.signal.aborted ? 'cancelled' : 'failed', error: err.message });
      throw err;
    } finally {
      o.signal?.removeEventListener('abort', onOuterAbort);
      if (o.uploadId) uploads.delete(o.uploadId);
    }
  }

  /** Dropped files in the Electron shell: the core streams straight from the file's path. */
  async function uploadFromPath(actor: Actor, input: { workspaceId: string; datastoreId: string; key: string; path: string; contentType?: string; uploadId?: string }) {
    access.assert(actor, input.workspaceId, 'datastore.object_write');
    if (!path.isAbsolute(input.path)) throw invalid('path must be an absolute file path', 'path');
    const st = fs.statSync(input.path, { throwIfNoEntry: false });
    if (!st?.isFile()) throw invalid('path must name an existing regular file', 'path');
    const stream = fs.createReadStream(input.path, { highWaterMark: 1024 * 1024 });
    return putStream(actor, input.workspaceId, input.datastoreId, input.key, stream, {
      contentType: input.contentType,
      uploadId: input.uploadId,
      total: st.size,
    });
  }

  function cancelUpload(actor: Actor, uploadId: string): { cancelled: boolean } {
    const u = uploads.get(uploadId);
    if (!u || u.actorId !== actor.id) return { cancelled: false };
    u.controller.abort();
    return { cancelled: true };
  }

  async function putText(actor: Actor, input: { workspaceId: string; datastoreId: string; key: string; content: string; contentType?: string }) {
    return putStream(actor, input.workspaceId, input.datastoreId, input.key, Readable.from([Buffer.from(input.content, 'utf8')]), {
      contentType: input.contentType ?? guessContentType(input.key),
    });
  }

  async function deleteObject(actor: Actor, workspaceId: string, datastoreId: string, key: string) {
    const r = load(actor, workspaceId, datastoreId, 'datastore.object_write');
    const o = db.transaction(() => {
      const row = objByKey.get(r.id, key) as ObjRow | undefined;
      if (!row) throw notFound(`object "${key.slice(0, 200)}" (keys must match exactly, including separators)`);
      db.prepare('DELETE FROM datastore_objects WHERE datastore_id = ? AND key = ?').run(r.id, key);
      audit.record({
        workspaceId,
        action: 'datastore.object_deleted',
        actor,
        target: { type: 'datastore', id: r.id, name: r.name },
        details: { objectKey: key, size: row.size, sha256: row.sha256 },
      });
      return row;
    })();
    try {
      await backendFor(r).remove(o.locator);
    } catch (e) {
      // The row is gone, so the object is; leftover bytes are swept (filesystem) or logged for the admin (S3).
      deps.logger.log('warn', 'datastores: could not remove object bytes', { datastoreId: r.id, error: describeBackendError(e, r).message });
    }
    emitChanged(r);
    return { deleted: true as const };
  }

  // ---- pre-signed upload URLs ----

  function presignKey(): Buffer {
    const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(PRESIGN_SETTING) as { value: string } | undefined;
    if (row) return vault.open(Buffer.from(row.value, 'base64'), PRESIGN_AAD);
    const k = randomBytes(32);
    db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(PRESIGN_SETTING, vault.seal(k, PRESIGN_AAD).toString('base64'));
    return presignKey();
  }

  type Grant = { d: string; k: string; c: string; e: number; m: number | null; u: string };
  const sign = (payload: string) => createHmac('sha256', presignKey()).update(`p1-upload-v1\n${payload}`).digest();

  async function createUploadUrl(
    actor: Actor,
    input: { workspaceId: string; datastoreId: string; key: string; contentType: string; expiresIn?: number; maxBytes?: number },
  ): Promise<UploadUrl> {
    const r = load(actor, input.workspaceId, input.datastoreId, 'datastore.object_write');
    const expiresIn = input.expiresIn ?? 900;
    const expiresAt = new Date(clock.now().getTime() + expiresIn * 1000);
    let result: UploadUrl;
    if (r.backend_type === 's3') {
      if (input.maxBytes !== undefined) throw invalid('maxBytes is only supported by filesystem datastores', 'maxBytes');
      let signed;
      try {
        signed = await backendFor(r).presignPut!(input.key, input.contentType, expiresIn);
      } catch (e) {
        throw describeBackendError(e, r);
      }
      result = { url: signed.url, method: 'PUT', headers: signed.headers, expiresAt: expiresAt.toISOString() };
    } else {
      if (!localApiUrl) throw new AppError('UNAVAILABLE', 'upload URLs for filesystem datastores are served by the local API server, which is not running; start the console with npm run serve');
      const grant: Grant = { d: r.id, k: input.key, c: input.contentType, e: Math.floor(expiresAt.getTime() / 1000), m: input.maxBytes ?? null, u: actor.name };
      const payload = Buffer.from(JSON.stringify(grant)).toString('base64url');
      const token = `${payload}.${sign(payload).toString('base64url')}`;
      result = { url: `${localApiUrl}/datastores/${r.id}/upload/${token}`, method: 'PUT', headers: { 'content-type': input.contentType }, expiresAt: expiresAt.toISOString() };
    }
    db.transaction(() => {
      if (r.backend_type === 's3') {
        db.prepare(`INSERT INTO datastore_pending_uploads (datastore_id, workspace_id, key, content_type, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (datastore_id, key) DO UPDATE SET content_type = excluded.content_type, created_by = excluded.created_by, expires_at = excluded.expires_at`)
          .run(r.id, r.workspace_id, input.key, input.contentType, actor.name, expiresAt.toISOString());
      }
      audit.record({
        workspaceId: input.workspaceId,
        action: 'datastore.upload_url_created',
        actor,
        target: { type: 'datastore', id: r.id, name: r.name },
        details: { objectKey: input.key, contentType: input.contentType, expiresAt: expiresAt.toISOString(), maxBytes: input.maxBytes ?? null },
      });
    })();
    return result;
  }

  /**
   * A PUT on a filesystem upload URL. The token carries what was granted (datastore, key, content type, expiry,
   * size limit) and its HMAC; anything altered, expired, aimed at another datastore or sent with another content
   * type is a 403 before a byte is stored.
   */
  async function putWithUploadToken(datastoreId: string, token: string, contentType: string | undefined, body: Readable) {
    const denied = () => new AppError('FORBIDDEN', 'this upload URL is invalid or has expired; ask for a new one with POST /datastores/{id}/upload-url');
    const [payload, sig, extra] = token.split('.');
    if (!payload || !sig || extra !== undefined) throw denied();
    const expected = sign(payload);
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw denied();
    let grant: Grant;
    try {
      grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Grant;
    } catch {
      throw denied();
    }
    if (grant.d !== datastoreId || grant.e * 1000 < clock.now().getTime()) throw denied();
    if ((contentType ?? '') !== grant.c) throw new AppError('FORBIDDEN', `this upload URL was signed for Content-Type ${grant.c}; send exactly that header`);
    const r = dsById.get(datastoreId) as DsRow | undefined;
    if (!r) throw denied();
    const actor: Actor = { kind: 'system', id: 'upload-url', name: grant.u, origin: 'presigned-url' };
    // The URL is the grant: its creator held datastore.object_write when it was signed.
    return putStream(
      { ...actor },
      r.workspace_id,
      r.id,
      grant.k,
      body,
      { contentType: grant.c, maxBytes: grant.m ?? undefined },
    );
  }

  // ---- storage step ----

  async function runStorageStep(
    actor: Actor,
    step: { action: 'get' | 'put'; workspaceId: string; datastoreId: string; key: string; content?: string; contentType?: string },
  ) {
    if (step.action === 'put') {
      if (step.content === undefined) throw invalid('content is required for a put step', 'content');
      const o = await putText(actor, { ...step, content: step.content });
      return { contentType: o.contentType, size: o.size, sha256: o.sha256 };
    }
    const { object, data, truncated } = await readBuffer(actor, step.workspaceId, step.datastoreId, step.key, STEP_MAX_BYTES);
    if (truncated) throw invalid(`object is larger than ${STEP_MAX_BYTES} bytes, too large to pass to the next step as context.fileContent`, 'key');
    return { fileContent: data.toString('utf8'), contentType: object.contentType, size: object.size, sha256: object.sha256 };
  }

  /**
   * "Save as…" in the desktop app: the admin picks a file with the OS dialog and the core streams the object there
   * (decrypted), through a temp file beside it that is renamed into place, so a failed or cancelled save never
   * leaves a half-written file under the chosen name. The console downloads through the browser instead.
   */
  async function saveAs(actor: Actor, workspaceId: string, datastoreId: string, key: string) {
    const object = await head(actor, workspaceId, datastoreId, key);
    if (!deps.chooseSavePath) {
      throw new AppError('PRECONDITION_FAILED', 'Save as is part of the desktop app; in the console use Download, which saves through the browser');
    }
    const target = await deps.chooseSavePath({ defaultName: key.split('/').pop() || 'object' });
    if (target === null) return { saved: false, path: null, size: object.size };
    if (!path.isAbsolute(target)) throw invalid('the save path must be absolute', 'path');
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.part`);
    const { stream } = await read(actor, workspaceId, datastoreId, key);
    try {
      await pipeline(stream, fs.createWriteStream(tmp, { flags: 'wx', flush: true }));
      fs.renameSync(tmp, target);
    } catch (e) {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // The folder itself is unusable (not a folder, gone): there is no temp file in it to remove.
      }
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'ENOENT' || code === 'EISDIR') throw new AppError('FORBIDDEN', `cannot write to ${path.dirname(target)}; choose a folder you can write to`);
      if (code === 'ENOSPC') throw new AppError('UNAVAILABLE', `the disk holding ${path.dirname(target)} is full; free some space or choose another place`);
      throw e;
    }
    return { saved: true, path: target, size: object.size };
  }

  return {
    recover,
    saveAs,
    create,
    list,
    get,
    remove,
    test,
    usage,
    listObjects,
    head,
    read,
    preview,
    putStream,
    putText,
    uploadFromPath,
    cancelUpload,
    deleteObject,
    createUploadUrl,
    putWithUploadToken,
    runStorageStep,
    setLocalApiUrl: (url: string | null) => void (localApiUrl = url),
    close() {
      for (const u of uploads.values()) u.controller.abort();
      for (const b of backends.values()) b.close();
      backends.clear();
    },
  };
}
export type DatastoreService = ReturnType<typeof createDatastoreService>;

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function devNull(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}
