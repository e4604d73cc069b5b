import { randomBytes, randomUUID } from 'node:crypto';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { abortError, openBodyReader, type BodyReader } from './body-reader';
import { boundedFs, errCode } from './bounded-fs';
import { createChunkSealer, createDecryptStream } from './chunked-cipher';
import { MARK_FILE, describeMark, readMark, removeMark, writeMark } from './folder-marker';
import type { BackendHousekeeping, BodySource, ObjectBackend, PutOptions } from './backend-port';

const TMP_DIR = '.tmp';
const OBJ_DIR = 'objects';
const LOCATOR = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IO_HWM = 1024 * 1024;
/**
 * Bytes move through LANES reused staging buffers of LANE_BYTES (an encrypted lane is one chunk instead), several
 * reads ahead of the writes: the thread-pool round trips of reads overlap and no fresh Buffer is faulted in per
 * chunk. Small lanes keep the data a read leaves in cache for the write that follows (1 GiB plain, 4 lanes: 512 KiB
 * measured 0.85-1.07 s, 1 MiB 0.83-1.53 s, 256 KiB 1.2-1.35 s); 8 rather than 4 keep the encrypting path fed
 * (128 MiB: 0.2-0.24 s against 0.23-0.68 s). Memory per put is bounded by them (plus a few lanes of ciphertext
 * when encrypting), not by the body.
 */
const LANE_BYTES = 512 * 1024;
const LANES = 8;
/**
 * Every this many bytes written, the file is flushed to disk in the background (fdatasync) while the next bytes
 * are read and written, so the final fsync finds little left to do. Durability still comes from that final fsync.
 */
const SYNC_EVERY = 16 * 1024 * 1024;
/**
 * A plain body's first lane is this much (one page) short, so that its later writes do not start on large-folio
 * boundaries. A write that does gets the new file's page cache as large folios, and on a VM that hands free memory
 * back to its host (virtio-balloon free page reporting, which reports only large free blocks) each of those costs
 * host faults: 1 GiB written in aligned 512 KiB writes measured 1.8-2.4 s of kernel time, offset by a page
 * 0.34-0.39 s. (An encrypted file is offset anyway: by its header, and a tag per chunk.)
 */
const SKEW = 4096;
const noop = () => undefined;

/**
 * The file system calls the object protocol makes (open — whose handle writes, syncs and closes —, rename, rm),
 * injectable so a test can watch their order: temp write → fsync → rename → directory fsync. It is looked up once
 * per call, never per chunk; the handle it opens is used as it is.
 */
export type FilesystemPort = Pick<typeof fsp, 'open' | 'rename' | 'rm'>;

export type FilesystemBackendOptions = {
  root: string;
  /** 32-byte data key for encryption at rest; null stores plaintext (benchmarks only). */
  dataKey: Buffer | null;
  /** Defaults to node:fs/promises. */
  fs?: FilesystemPort;
  /**
   * Opens a put's body; defaults to body-reader.ts's. Injectable so a test can count, hold and fail the fills the copy
   * loop issues, and see when the reader is closed.
   */
  openBody?: (source: BodySource, signal?: AbortSignal) => Promise<BodyReader>;
};

async function fsyncDir(fs: FilesystemPort, dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Objects as files under `root`. Keys never become file names: each stored version gets a random UUID locator
 * (objects/ab/<uuid>), so no key — `../x`, `/etc/passwd`, `CON`, NFD vs NFC — can name a path outside the root or
 * collide with another. Writes go to .tmp/<uuid>.part, are fsynced, renamed into place and the directory
 * fsynced: a crash leaves either nothing or a complete file, and leftovers (temp files, complete files no row
 * points at) are removed by `filesystemHousekeeping(...).recover` at the next start.
 *
 * Opening touches no disk: the layout (.tmp/, objects/) is made by the first write, one level at a time inside the
 * root (which the service created and checked), asynchronously and bounded — never a recursive or synchronous mkdir.
 */
export function openFilesystemBackend(opts: FilesystemBackendOptions): ObjectBackend & { root: string } {
  const root = path.resolve(opts.root);
  const fs = opts.fs ?? fsp;
  const openBody = opts.openBody ?? openBodyReader;
  const tmpDir = path.join(root, TMP_DIR);
  const objDir = path.join(root, OBJ_DIR);
  let layout: Promise<void> | null = null;
  const ensureLayout = () => {
    layout ??= (async () => {
      await boundedFs.mkdir(tmpDir);
      await boundedFs.mkdir(objDir);
    })();
    // A failure (the folder is gone) is not remembered: the next write tries again.
    layout.catch(() => (layout = null));
    return layout;
  };

  const fileFor = (locator: string): string => {
    // Locators come from our own rows, but they are checked anyway: this is the one place a path is built.
    if (!LOCATOR.test(locator)) throw new Error('invalid object locator');
    return path.join(objDir, locator.slice(0, 2), locator);
  };

  async function put(_key: string, source: BodySource, o: PutOptions): Promise<{ locator: string }> {
    const locator = randomUUID();
    const tmp = path.join(tmpDir, `${locator}.part`);
    const final = fileFor(locator);
    await ensureLayout();
    const reader = await openBody(source, o.signal);
    let fh: FileHandle | null = null;
    try {
      fh = await fs.open(tmp, 'wx', 0o600);
      const out = new FileWriter(fh);
      if (opts.dataKey) await writeSealed(reader, out, opts.dataKey, locator, o.onData);
      else await writePlain(reader, out, o.onData);
      if (o.signal?.aborted) throw abortError();
      await out.finish();
      await fh.close();
      fh = null;
      await boundedFs.mkdir(path.dirname(final));
      await fs.rename(tmp, final);
      await fsyncDir(fs, path.dirname(final));
      return { locator };
    } catch (e) {
      await fh?.close().catch(noop);
      await fs.rm(tmp, { force: true });
      throw e;
    } finally {
      await reader.close();
    }
  }

  async function get(locator: string): Promise<Readable> {
    const file = fileFor(locator);
    const fh = await fs.open(file, 'r');
    const raw = fh.createReadStream({ highWaterMark: IO_HWM });
    if (!opts.dataKey) return raw;
    const out = new PassThrough({ highWaterMark: IO_HWM });
    // Errors (a tampered chunk) surface on the returned stream, never as partial plaintext passed off as whole.
    pipeline(raw, createDecryptStream(opts.dataKey, locator), out).catch((e: unknown) => out.destroy(e as Error));
    return out;
  }

  async function remove(locator: string): Promise<void> {
    await fs.rm(fileFor(locator), { force: true });
  }

  async function test(): Promise<void> {
    const probe = randomBytes(64);
    const { locator } = await put('.probe', { kind: 'stream', body: PassThroughFrom(probe) }, { contentType: 'application/octet-stream' });
    try {
      const chunks: Buffer[] = [];
      for await (const c of await get(locator)) chunks.push(c as Buffer);
      if (!Buffer.concat(chunks).equals(probe)) throw new Error('the probe object read back differently');
    } finally {
      await remove(locator);
    }
  }

  return { type: 'filesystem', root, put, get, remove, test, close: () => {} };
}

/**
 * What a folder holds, for a new datastore that would take it: `free` when it is empty (or holds nothing but this
 * backend's own layout, empty), `marked` when it carries a datastore's mark (anyone's: a live datastore's or a stale
 * one), `in-use` when it holds anything else. Bounded and asynchronous.
 */
export async function inspectFolder(root: string): Promise<'free' | 'marked' | 'in-use'> {
  const names = await boundedFs.readdir(root);
  if (names.includes(MARK_FILE)) return 'marked';
  for (const n of names) {
    if (n !== TMP_DIR && n !== OBJ_DIR) return 'in-use';
    const st = await boundedFs.lstat(path.join(root, n));
    if (!st.isDirectory() || (await boundedFs.readdir(path.join(root, n))).length > 0) return 'in-use';
  }
  return 'free';
}

/**
 * The filesystem layout's housekeeping. `managed`: the app created the root under its data dir, so deleting the
 * datastore removes the root itself; a folder the admin chose keeps everything that is not the backend's own.
 *
 * What must stay true: `recover` and `dispose` first read the folder's mark and touch nothing unless it names this
 * datastore under a MAC of its mark key (folder-marker.ts): two datastores can never sweep or delete each other's
 * files, and a folder that lost its mark (replaced, unmounted, restored from elsewhere) is left as it is.
 */
export function filesystemHousekeeping(o: { root: string; managed: boolean; datastoreId: string; createdAt: string; markKey: Buffer }): BackendHousekeeping {
  const root = path.resolve(o.root);
  const tmpDir = path.join(root, TMP_DIR);
  const objDir = path.join(root, OBJ_DIR);
  const verify = async () => {
    const c = await readMark(root, o.datastoreId, o.markKey);
    return c.state === 'ours' ? ({ ours: true } as const) : ({ ours: false, missing: c.state === 'missing', reason: describeMark(c) } as const);
  };
  return {
    verify,
    mark: (m) => writeMark(root, { datastoreId: o.datastoreId, createdAt: o.createdAt }, o.markKey, m),
    async recover(isKnown) {
      const v = await verify();
      if (!v.ours) return { refused: v.reason };
      let temp = 0;
      let orphans = 0;
      for (const name of await listOrEmpty(tmpDir)) {
        await boundedFs.removeTree(path.join(tmpDir, name));
        temp += 1;
      }
      for (const shard of await listOrEmpty(objDir)) {
        for (const name of await listOrEmpty(path.join(objDir, shard))) {
          if (isKnown(name)) continue;
          await boundedFs.removeTree(path.join(objDir, shard, name));
          orphans += 1;
        }
      }
      return { temp, orphans };
    },
    async dispose() {
      const v = await verify();
      if (!v.ours) return { refused: v.reason };
      if (o.managed) await boundedFs.removeTree(root);
      else {
        for (const t of [tmpDir, objDir]) await boundedFs.removeTree(t);
        await removeMark(root);
      }
      return null;
    },
  };
}

async function listOrEmpty(dir: string): Promise<string[]> {
  try {
    return await boundedFs.readdir(dir);
  } catch (e) {
    if (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR') return [];
    throw e;
  }
}

/**
 * Writes a new file front to back, each write at a range reserved when it is issued. A background fdatasync
 * starts every SYNC_EVERY bytes; its failure fails the file at the next write or at finish.
 */
class FileWriter {
  private position = 0;
  private sinceSync = 0;
  private syncing: Promise<void> | null = null;
  private syncError: unknown = null;

  constructor(private readonly fh: FileHandle) {}

  /** Appends `length` bytes: the contents of `bufs`, in order (one pwritev, continued if the kernel writes less). */
  async write(bufs: Buffer[], length: number): Promise<void> {
    if (this.syncError) throw this.syncError;
    const at = this.position;
    this.position += length;
    for (let done = 0; done < length; ) {
      let rest = bufs;
      if (done > 0) {
        rest = [];
        let skip = done;
        for (const b of bufs) {
          if (skip >= b.length) skip -= b.length;
          else {
            rest.push(skip ? b.subarray(skip) : b);
            skip = 0;
          }
        }
      }
      const { bytesWritten } = await this.fh.writev(rest, at + done);
      if (bytesWritten === 0) throw Object.assign(new Error('the disk accepted no more bytes'), { code: 'EIO' });
      done += bytesWritten;
    }
    this.sinceSync += length;
    if (this.sinceSync >= SYNC_EVERY && !this.syncing) {
      this.sinceSync = 0;
      this.syncing = this.fh.datasync().then(
        () => void (this.syncing = null),
        (e: unknown) => void ((this.syncError ??= e), (this.syncing = null)),
      );
    }
  }

  /** Resolves once every byte written is on disk (fsync), or rejects with the first failure. */
  async finish(): Promise<void> {
    await this.syncing;
    if (this.syncError) throw this.syncError;
    await this.fh.sync();
  }
}

/**
 * Moves the body into `out` through the lanes: reads are issued ahead (in order, each into its own buffer), and
 * each filled buffer is shown to onData, turned into what is stored by `seal`, and written; its buffer then goes
 * back to reading. With `needsLast`, `seal` learns whether more of the body follows (the encrypted format marks
 * its last chunk), and an empty body is sealed too; lanes are then exactly `laneSize`.
 */
async function pump(
  reader: BodyReader,
  out: FileWriter,
  onData: ((chunk: Buffer) => void) | undefined,
  seal: (data: Buffer, last: boolean) => Buffer[],
  o: { laneSize: number; needsLast: boolean },
): Promise<void> {
  // A body of known size needs no more lanes than it fills (and no larger ones when lanes may be any size); with
  // needsLast there are at least two, one to hold and one to look ahead with (in case the body outgrows its size).
  const hint = reader.sizeHint;
  const size = hint === null || o.needsLast ? o.laneSize : Math.max(1, Math.min(o.laneSize, hint + 1));
  const lanes = hint === null ? LANES : Math.max(o.needsLast ? 2 : 1, Math.min(LANES, Math.ceil((hint + 1) / size)));
  const skew = !o.needsLast && size > SKEW && (hint === null || hint >= size);
  const reads: Array<{ buf: Buffer; n: Promise<number>; lane: Buffer }> = [];
  const read = (buf: Buffer, lane = buf) => {
    const n = reader.fill(buf);
    n.catch(noop); // awaited in order below; a failure ahead of that must not count as unhandled
    reads.push({ buf, n, lane });
  };
  let previous: Promise<void> | null = null;
  let writing: Promise<void> | null = null;
  let done = false;
  // Until the end is found a read is always queued or coming: when none is, the writes in flight give their lanes
  // back to reading once written. (The body may outgrow its size hint, which sized fewer lanes than it needs.)
  const queued = async () => {
    if (reads.length === 0) await Promise.all([previous, writing]);
  };
  try {
    for (let i = 0; i < lanes; i++) {
      const lane = Buffer.allocUnsafeSlow(size);
      // SKEW: the first lane of a plain body is one page short; it is a full lane again once written.
      read(i === 0 && skew ? lane.subarray(0, size - SKEW) : lane, lane);
    }
    for (let first = true; !done; first = false) {
      await queued();
      const { buf, n: filled, lane } = reads.shift()!;
      const n = await filled;
      // A short fill is the end of the body; so is a full one when the next fill finds nothing.
      let last = n < buf.length;
      if (!last && o.needsLast) {
        await queued();
        last = (await reads[0]!.n) === 0;
      }
      done = last;
      if (n === 0 && !(o.needsLast && first)) break;
      const data = buf.subarray(0, n);
      if (n > 0) onData?.(data);
      const pieces = seal(data, last);
      let length = 0;
      for (const p of pieces) length += p.length;
      // Two writes in flight: the next is already queued when one finishes, so writing never waits for a round trip.
      await previous;
      previous = writing;
      writing = out.write(pieces, length).then(() => {
        if (!done) read(lane);
      });
      writing.catch(noop);
    }
    await previous;
    await writing;
  } finally {
    // The file and the body are closed only once nothing is in flight on them (fills issued past the end too). Left
    // early by a failure, no write finishing now may give its lane back to reading: that fill would not be waited for.
    done = true;
    await Promise.allSettled([previous, writing, ...reads.map((r) => r.n)]);
  }
}

/** Plaintext at rest (benchmarks): the body's bytes as they are. */
function writePlain(reader: BodyReader, out: FileWriter, onData?: (chunk: Buffer) => void): Promise<void> {
  return pump(reader, out, onData, (data) => [data], { laneSize: LANE_BYTES, needsLast: false });
}

/**
 * Encrypted at rest, in chunked-cipher's format: a lane is one chunk, sealed into pieces that go to writev as they
 * are (no copy into a buffer of ciphertext). An empty body is still one sealed, empty, final chunk.
 */
function writeSealed(reader: BodyReader, out: FileWriter, key: Buffer, binding: string, onData?: (chunk: Buffer) => void): Promise<void> {
  const sealer = createChunkSealer(key, binding);
  let first = true;
  const seal = (data: Buffer, last: boolean) => {
    const pieces: Buffer[] = first ? [sealer.header] : [];
    first = false;
    pieces.push(...sealer.sealPieces(data, last));
    return pieces;
  };
  return pump(reader, out, onData, seal, { laneSize: sealer.chunkSize, needsLast: true });
}

function PassThroughFrom(buf: Buffer): Readable {
  const p = new PassThrough();
  p.end(buf);
  return p;
}

/** Total bytes of the files under a filesystem datastore's root (what it costs on disk). */
export async function diskUsage(root: string): Promise<number> {
  let total = 0;
  const walk = async (p: string): Promise<void> => {
    for (const e of await fsp.readdir(p, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(p, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) total += (await fsp.stat(full)).size;
    }
  };
  await walk(root);
  return total;
}
