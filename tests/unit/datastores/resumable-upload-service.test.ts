import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '@shared/domain/actor';
import { createDatastoreGuard } from '@core/datastores/datastore-guard';
import type { MultipartResume, ObjectBackend } from '@core/datastores/backends/backend-port';
import { createResumableUploadService, RESUMABLE_UPLOAD_TTL_MS, type ResumablePut } from '@core/datastores/resumable-upload-service';
import type { ResumableUploadRecord, ResumableUploadStore, UploadOwner } from '@core/datastores/resumable-upload-store';
import { storedDatastore } from '../../helpers/stored-datastore';

/**
 * The checks of a resumable upload's offset and fingerprint (resumable-upload-service.ts), with the store, backend
 * and object service replaced by recorders: which record a status or a PUT finds, which offsets are honoured, and
 * what is discarded. The real round trip (S3, SIGKILL, the SHA-256) is tests/integration/cli/cli-copy.test.ts.
 */
const MiB = 1024 * 1024;
const PART = 8 * MiB;
const WS = 'ws-1';
const FP = 'fingerprint-0123456789abcdef';
const KEY = 'big.bin';
const alice: Actor = { kind: 'apiKey', id: 'key-alice', name: 'alice', origin: 'cli' };
const bob: Actor = { kind: 'apiKey', id: 'key-bob', name: 'bob', origin: 'cli' };

const datastore = (id: string, backendType: 'filesystem' | 's3') => storedDatastore({ id, workspaceId: WS, backendType });

let now: Date;
let records: Map<string, ResumableUploadRecord>;
let aborted: string[];
let puts: Array<{ key: string; expectedSize?: number; resume?: MultipartResume }>;
let service: ReturnType<typeof createResumableUploadService>;
const ownerKey = (o: UploadOwner) => JSON.stringify([o.datastoreId, o.actorKind, o.actorId, o.key]);

beforeEach(() => {
  now = new Date('2026-06-01T12:00:00.000Z');
  records = new Map();
  aborted = [];
  puts = [];
  const store: ResumableUploadStore = {
    find: (o) => records.get(ownerKey(o)),
    save: (r) => void records.set(ownerKey(r), r),
    remove: (o) => void records.delete(ownerKey(o)),
    expired: (before, limit) => [...records.values()].filter((r) => r.expiresAt < before).slice(0, limit),
  };
  const stores = new Map([
    ['s3', datastore('s3', 's3')],
    ['fs', datastore('fs', 'filesystem')],
  ]);
  const backend: ObjectBackend = {
    type: 's3',
    partSize: PART,
    locatorFor: (key) => `prefix/${key}`,
    abortMultipart: async (s3Key, uploadId) => void aborted.push(`${s3Key}#${uploadId}`),
    put: async () => ({ locator: 'x' }),
    get: async () => Readable.from([]),
    remove: async () => undefined,
    test: async () => undefined,
    close: () => undefined,
  };
  service = createResumableUploadService({
    store,
    datastores: { findDatastore: (id) => stores.get(id) },
    // Everyone may write here (the POLICY gate itself: datastore-access-gate.test.ts).
    guard: createDatastoreGuard({ store: { findDatastore: (id) => stores.get(id) }, access: { assert: () => undefined } }),
    backends: { backendFor: async () => backend },
    objects: {
      putStream: (async (_actor: Actor, _ws: string, _ds: string, key: string, _body: Readable, o: { expectedSize?: number; resume?: MultipartResume }) => {
        puts.push({ key, expectedSize: o.expectedSize, resume: o.resume });
        return { key };
      }) as never,
    },
    clock: { now: () => now },
    logger: { log: () => undefined },
  });
});

/** Alice's record of a 64 MiB body with `parts` full parts acknowledged. */
function recordOf(parts: number, over: Partial<ResumableUploadRecord> = {}): ResumableUploadRecord {
  const r: ResumableUploadRecord = {
    datastoreId: 's3',
    actorKind: alice.kind,
    actorId: alice.id,
    key: KEY,
    size: 64 * MiB,
    fingerprint: FP,
    uploadId: 'upload-1',
    s3Key: `prefix/${KEY}`,
    partSize: PART,
    parts: Array.from({ length: parts }, (_, i) => ({ n: i + 1, etag: `"e${i + 1}"`, size: PART })),
    expiresAt: new Date(now.getTime() + RESUMABLE_UPLOAD_TTL_MS).toISOString(),
    ...over,
  };
  records.set(ownerKey(r), r);
  return r;
}

const status = (actor: Actor, q: Partial<{ datastoreId: string; key: string; size: number; fingerprint: string }> = {}) =>
  service.uploadStatus(actor, { workspaceId: WS, datastoreId: 's3', key: KEY, size: 64 * MiB, fingerprint: FP, ...q });

const put = (actor: Actor, p: Partial<ResumablePut>) =>
  service.putResumable(actor, { workspaceId: WS, datastoreId: 's3', key: KEY, body: Readable.from([]), length: 64 * MiB, fingerprint: FP, offset: 0, ...p });

async function code(p: Promise<unknown>): Promise<{ code?: string; field?: string }> {
  try {
    await p;
    return {};
  } catch (e) {
    return e as { code?: string; field?: string };
  }
}

describe('GET /datastores/{id}/uploads: how much of this body is stored', () => {
  it('answers the full parts of the caller’s own record for exactly this body', async () => {
    recordOf(3);
    expect(await status(alice)).toEqual({ resumable: true, partSize: PART, uploadedBytes: 3 * PART, partsDone: 3 });
  });

  it('counts only full parts from part 1 without a gap', async () => {
    recordOf(0, { parts: [1, 2, 4].map((n) => ({ n, etag: `"e${n}"`, size: PART })) });
    expect((await status(alice)).partsDone).toBe(2);
    recordOf(0, { parts: [{ n: 1, etag: '"e1"', size: PART }, { n: 2, etag: '"e2"', size: MiB }] });
    expect((await status(alice)).partsDone).toBe(1);
  });

  it.each([
    ['another actor', () => status(bob)],
    ['another fingerprint', () => status(alice, { fingerprint: 'fingerprint-of-another-file-00' })],
    ['another size', () => status(alice, { size: 64 * MiB + 1 })],
    ['another key', () => status(alice, { key: 'other.bin' })],
  ])('finds nothing for %s (a foreign or stale record is ignored)', async (_what, call) => {
    recordOf(3);
    expect(await call()).toMatchObject({ uploadedBytes: 0, partsDone: 0 });
  });

  it('ignores a record of another part size or S3 key', async () => {
    recordOf(3, { partSize: 16 * MiB });
    expect((await status(alice)).uploadedBytes).toBe(0);
    recordOf(3, { s3Key: 'elsewhere/big.bin' });
    expect((await status(alice)).uploadedBytes).toBe(0);
  });

  it('a filesystem datastore never resumes', async () => {
    expect(await status(alice, { datastoreId: 'fs' })).toEqual({ resumable: false, partSize: null, uploadedBytes: 0, partsDone: 0 });
  });

  it.each(['short', 'x'.repeat(129), `${FP}/`, `${FP} `, ''])('refuses the fingerprint %j (400, naming it)', async (fingerprint) => {
    expect(await code(status(alice, { fingerprint }))).toMatchObject({ code: 'INVALID_INPUT', field: 'fingerprint' });
  });

  it('an expired record is removed and its S3 upload aborted; it is not answered', async () => {
    recordOf(3);
    now = new Date(now.getTime() + RESUMABLE_UPLOAD_TTL_MS + 1000);
    expect((await status(alice)).uploadedBytes).toBe(0);
    expect(records.size).toBe(0);
    expect(aborted).toEqual([`prefix/${KEY}#upload-1`]);
  });
});

describe('PUT /datastores/{id}/objects/{key}: the offset must be what the record holds', () => {
  it('continues at the recorded boundary: the backend is told where the body starts and gets the recorded parts', async () => {
    recordOf(3);
    await put(alice, { offset: 3 * PART, length: 64 * MiB - 3 * PART });
    expect(puts).toHaveLength(1);
    expect(puts[0]!.expectedSize).toBe(64 * MiB);
    expect(puts[0]!.resume!.startsAt).toBe(3 * PART);
    expect(puts[0]!.resume!.load()).toMatchObject({ uploadId: 'upload-1', partSize: PART, parts: [{ n: 1 }, { n: 2 }, { n: 3 }] });
  });

  it('an earlier boundary is honoured too (the parts after it are sent again)', async () => {
    recordOf(3);
    await put(alice, { offset: PART, length: 64 * MiB - PART });
    expect(puts[0]!.resume!.startsAt).toBe(PART);
  });

  it.each([
    ['beyond what is recorded', 4 * PART],
    ['not at a part boundary', 3 * PART - 1],
    ['past the end', 64 * MiB],
  ])('refuses an offset %s: 409 naming x-upload-offset, nothing sent on', async (_what, offset) => {
    recordOf(3);
    expect(await code(put(alice, { offset, length: 64 * MiB - offset }))).toMatchObject({ code: 'CONFLICT', field: 'x-upload-offset' });
    expect(puts).toHaveLength(0);
    expect(records.size).toBe(1);
  });

  it.each([
    ['another actor', bob, FP],
    ['another fingerprint', alice, 'fingerprint-of-another-file-00'],
  ])('an offset into the record of %s is refused (409)', async (_what, actor, fingerprint) => {
    recordOf(3);
    expect(await code(put(actor, { offset: 3 * PART, length: 64 * MiB - 3 * PART, fingerprint }))).toMatchObject({ code: 'CONFLICT', field: 'x-upload-offset' });
    expect(puts).toHaveLength(0);
  });

  it('a different announced size makes the record stale: the offset is refused', async () => {
    recordOf(3);
    expect(await code(put(alice, { offset: 3 * PART, length: 64 * MiB }))).toMatchObject({ code: 'CONFLICT' });
  });

  it('an expired record is not continued, and its upload is aborted', async () => {
    recordOf(3);
    now = new Date(now.getTime() + RESUMABLE_UPLOAD_TTL_MS + 1000);
    expect(await code(put(alice, { offset: 3 * PART, length: 64 * MiB - 3 * PART }))).toMatchObject({ code: 'CONFLICT' });
    expect(aborted).toEqual([`prefix/${KEY}#upload-1`]);
  });

  it('a fresh start (offset 0) discards the caller’s earlier record of that key and aborts its upload', async () => {
    recordOf(3);
    await put(alice, { offset: 0 });
    expect(aborted).toEqual([`prefix/${KEY}#upload-1`]);
    expect(records.size).toBe(0);
    expect(puts[0]!.resume!.startsAt).toBe(0);
    expect(puts[0]!.resume!.load()).toBeNull();
  });

  it('another actor’s fresh start leaves the first actor’s record alone', async () => {
    recordOf(3);
    await put(bob, { offset: 0 });
    expect(aborted).toEqual([]);
    expect(records.size).toBe(1);
  });

  it('the record saved during the put is bound to the actor, the size and the fingerprint, with an expiry', async () => {
    await put(alice, { offset: 0, length: 40 * MiB });
    puts[0]!.resume!.save({ uploadId: 'upload-2', s3Key: `prefix/${KEY}`, partSize: PART, parts: [{ n: 1, etag: '"a"', size: PART }] });
    expect([...records.values()]).toEqual([
      expect.objectContaining({ actorKind: 'apiKey', actorId: alice.id, size: 40 * MiB, fingerprint: FP, uploadId: 'upload-2', expiresAt: new Date(now.getTime() + RESUMABLE_UPLOAD_TTL_MS).toISOString() }),
    ]);
  });

  it.each<[string, Partial<ResumablePut>, string]>([
    ['an offset without a fingerprint', { fingerprint: undefined, offset: PART }, 'x-upload-offset'],
    ['a fingerprint without Content-Length', { length: null }, 'content-length'],
    ['a malformed fingerprint', { fingerprint: 'no spaces allowed here!!' }, 'fingerprint'],
  ])('refuses %s (400, naming it)', async (_what, p, field) => {
    expect(await code(put(alice, p))).toMatchObject({ code: 'INVALID_INPUT', field });
    expect(puts).toHaveLength(0);
  });

  it('without a fingerprint it is a plain streamed upload of Content-Length bytes', async () => {
    await put(alice, { fingerprint: undefined, length: 10 });
    expect(puts[0]).toMatchObject({ expectedSize: 10, resume: undefined });
  });

  it('a filesystem datastore takes the whole body, never an offset', async () => {
    await put(alice, { datastoreId: 'fs', length: 10 });
    expect(puts[0]).toMatchObject({ expectedSize: 10, resume: undefined });
    expect(await code(put(alice, { datastoreId: 'fs', offset: PART, length: 10 }))).toMatchObject({ code: 'CONFLICT', field: 'x-upload-offset' });
  });
});
