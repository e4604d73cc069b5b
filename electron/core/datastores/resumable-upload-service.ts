import type { Readable } from 'node:stream';
import type { Actor } from '@shared/domain/actor';
import { conflict, invalid } from '../errors';
import type { Clock, Logger } from '../ports';
import { describeBackendError } from './backend-errors';
import type { BackendRegistry } from './backend-registry';
import type { MultipartResume, ObjectBackend } from './backends/backend-port';
import type { DatastoreGuard } from './datastore-guard';
import type { DatastoreObjectService } from './datastore-object-service';
import type { DatastoreStore, StoredDatastore } from './datastore-store';
import type { ResumableUploadRecord, ResumableUploadStore, UploadOwner } from './resumable-upload-store';

/** How long an interrupted upload can be taken up again after its last acknowledged part; then its parts are discarded. */
export const RESUMABLE_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** Expired records handled per sweep (each is one AbortMultipartUpload): sweeps run on requests' paths. */
const SWEEP_BATCH = 20;

/** Stands for the body a client means to upload: an opaque token of its own (e.g. sha256 of path, size, mtime). */
export const FINGERPRINT_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export const OFFSET_MISMATCH =
  'nothing of this upload is stored up to that offset: ask GET /datastores/{id}/uploads how much is, then send the rest from there (or the whole body from 0)';

export type UploadStatus = {
  /** False for a datastore whose uploads cannot resume (filesystem): send the whole body. */
  resumable: boolean;
  /** S3: the multipart part size; a body smaller than one part is one request and never resumes. */
  partSize: number | null;
  /** Bytes already stored for this very body (a part boundary): send the rest from here. */
  uploadedBytes: number;
  partsDone: number;
};

export type ResumablePut = {
  workspaceId: string;
  datastoreId: string;
  key: string;
  body: Readable;
  contentType?: string;
  signal?: AbortSignal;
  /** The bytes of this request's body (Content-Length); required with a fingerprint. */
  length: number | null;
  /** Makes the upload resumable (S3): its record is bound to this token and to the whole size. */
  fingerprint?: string;
  /** Where the body starts in the object: 0, or exactly the uploadedBytes the status answered. */
  offset: number;
};

/**
 * Resumable uploads over REST (the CLI's `cp` to an S3 datastore): the server keeps the state, the client only asks
 * how much is stored and sends the rest. A record (resumable-upload-store.ts) names the S3 multipart upload and the
 * parts S3 acknowledged, saved as each completes; it belongs to the actor that started it and is bound to the key,
 * the whole size and the client's fingerprint, so another actor, another body or a stale record is simply not found.
 * The object's SHA-256 is the server's own: a resumed upload's object is read back from S3 and hashed whole once
 * complete (datastore-object-service.ts), as S3 cannot hand back the parts of an upload in progress.
 *
 * What must stay true: every call passes the datastore.object_write check first; an offset is honoured only when it
 * is exactly the recorded full parts of this actor's record for this body; no object row exists until the object is
 * complete and hashed; a record past its expiry is removed and its multipart upload aborted (swept on every call and
 * when the vault unlocks); one upload per record runs at a time in this process (a second waits for the first to end).
 */
export function createResumableUploadService(deps: {
  store: ResumableUploadStore;
  datastores: Pick<DatastoreStore, 'findDatastore'>;
  guard: DatastoreGuard;
  backends: Pick<BackendRegistry, 'backendFor'>;
  objects: Pick<DatastoreObjectService, 'putStream'>;
  clock: Clock;
  logger: Logger;
}) {
  const { store, guard, clock } = deps;
  const running = new Map<string, Promise<unknown>>();

  async function openBackend(d: StoredDatastore): Promise<ObjectBackend> {
    try {
      return await deps.backends.backendFor(d);
    } catch (e) {
      throw describeBackendError(e, d);
    }
  }

  /** Full parts from part 1 on, without a gap: what a resumed body may start after. */
  function fullParts(r: ResumableUploadRecord): number {
    const sizes = new Map(r.parts.map((p) => [p.n, p.size]));
    let n = 0;
    while (sizes.get(n + 1) === r.partSize && (n + 1) * r.partSize <= r.size) n++;
    return n;
  }

  /** The actor's record for exactly this body, if it can still be taken up. */
  function current(owner: UploadOwner, size: number, fingerprint: string, backend: ObjectBackend): ResumableUploadRecord | null {
    const r = store.find(owner);
    if (!r) return null;
    const fits =
      r.size === size && r.fingerprint === fingerprint && r.partSize === backend.partSize && r.s3Key === backend.locatorFor?.(owner.key) && r.expiresAt > clock.now().toISOString();
    return fits ? r : null;
  }

  /** Removes expired records and aborts their multipart uploads, at most SWEEP_BATCH per call. */
  async function sweepResumableUploads(): Promise<number> {
    const old = store.expired(clock.now().toISOString(), SWEEP_BATCH);
    for (const r of old) {
      store.remove(r);
      const d = deps.datastores.findDatastore(r.datastoreId);
      if (!d) continue;
      try {
        await (await deps.backends.backendFor(d)).abortMultipart?.(r.s3Key, r.uploadId);
      } catch (e) {
        // The parts stay at S3 until the bucket's lifecycle rule (or the admin) removes them; the admin is told.
        deps.logger.log('warn', 'datastores: could not abort an expired resumable upload', { datastoreId: d.id, error: describeBackendError(e, d).message });
      }
    }
    return old.length;
  }

  function checkFingerprint(fingerprint: string): void {
    if (!FINGERPRINT_PATTERN.test(fingerprint)) throw invalid('fingerprint must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -', 'fingerprint');
  }

  /** How much of this body (key, whole size, fingerprint) is already stored for the actor. */
  async function uploadStatus(actor: Actor, q: { workspaceId: string; datastoreId: string; key: string; size: number; fingerprint: string }): Promise<UploadStatus> {
    const d = guard.load(actor, q.workspaceId, q.datastoreId, 'datastore.object_write');
    checkFingerprint(q.fingerprint);
    await sweepResumableUploads().catch(() => undefined);
    if (d.backendType !== 's3') return { resumable: false, partSize: null, uploadedBytes: 0, partsDone: 0 };
    const backend = await openBackend(d);
    const r = current({ datastoreId: d.id, actorKind: actor.kind, actorId: actor.id, key: q.key }, q.size, q.fingerprint, backend);
    const n = r ? fullParts(r) : 0;
    return { resumable: true, partSize: backend.partSize ?? null, uploadedBytes: n * (r?.partSize ?? 0), partsDone: n };
  }

  /**
   * Streams a request body into the datastore. Without a fingerprint it is a plain streaming upload; with one, on
   * S3, an interrupted upload keeps its parts, and a later request with `offset` = the stored bytes sends the rest.
   */
  async function putResumable(actor: Actor, p: ResumablePut) {
    const d = guard.load(actor, p.workspaceId, p.datastoreId, 'datastore.object_write');
    const plain = { contentType: p.contentType, signal: p.signal, total: p.length === null ? null : p.offset + p.length };
    if (p.fingerprint === undefined) {
      if (p.offset !== 0) throw invalid('x-upload-offset needs x-upload-fingerprint (the upload it continues)', 'x-upload-offset');
      return deps.objects.putStream(actor, p.workspaceId, d.id, p.key, p.body, { ...plain, expectedSize: p.length ?? undefined });
    }
    checkFingerprint(p.fingerprint);
    if (p.length === null) throw invalid('a resumable upload needs Content-Length', 'content-length');
    const size = p.offset + p.length;
    await sweepResumableUploads().catch(() => undefined);
    if (d.backendType !== 's3') {
      if (p.offset !== 0) throw conflict(OFFSET_MISMATCH, 'x-upload-offset');
      return deps.objects.putStream(actor, p.workspaceId, d.id, p.key, p.body, { ...plain, expectedSize: size });
    }
    const owner: UploadOwner = { datastoreId: d.id, actorKind: actor.kind, actorId: actor.id, key: p.key };
    const lock = JSON.stringify(owner);
    // One upload per record at a time: a second one waits for the first to end (an interrupted client's run again
    // usually arrives while the server is still stopping its first request's parts).
    for (let prev = running.get(lock); prev; prev = running.get(lock)) await prev.catch(() => undefined);
    const run = upload(actor, p, d, owner, size, p.fingerprint);
    running.set(lock, run);
    try {
      return await run;
    } finally {
      running.delete(lock);
    }
  }

  async function upload(actor: Actor, p: ResumablePut, d: StoredDatastore, owner: UploadOwner, size: number, fingerprint: string) {
    const backend = await openBackend(d);
    let r = current(owner, size, fingerprint, backend);
    if (p.offset > 0) {
      // Any part boundary the record covers: an earlier one than it holds now re-sends (and replaces) the parts after it.
      if (!r || p.offset % r.partSize !== 0 || p.offset / r.partSize > fullParts(r)) throw conflict(OFFSET_MISMATCH, 'x-upload-offset');
    } else {
      // A fresh start: whatever the caller had recorded for this key (this body or another) is discarded.
      const old = store.find(owner);
      if (old) {
        store.remove(owner);
        await backend.abortMultipart?.(old.s3Key, old.uploadId).catch(() => undefined);
      }
      r = null;
    }
    const resumeFrom = r;
    const resume: MultipartResume = {
      startsAt: p.offset,
      load: () => resumeFrom && { uploadId: resumeFrom.uploadId, s3Key: resumeFrom.s3Key, partSize: resumeFrom.partSize, parts: resumeFrom.parts },
      save: (state) =>
        store.save({
          ...owner,
          size,
          fingerprint,
          uploadId: state.uploadId,
          s3Key: state.s3Key,
          partSize: state.partSize,
          parts: state.parts ?? [],
          expiresAt: new Date(clock.now().getTime() + RESUMABLE_UPLOAD_TTL_MS).toISOString(),
        }),
      clear: () => store.remove(owner),
    };
    const plain = { contentType: p.contentType, signal: p.signal, total: size };
    return await deps.objects.putStream(actor, p.workspaceId, d.id, p.key, p.body, { ...plain, expectedSize: size, resume });
  }

  return { uploadStatus, putResumable, sweepResumableUploads };
}
export type ResumableUploadService = ReturnType<typeof createResumableUploadService>;
