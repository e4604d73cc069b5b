import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '@shared/domain/actor';
import { count, makeReadyCore } from '../../helpers/test-core';
import { S3RVER_CREDS, startS3rver } from '../../helpers/s3rver';

/**
 * Resumable S3 uploads in the core (resumable-upload-service.ts over a real s3rver, with 5 MiB parts sent one at a
 * time): an upload stopped after two acknowledged parts keeps them, the rest alone completes the object with the
 * SHA-256 of the whole, and a body that does not match what was announced stores nothing. (An upload gone from S3 is
 * s3-backend-requests.test.ts: s3rver never answers NoSuchUpload.)
 */
const MiB = 1024 * 1024;
const PART = 5 * MiB;
const FP = 'resumable-test-fingerprint-01';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let s3: Awaited<ReturnType<typeof startS3rver>>;
let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
let dsId: string;
let actor: Actor;
const data = randomBytes(23 * MiB);

beforeAll(async () => {
  s3 = await startS3rver();
  await s3.createBucket('resumable');
}, 60_000);
afterAll(async () => s3?.stop());

beforeEach(async () => {
  // One part in flight at a time: the body's next part is read only once the previous one is acknowledged.
  t = await makeReadyCore({ s3: { partSize: PART, queueSize: 1 } });
  ws = t.core.workspaces.defaultWorkspace().id;
  const backend = { type: 's3' as const, endpoint: s3.endpoint, region: 'us-east-1', bucket: 'resumable', prefix: `${Date.now()}-${Math.random()}/`, forcePathStyle: true, ...S3RVER_CREDS };
  dsId = (await t.core.datastores.create(t.admin, { workspaceId: ws, name: 'Bucket', backend })).id;
  actor = t.admin;
});
afterEach(() => t.close());

/**
 * The first `parts` full parts of `data`, then a stop: the body is cut (as a killed client's request is) when the
 * reader asks for the part after them, which with one part in flight means they were acknowledged.
 */
function interruptedAfter(parts: number, stop: AbortController): Readable {
  return Readable.from(
    (async function* () {
      for (let at = 0; at < data.length; at += MiB) {
        if (at >= (parts + 1) * PART) {
          stop.abort();
          return;
        }
        yield data.subarray(at, at + MiB);
      }
    })(),
    { objectMode: false, highWaterMark: 1 },
  );
}

const put = (o: { body: Readable; offset: number; length: number; signal?: AbortSignal }) =>
  t.core.datastores.putResumable(actor, { workspaceId: ws, datastoreId: dsId, key: 'big.bin', fingerprint: FP, contentType: 'application/octet-stream', ...o });
const status = () => t.core.datastores.uploadStatus(actor, { workspaceId: ws, datastoreId: dsId, key: 'big.bin', size: data.length, fingerprint: FP });

async function interrupt(): Promise<{ uploadedBytes: number; partsDone: number }> {
  const stop = new AbortController();
  await expect(put({ body: interruptedAfter(2, stop), offset: 0, length: data.length, signal: stop.signal })).rejects.toMatchObject({ code: 'CONFLICT' });
  expect(count(t.core.db, 'datastore_objects')).toBe(0);
  return status();
}

async function readBack(): Promise<Buffer> {
  const { stream } = await t.core.datastores.read(actor, ws, dsId, 'big.bin');
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('resumable S3 uploads in the core', () => {
  it('keeps the acknowledged parts of an interrupted upload; the rest alone completes it, hashed whole', async () => {
    const held = await interrupt();
    expect(held.partsDone).toBeGreaterThanOrEqual(2);
    expect(held.uploadedBytes).toBe(held.partsDone * PART);

    const offset = held.uploadedBytes;
    const object = await put({ body: Readable.from([data.subarray(offset)]), offset, length: data.length - offset });
    expect(object).toMatchObject({ key: 'big.bin', size: data.length, sha256: sha(data) });
    expect(sha(await readBack())).toBe(sha(data));
    expect(count(t.core.db, 'datastore_resumable_uploads')).toBe(0);
    expect(await status()).toMatchObject({ uploadedBytes: 0 });
  }, 60_000);

  it('a rest shorter than announced stores nothing (400), and the next upload starts afresh', async () => {
    const { uploadedBytes: offset } = await interrupt();
    const short = data.subarray(offset, data.length - 1);
    await expect(put({ body: Readable.from([short]), offset, length: data.length - offset })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'content-length' });
    expect(count(t.core.db, 'datastore_objects')).toBe(0);
    expect((await t.core.datastores.listObjects(actor, { workspaceId: ws, datastoreId: dsId })).items).toEqual([]);
    expect(await status()).toMatchObject({ uploadedBytes: 0 });
  }, 60_000);

  it('a rest longer than announced fails as soon as it overflows, keeping the parts for a correct retry', async () => {
    const { uploadedBytes: offset } = await interrupt();
    const long = Buffer.concat([data.subarray(offset), Buffer.from('extra')]);
    await expect(put({ body: Readable.from([long]), offset, length: data.length - offset })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'content-length' });
    expect(count(t.core.db, 'datastore_objects')).toBe(0);
    expect((await status()).uploadedBytes).toBeGreaterThanOrEqual(offset);
  }, 60_000);

  // Aborting the S3 upload itself is the unit tests' (s3rver has no AbortMultipartUpload; the sweep logs that and goes on).
  it('an expired record is swept', async () => {
    await interrupt();
    t.core.db.prepare("UPDATE datastore_resumable_uploads SET expires_at = '2000-01-01T00:00:00.000Z'").run();
    expect(await t.core.datastores.sweepResumableUploads()).toBe(1);
    expect(count(t.core.db, 'datastore_resumable_uploads')).toBe(0);
  }, 60_000);
});
