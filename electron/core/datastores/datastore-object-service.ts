import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import type { DatastoreObject, ObjectList, ObjectListQuery } from '@shared/domain/datastore';
import type { PushPayloads } from '@shared/ipc/channels';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import { INVALID_CURSOR, pageCursor } from '../db/cursor';
import type { EventBus } from '../events/event-bus';
import { AppError, conflict, invalid, notFound } from '../errors';
import type { Clock, Logger } from '../ports';
import type { BodySource, MultipartResume, ObjectBackend } from './backends/backend-port';
import { boundedFs } from './backends/bounded-fs';
import { describeBackendError } from './backend-errors';
import type { BackendRegistry } from './backend-registry';
import type { DatastoreGuard } from './datastore-guard';
import type { DatastoreStore, StoredDatastore, StoredObject } from './datastore-store';
import { createMeter, guessContentType } from './object-meter';

export type PutStreamOptions = {
  contentType?: string;
  signal?: AbortSignal;
  /** Pushes `datastores:uploadProgress` under this id; `cancelUpload(uploadId)` aborts it. */
  uploadId?: string;
  total?: number | null;
  maxBytes?: number;
  /**
   * Runs inside the transaction that writes the object's row, before it (a signed upload URL consumes its nonce
   * here); throwing rolls the row back, and the new bytes are removed.
   */
  claim?: () => void;
  /** S3 multipart: keep an interrupted upload to take up again (backend-port.ts MultipartResume). */
  resume?: MultipartResume;
  /**
   * The object's whole size as the client announced it (a resumable upload): a body that would make the object any
   * other size fails, and nothing is stored.
   */
  expectedSize?: number;
};

export type DatastoreObjectDeps = {
  store: Pick<DatastoreStore, 'transaction' | 'findDatastore' | 'findObject' | 'listObjectRange' | 'upsertObject' | 'deleteObject' | 'deletePendingUpload'>;
  guard: DatastoreGuard;
  access: Pick<AccessService, 'assert'>;
  backends: Pick<BackendRegistry, 'backendFor'>;
  /** Rows for objects written behind the app's back (S3 pre-signed PUTs), brought in before a listing or lookup. */
  syncPending: (d: StoredDatastore) => Promise<void>;
  audit: Pick<AuditService, 'record'>;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
};

/**
 * The object list's cursor: [datastore id, the key (or folder bound) the next page starts after]. Bound to the
 * workspace by pageCursor and to the datastore here, so a cursor of another list, workspace or datastore is a 400.
 */
const cursor = pageCursor('datastoreObjects', z.tuple([z.string().min(1).max(100), z.string().max(2100)]));

const PREVIEW_BYTES = 256 * 1024;
const MAX_CHAR = '\u{10FFFF}';
const PROGRESS_EVERY_MS = 200;

export const toDatastoreObject = (o: StoredObject): DatastoreObject => ({
  key: o.key,
  size: o.size,
  contentType: o.contentType,
  sha256: o.sha256,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
  uploadedBy: o.uploadedBy,
});

const missing = (key: string) => notFound(`object "${key.slice(0, 200)}" (keys must match exactly, including separators)`);

/** Up to `max` bytes from the start of `stream` (then it is destroyed); fewer if it ends first. */
export async function readPrefix(stream: Readable, max: number): Promise<Buffer> {
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
  return Buffer.concat(chunks).subarray(0, max);
}

/**
 * The objects of a datastore: listing, reading, streaming uploads (with progress and cancel) and deletes.
 * Invariant: an object row exists only for complete bytes. New bytes are written (and made durable) first and the
 * row is inserted or switched second, in one transaction with its audit event; bytes no row points at are removed
 * afterwards, or swept by the backend's recovery at the next start. Every method checks the POLICY table first.
 */
export function createDatastoreObjectService(deps: DatastoreObjectDeps) {
  const { store, guard, access, backends, audit, bus, clock } = deps;
  const uploads = new Map<string, { controller: AbortController; actorId: string }>();

  const changed = (d: StoredDatastore) => bus.emit('datastores:changed', { workspaceId: d.workspaceId, datastoreId: d.id });

  function progress(p: Omit<PushPayloads['datastores:uploadProgress'], 'state'> & { state?: PushPayloads['datastores:uploadProgress']['state'] }) {
    bus.emit('datastores:uploadProgress', { state: 'running', ...p });
  }

  async function openBackend(d: StoredDatastore): Promise<ObjectBackend> {
    try {
      return await backends.backendFor(d);
    } catch (e) {
      throw describeBackendError(e, d);
    }
  }

  /** Brings in objects uploaded behind the app's back; a backend failure says what to do (503, 507…), never a 500. */
  async function sync(d: StoredDatastore): Promise<void> {
    try {
      await deps.syncPending(d);
    } catch (e) {
      throw describeBackendError(e, d);
    }
  }

  /** The object's row, if the actor may read the datastore; objects uploaded behind the app's back are synced first. */
  async function loadObject(actor: Actor, workspaceId: string, datastoreId: string, key: string): Promise<{ d: StoredDatastore; o: StoredObject }> {
    const d = guard.load(actor, workspaceId, datastoreId, 'datastore.object_read');
    let o = store.findObject(d.id, key);
    if (!o) {
      await sync(d);
      o = store.findObject(d.id, key);
    }
    if (!o) throw missing(key);
    return { d, o };
  }

  async function listObjects(actor: Actor, q: ObjectListQuery): Promise<ObjectList> {
    const d = guard.load(actor, q.workspaceId, q.datastoreId, 'datastore.object_read');
    await sync(d);
    const limit = q.limit ?? 100;
    const prefix = q.prefix ?? '';
    const delimiter = q.delimiter;
    let after: string | null = null;
    if (q.cursor !== undefined) {
      const [datastoreId, key] = cursor.decode(q.workspaceId, q.cursor);
      if (datastoreId !== d.id) throw invalid(INVALID_CURSOR, 'cursor');
      after = key;
    }
    const next = (key: string) => cursor.encode(q.workspaceId, [d.id, key]);
    const items: DatastoreObject[] = [];
    const prefixes: string[] = [];
    const maxBatch = Math.min(limit + 1, 1000);
    // After skipping a folder the next row is often another folder: fetch one row, and grow while rows are objects.
    let batch = maxBatch;
    // Keys sort by their UTF-8 bytes (SQLite BINARY), like S3. Every key in [prefix, prefix+U+10FFFF) starts with prefix.
    for (;;) {
      const rows = store.listObjectRange({ datastoreId: d.id, lower: after ?? prefix, upper: prefix + MAX_CHAR, exclusive: after !== null, limit: batch });
      if (rows.length === 0) return { items, prefixes, nextCursor: null };
      let jumped = false;
      for (const row of rows) {
        if (items.length + prefixes.length >= limit) return { items, prefixes, nextCursor: next(after ?? prefix) };
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
        items.push(toDatastoreObject(row));
        after = row.key;
      }
      if (!jumped && rows.length < batch) return { items, prefixes, nextCursor: null };
      if (!jumped) batch = Math.min(batch * 4, maxBatch);
    }
  }

  async function head(actor: Actor, workspaceId: string, datastoreId: string, key: string): Promise<DatastoreObject> {
    return toDatastoreObject((await loadObject(actor, workspaceId, datastoreId, key)).o);
  }

  /** The object's bytes as a stream (decrypted for the filesystem backend). */
  async function read(actor: Actor, workspaceId: string, datastoreId: string, key: string): Promise<{ object: DatastoreObject; stream: Readable }> {
    const { d, o } = await loadObject(actor, workspaceId, datastoreId, key);
    try {
      return { object: toDatastoreObject(o), stream: await (await backends.backendFor(d)).get(o.locator) };
    } catch (e) {
      throw describeBackendError(e, d);
    }
  }

  async function preview(actor: Actor, workspaceId: string, datastoreId: string, key: string) {
    const { object, stream } = await read(actor, workspaceId, datastoreId, key);
    const data = await readPrefix(stream, PREVIEW_BYTES);
    return { object, base64: data.toString('base64'), truncated: object.size > PREVIEW_BYTES };
  }

  /**
   * Stores `source` as `key`. Bytes pass a meter (size, SHA-256, size limit) on their way into the backend; only
   * when the backend has them complete is the row written, with its audit event.
   */
  async function put(actor: Actor, workspaceId: string, datastoreId: string, key: string, source: BodySource, o: PutStreamOptions) {
    const d = guard.load(actor, workspaceId, datastoreId, 'datastore.object_write');
    const backend = await openBackend(d);
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
        if (o.uploadId && t - lastPush >= PROGRESS_EVERY_MS) {
          lastPush = t;
          progress({ ...base, bytes });
        }
      },
    });
    // A resumed body holds the object from this byte on (the parts before it are at S3 already).
    const startsAt = o.resume?.startsAt ?? 0;
    const expected = o.expectedSize;
    const observe =
      expected === undefined
        ? meter.observe
        : (chunk: Buffer) => {
            meter.observe(chunk);
            if (startsAt + meter.bytes() > expected) throw invalid(`the body is longer than the ${expected} bytes announced`, 'content-length');
          };
    try {
      let locator: string;
      try {
        // The meter sees every byte on the way, and its size limit fails the put.
        ({ locator } = await backend.put(key, source, { contentType, signal: controller.signal, onData: observe, sha256: meter.sha256, resume: o.resume }));
      } catch (e) {
        const cause = (source.kind === 'stream' && source.body.errored) || e;
        throw describeBackendError(controller.signal.aborted ? Object.assign(new Error('cancelled'), { name: 'AbortError' }) : cause, d);
      }
      let size = meter.bytes();
      let sha256 = meter.sha256();
      try {
        if (startsAt) {
          // The meter saw only the rest, and S3 cannot hand back the parts of an upload in progress: the completed
          // object is read back once and hashed whole (as pending-upload-sync does for pre-signed PUTs).
          const whole = createMeter({});
          await pipeline(await backend.get(locator), whole.stream, new Writable({ write: (_c, _e, cb) => cb() }));
          size = whole.bytes();
          sha256 = whole.sha256();
        }
        if (expected !== undefined && size !== expected) throw invalid(`the body made the object ${size} bytes, not the ${expected} announced; nothing was stored`, 'content-length');
      } catch (e) {
        await backend.remove(locator).catch(() => undefined);
        throw e;
      }
      const t = clock.now().toISOString();
      let previous: string | null = null;
      let object: DatastoreObject;
      try {
        object = store.transaction(() => {
          if (!store.findDatastore(d.id)) throw notFound('datastore');
          o.claim?.();
          const existing = store.findObject(d.id, key);
          previous = existing && existing.locator !== locator ? existing.locator : null;
          const row: StoredObject = {
            datastoreId: d.id,
            workspaceId: d.workspaceId,
            key,
            locator,
            size,
            contentType,
            sha256,
            uploadedBy: actor.name,
            createdAt: existing?.createdAt ?? t,
            updatedAt: t,
          };
          store.upsertObject(row);
          store.deletePendingUpload(d.id, key);
          audit.record({
            workspaceId,
            action: 'datastore.object_uploaded',
            actor,
            target: { type: 'datastore', id: d.id, name: d.name },
            details: { objectKey: key, size: row.size, sha256: row.sha256, contentType, replaced: existing !== undefined },
          });
          return toDatastoreObject(row);
        });
      } catch (e) {
        // No row points at the new bytes: they go now (or are swept at the next start).
        await backend.remove(locator).catch(() => undefined);
        throw e;
      }
      if (previous) await backend.remove(previous).catch(() => undefined);
      if (o.uploadId) progress({ ...base, bytes: object.size, state: 'done' });
      changed(d);
      return object;
    } catch (e) {
      const err = e instanceof AppError ? e : describeBackendError(e, d);
      if (o.uploadId) progress({ ...base, bytes: meter.bytes(), state: controller.signal.aborted ? 'cancelled' : 'failed', error: err.message });
      throw err;
    } finally {
      o.signal?.removeEventListener('abort', onOuterAbort);
      if (o.uploadId) uploads.delete(o.uploadId);
    }
  }

  /** Streams `body` into the datastore as `key` (an HTTP request body, a step's text). */
  function putStream(actor: Actor, workspaceId: string, datastoreId: string, key: string, body: Readable, o: PutStreamOptions = {}) {
    return put(actor, workspaceId, datastoreId, key, { kind: 'stream', body }, o);
  }

  /** Dropped files in the Electron shell: the backend reads the file from its path. */
  async function uploadFromPath(actor: Actor, input: { workspaceId: string; datastoreId: string; key: string; path: string; contentType?: string; uploadId?: string }) {
    access.assert(actor, input.workspaceId, 'datastore.object_write');
    if (!path.isAbsolute(input.path) || input.path.includes('\0')) throw invalid('path must be an absolute file path', 'path');
    const st = await boundedFs.stat(input.path).catch(() => null);
    if (!st?.isFile()) throw invalid('path must name an existing regular file', 'path');
    return put(actor, input.workspaceId, input.datastoreId, input.key, { kind: 'file', path: input.path, size: st.size }, {
      contentType: input.contentType,
      uploadId: input.uploadId,
      total: st.size,
    });
  }

  /** Only the actor who started an upload may cancel it; anyone else's id is answered as unknown. */
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
    const d = guard.load(actor, workspaceId, datastoreId, 'datastore.object_write');
    const o = store.transaction(() => {
      const row = store.findObject(d.id, key);
      if (!row) throw missing(key);
      store.deleteObject(d.id, key);
      audit.record({
        workspaceId,
        action: 'datastore.object_deleted',
        actor,
        target: { type: 'datastore', id: d.id, name: d.name },
        details: { objectKey: key, size: row.size, sha256: row.sha256 },
      });
      return row;
    });
    try {
      await (await backends.backendFor(d)).remove(o.locator);
    } catch (e) {
      // The row is gone, so the object is; leftover bytes are swept (filesystem) or logged for the admin (S3).
      deps.logger.log('warn', 'datastores: could not remove object bytes', { datastoreId: d.id, error: describeBackendError(e, d).message });
    }
    changed(d);
    return { deleted: true as const };
  }

  return {
    listObjects,
    head,
    read,
    preview,
    putStream,
    putText,
    uploadFromPath,
    cancelUpload,
    deleteObject,
    /** Aborts every running upload (the core is closing). */
    close(): void {
      for (const u of uploads.values()) u.controller.abort();
    },
  };
}
export type DatastoreObjectService = ReturnType<typeof createDatastoreObjectService>;
