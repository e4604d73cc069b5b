import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BodySource } from '@core/datastores/backends/backend-port';
import { openBodyReader, type BodyReader } from '@core/datastores/backends/body-reader';
import { encryptedSize } from '@core/datastores/backends/chunked-cipher';
import { openFilesystemBackend, type FilesystemPort } from '@core/datastores/backends/filesystem-backend';
import { tempDir } from '../../helpers/test-core';

/**
 * The filesystem backend's copy loop (`pump`) and file writer, watched through its two ports: the body reader (a body
 * in memory behind the BodyReader contract, which records each fill it is asked for, answers it at once or a turn of
 * the event loop later, and sees when it is closed) and the fs port (each write and flush). What is pinned: a body
 * that outgrows its size hint is read to its end; the lanes issued up front (memory per put); no fill past the first
 * short one; what fills past the end answer changes nothing; two writes in flight; nothing in flight once the file
 * and the body are closed; onData never sees an empty chunk; the background flush's threshold and its failure; how a
 * stored object is read back.
 */
const KiB = 1024;
const MiB = 1024 * KiB;

let root: string;
beforeEach(() => void (root = tempDir('p1-fsloop-')));
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
const opts = { contentType: 'application/octet-stream' };
const unused: BodySource = { kind: 'stream', body: Readable.from([]) };

type MemoryBodyOptions = {
  sizeHint?: number | null;
  /** 'later': each fill is answered on a later turn of the event loop (setImmediate), in call order. */
  answer?: 'now' | 'later';
  /** A fill that starts at or past the end of the body rejects with this instead of answering 0. */
  pastEnd?: Error;
};

/** A body in memory behind the BodyReader contract: fills take the bytes after the previous call's, in call order. */
function memoryBody(data: Buffer, o: MemoryBodyOptions = {}) {
  const log = {
    /** Each fill's size, in call order. */
    fills: [] as number[],
    /** The fills issued before any was answered: the lanes the loop starts with. */
    upFront: [] as number[],
    answered: 0,
    pending: 0,
    closes: 0,
    pendingAtClose: [] as number[],
  };
  let next = 0;
  const reader: BodyReader = {
    sizeHint: o.sizeHint ?? null,
    fill(buf, offset = 0) {
      const at = next;
      const want = buf.length - offset;
      next += want;
      log.fills.push(want);
      if (log.answered === 0) log.upFront.push(want);
      log.pending += 1;
      const n = Math.max(0, Math.min(want, data.length - at));
      const answer = () => {
        log.pending -= 1;
        log.answered += 1;
        if (at >= data.length && o.pastEnd) throw o.pastEnd;
        data.copy(buf, offset, at, at + n);
        return n;
      };
      return o.answer === 'later' ? new Promise<void>((r) => setImmediate(r)).then(answer) : Promise.resolve().then(answer);
    },
    async close() {
      log.closes += 1;
      log.pendingAtClose.push(log.pending);
    },
  };
  return { reader, log, openBody: async () => reader };
}

/**
 * An fs port over node:fs/promises that counts the writes in flight, records how many were in flight when the temp
 * file was closed (and calls `onClose` then), and lets a test replace datasync.
 */
function watchedFs(o: { datasync?: (fh: FileHandle) => Promise<void>; onClose?: () => void } = {}) {
  const w = { writes: [] as number[], inFlight: 0, maxInFlight: 0, datasyncs: 0, writesAfterDatasync: 0, atClose: [] as number[] };
  const port: FilesystemPort = {
    open: (async (file: string, flags?: string, mode?: number) => {
      const fh = await fsp.open(file, flags, mode);
      if (!file.endsWith('.part')) return fh;
      return new Proxy(fh, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (prop === 'writev')
            return async (bufs: Buffer[], position: number) => {
              w.writes.push(bufs.reduce((a, b) => a + b.length, 0));
              if (w.datasyncs > 0) w.writesAfterDatasync += 1;
              w.inFlight += 1;
              w.maxInFlight = Math.max(w.maxInFlight, w.inFlight);
              try {
                return await target.writev(bufs, position);
              } finally {
                w.inFlight -= 1;
              }
            };
          if (prop === 'datasync')
            return () => {
              w.datasyncs += 1;
              return o.datasync ? o.datasync(target) : target.datasync();
            };
          if (prop === 'close')
            return () => {
              w.atClose.push(w.inFlight);
              o.onClose?.();
              return target.close();
            };
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    }) as FilesystemPort['open'],
    rename: fsp.rename,
    rm: fsp.rm,
  };
  return { w, port };
}

describe('a local file that grows after its size was taken', () => {
  it.each([
    [false, 1000],
    [false, 600 * KiB],
    [true, 1000],
  ])('is read to its end (encrypted: %s, %d bytes when opened)', async (encrypted, first) => {
    const src = path.join(root, 'growing');
    const head = randomBytes(first);
    const tail = randomBytes(3 * MiB);
    fs.writeFileSync(src, head);
    // The temp file is opened after the body reader took the source's size and before the first read: the file
    // grows in between, as a file still being written does. (One or two lanes were sized for it, fewer than it needs.)
    const grow: FilesystemPort = {
      open: (async (file: string, flags?: string, mode?: number) => {
        if (file.endsWith('.part')) fs.appendFileSync(src, tail);
        return fsp.open(file, flags, mode);
      }) as FilesystemPort['open'],
      rename: fsp.rename,
      rm: fsp.rm,
    };
    fs.mkdirSync(path.join(root, 'store'));
    const b = openFilesystemBackend({ root: path.join(root, 'store'), dataKey: encrypted ? randomBytes(32) : null, fs: grow });
    const { locator } = await b.put('k', { kind: 'file', path: src, size: first }, opts);
    const stored = await readAll(await b.get(locator));
    expect(stored.length).toBe(first + tail.length);
    expect(stored.equals(Buffer.concat([head, tail]))).toBe(true);
  });

  it('a body well past its hint, one lane at a time, is stored whole and closed once', async () => {
    const data = randomBytes(3 * MiB + 7);
    const m = memoryBody(data, { sizeHint: 100, answer: 'later' });
    const b = openFilesystemBackend({ root, dataKey: null, openBody: m.openBody });
    const { locator } = await b.put('k', unused, opts);
    expect((await readAll(await b.get(locator))).equals(data)).toBe(true);
    expect(m.log.upFront).toEqual([101]);
    expect(m.log.closes).toBe(1);
    expect(m.log.pendingAtClose).toEqual([0]);
  });
});

describe('the lanes a put starts with (memory per put)', () => {
  const upFront = async (encrypted: boolean, sizeHint: number | null, length = 1000) => {
    const m = memoryBody(randomBytes(length), { sizeHint, answer: 'later' });
    const b = openFilesystemBackend({ root, dataKey: encrypted ? randomBytes(32) : null, openBody: m.openBody });
    await b.put('k', unused, opts);
    return m.log.upFront;
  };

  it('plain: eight lanes of 512 KiB for a body of unknown size, the first a page short', async () => {
    expect(await upFront(false, null)).toEqual([512 * KiB - 4096, ...Array<number>(7).fill(512 * KiB)]);
  });

  it('plain: a known size needs no more lanes than it fills, and no larger ones; at most eight', async () => {
    expect(await upFront(false, 1000)).toEqual([1001]);
    expect(await upFront(false, 0, 0)).toEqual([1]);
    expect(await upFront(false, 100 * KiB)).toEqual([100 * KiB + 1]);
    expect(await upFront(false, 512 * KiB - 1)).toEqual([512 * KiB]);
    // Exactly one lane: the page skew applies, and the lane after it holds the last page.
    expect(await upFront(false, 512 * KiB)).toEqual([512 * KiB - 4096, 512 * KiB]);
    expect(await upFront(false, 600 * KiB)).toEqual([512 * KiB - 4096, 512 * KiB]);
    // A size that shrank before it was read: the hint still sizes the lanes (a hint of 100 MiB: eight, not 200).
    expect(await upFront(false, 100 * MiB)).toEqual([512 * KiB - 4096, ...Array<number>(7).fill(512 * KiB)]);
  });

  it('encrypted: lanes of one 1 MiB chunk, at least two (one to hold, one to look ahead), at most eight', async () => {
    expect(await upFront(true, null)).toEqual(Array<number>(8).fill(MiB));
    expect(await upFront(true, 1000)).toEqual([MiB, MiB]);
    expect(await upFront(true, 0, 0)).toEqual([MiB, MiB]);
    expect(await upFront(true, 5 * MiB)).toEqual(Array<number>(6).fill(MiB));
    expect(await upFront(true, 100 * MiB)).toEqual(Array<number>(8).fill(MiB));
  });

  it('a plain file of exactly one lane is written a page short first, then its last page', async () => {
    const src = path.join(root, 'one-lane');
    fs.writeFileSync(src, randomBytes(512 * KiB));
    const { w, port } = watchedFs();
    fs.mkdirSync(path.join(root, 'store'));
    const b = openFilesystemBackend({ root: path.join(root, 'store'), dataKey: null, fs: port });
    await b.put('k', { kind: 'file', path: src, size: 512 * KiB }, opts);
    expect(w.writes).toEqual([512 * KiB - 4096, 4096]);
  });
});

describe('the end of the body', () => {
  it('a short fill is the end: no fill is issued after it', async () => {
    const plain = memoryBody(randomBytes(1000), { sizeHint: 1000 });
    await openFilesystemBackend({ root, dataKey: null, openBody: plain.openBody }).put('p', unused, opts);
    expect(plain.log.fills).toEqual([1001]);

    const sealed = memoryBody(randomBytes(1000), { sizeHint: 1000 });
    await openFilesystemBackend({ root, dataKey: randomBytes(32), openBody: sealed.openBody }).put('s', unused, opts);
    expect(sealed.log.fills).toEqual([MiB, MiB]);
  });

  it.each([false, true])('what the fills issued past a short one answer, even a failure, changes nothing (encrypted: %s)', async (encrypted) => {
    const data = randomBytes(300 * KiB + 3);
    const failure = Object.assign(new Error('read past the end failed'), { code: 'EIO' });
    const m = memoryBody(data, { answer: 'later', pastEnd: failure });
    const b = openFilesystemBackend({ root, dataKey: encrypted ? randomBytes(32) : null, openBody: m.openBody });
    const { locator } = await b.put('k', unused, opts);
    expect((await readAll(await b.get(locator))).equals(data)).toBe(true);
    expect(m.log.fills).toHaveLength(8);
    expect(m.log.pendingAtClose).toEqual([0]);
  });

  it.each([false, true])('onData never sees an empty chunk, also for an empty body (encrypted: %s)', async (encrypted) => {
    for (const length of [0, 1, 512 * KiB - 4096, MiB, 2 * MiB + 1]) {
      const sizes: number[] = [];
      const data = randomBytes(length);
      const b = openFilesystemBackend({ root, dataKey: encrypted ? randomBytes(32) : null });
      const { locator } = await b.put('k', { kind: 'stream', body: Readable.from(length ? [data] : []) }, { ...opts, onData: (c) => void sizes.push(c.length) });
      expect(sizes.every((s) => s > 0)).toBe(true);
      expect(sizes.reduce((a, s) => a + s, 0)).toBe(length);
      expect((await readAll(await b.get(locator))).equals(data)).toBe(true);
    }
  });
});

describe('what is in flight', () => {
  it.each([false, true])('two writes in flight: the next is issued before the previous one completes, never three (encrypted: %s)', async (encrypted) => {
    const data = randomBytes(6 * MiB + 5);
    const m = memoryBody(data);
    const { w, port } = watchedFs();
    const b = openFilesystemBackend({ root, dataKey: encrypted ? randomBytes(32) : null, fs: port, openBody: m.openBody });
    const { locator } = await b.put('k', unused, opts);
    expect(w.maxInFlight).toBe(2);
    expect((await readAll(await b.get(locator))).equals(data)).toBe(true);
  });

  it.each([1, 2])('a put failing at chunk %d closes the file and the body only once no fill and no write is in flight', async (failAt) => {
    const m = memoryBody(randomBytes(6 * MiB), { answer: 'later' });
    const fillsAtFileClose: number[] = [];
    const { w, port } = watchedFs({ onClose: () => void fillsAtFileClose.push(m.log.pending) });
    const b = openFilesystemBackend({ root, dataKey: randomBytes(32), fs: port, openBody: m.openBody });
    const refused = new Error('onData refused the chunk');
    let chunks = 0;
    const onData = () => {
      chunks += 1;
      if (chunks === failAt) throw refused;
    };
    await expect(b.put('k', unused, { ...opts, onData })).rejects.toBe(refused);
    expect(w.atClose).toEqual([0]);
    expect(fillsAtFileClose).toEqual([0]);
    expect(m.log.closes).toBe(1);
    expect(m.log.pendingAtClose).toEqual([0]);
    expect(fs.readdirSync(path.join(root, '.tmp'))).toEqual([]);
  });

  it('a failed fill fails the put; the body is still closed, once, with nothing in flight', async () => {
    const failure = Object.assign(new Error('body read failed'), { code: 'ECONNRESET' });
    const m = memoryBody(Buffer.alloc(0), { answer: 'later', pastEnd: failure });
    const b = openFilesystemBackend({ root, dataKey: null, openBody: m.openBody });
    await expect(b.put('k', unused, opts)).rejects.toBe(failure);
    expect(m.log.closes).toBe(1);
    expect(m.log.pendingAtClose).toEqual([0]);
  });
});

describe('background flushes', () => {
  it('a flush starts once exactly 16 MiB are written, and again at the next 16 MiB', async () => {
    // Lanes of exactly 512 KiB without the page skew (a hint of 512 KiB - 1), so the 32nd write ends at 16 MiB.
    const m = memoryBody(randomBytes(32 * MiB), { sizeHint: 512 * KiB - 1 });
    const { w, port } = watchedFs({ datasync: async () => undefined });
    const b = openFilesystemBackend({ root, dataKey: null, fs: port, openBody: m.openBody });
    await b.put('k', unused, opts);
    expect(w.writes).toHaveLength(64);
    expect(w.datasyncs).toBe(2);
  });

  it('a failed flush stops the writes: the put fails without writing the rest of the body', async () => {
    const failure = Object.assign(new Error('flush failed'), { code: 'EIO' });
    const m = memoryBody(randomBytes(40 * MiB));
    const { w, port } = watchedFs({ datasync: async () => Promise.reject(failure) });
    const b = openFilesystemBackend({ root, dataKey: null, fs: port, openBody: m.openBody });
    await expect(b.put('k', unused, opts)).rejects.toBe(failure);
    expect(w.datasyncs).toBe(1);
    expect(w.writesAfterDatasync).toBeLessThanOrEqual(2);
    expect(fs.readdirSync(path.join(root, '.tmp'))).toEqual([]);
  });
});

describe('reading back and the probe', () => {
  it.each([false, true])('a stored object is read back in 1 MiB pieces (encrypted: %s)', async (encrypted) => {
    const data = randomBytes(3 * MiB);
    const b = openFilesystemBackend({ root, dataKey: encrypted ? randomBytes(32) : null });
    const { locator } = await b.put('k', { kind: 'stream', body: Readable.from([data]) }, opts);
    const s = await b.get(locator);
    expect(s.readableHighWaterMark).toBe(MiB);
    const sizes: number[] = [];
    for await (const c of s) sizes.push((c as Buffer).length);
    expect(sizes).toEqual([MiB, MiB, MiB]);
    if (encrypted) expect(fs.statSync(path.join(root, 'objects', locator.slice(0, 2), locator)).size).toBe(encryptedSize(data.length));
  });

  it('the probe writes 64 random bytes as a stream body, closes it, and removes what it wrote', async () => {
    const seen: Array<{ kind: string; bytes: number }> = [];
    const b = openFilesystemBackend({
      root,
      dataKey: randomBytes(32),
      openBody: async (source, signal) => {
        const r = await openBodyReader(source, signal);
        const entry = { kind: source.kind, bytes: 0 };
        seen.push(entry);
        const fill = async (buf: Buffer, offset?: number) => {
          const n = await r.fill(buf, offset);
          entry.bytes += n;
          return n;
        };
        return { sizeHint: r.sizeHint, fill, close: () => r.close() };
      },
    });
    await b.test();
    await b.test();
    expect(seen).toEqual([
      { kind: 'stream', bytes: 64 },
      { kind: 'stream', bytes: 64 },
    ]);
    expect(fs.readdirSync(path.join(root, 'objects')).flatMap((d) => fs.readdirSync(path.join(root, 'objects', d)))).toEqual([]);
  });
});
