import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encryptedSize } from '@core/datastores/backends/chunked-cipher';
import { diskUsage, filesystemHousekeeping, inspectFolder, openFilesystemBackend, type FilesystemPort } from '@core/datastores/backends/filesystem-backend';
import { MARK_FILE } from '@core/datastores/backends/folder-marker';
import type { BodySource } from '@core/datastores/backends/backend-port';
import { tempDir } from '../../helpers/test-core';

/**
 * The filesystem backend's own failure paths and edges, through its fs port (backend-contract.test.ts holds what every
 * backend must do): a disk that takes fewer bytes than asked, or none; the background and final syncs failing; a
 * failed rename; what each failure leaves (nothing) and closes (the file); the reachability probe reading back wrong
 * bytes; the folder inspection and housekeeping of odd layouts; the disk usage walk.
 */
const MiB = 1024 * 1024;

let root: string;
beforeEach(() => void (root = tempDir('p1-fsbe-')));
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const files = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)) : [];
const leftovers = () => [...files(path.join(root, '.tmp')), ...files(path.join(root, 'objects'))];

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
const body = (data: Buffer, piece = 64 * 1024): BodySource => ({
  kind: 'stream',
  body: Readable.from((function* () {
    for (let i = 0; i < data.length; i += piece) yield data.subarray(i, i + piece);
  })()),
});
const opts = { contentType: 'application/octet-stream' };

type HandleHooks = Partial<Record<'writev' | 'sync' | 'datasync' | 'close' | 'createReadStream', (fh: FileHandle, file: string, ...args: never[]) => unknown>>;

/** An fs port that records each call with its file and lets a test replace a handle's methods. */
function port(hooks: HandleHooks = {}, more: Partial<FilesystemPort> = {}) {
  const calls: string[] = [];
  const p: FilesystemPort = {
    open: (async (file: string, flags?: string, mode?: number) => {
      const fh = await fsp.open(file, flags, mode);
      calls.push(`open ${file} ${flags}`);
      return new Proxy(fh, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (typeof v !== 'function') return v;
          return (...args: unknown[]) => {
            if (prop === 'writev' || prop === 'sync' || prop === 'datasync' || prop === 'close') calls.push(`${String(prop)} ${file}`);
            const hook = hooks[prop as keyof HandleHooks];
            if (hook) return (hook as (...a: unknown[]) => unknown)(target, file, ...args);
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    }) as FilesystemPort['open'],
    rename: more.rename ?? ((from, to) => (calls.push(`rename ${String(from)} ${String(to)}`), fsp.rename(from, to))),
    rm: async (p2, o) => {
      calls.push(`rm ${String(p2)}`);
      return fsp.rm(p2, o);
    },
  };
  return { calls, port: p };
}

describe.each([false, true])('writes that the disk takes in part (encrypted: %s)', (encrypted) => {
  it('a disk that takes fewer bytes than asked gets the rest, in order, at the right offsets', async () => {
    // At most 1000 bytes per write, cut anywhere: inside a buffer, or on a buffer's boundary.
    const partial = (fh: FileHandle, _file: string, bufs: Buffer[], position: number) => {
      const flat = Buffer.concat(bufs);
      const cut = Math.min(flat.length, 1000 + (position % 7));
      return fh.write(flat.subarray(0, cut), 0, cut, position).then((r) => ({ bytesWritten: r.bytesWritten, buffers: bufs }));
    };
    const { port: p } = port({ writev: partial as never });
    const b = openFilesystemBackend({ root, dataKey: encrypted ? randomBytes(32) : null, fs: p });
    const data = randomBytes(600 * 1024 + 13);
    const { locator } = await b.put('k', body(data), opts);
    expect((await readAll(await b.get(locator))).equals(data)).toBe(true);
    const stored = path.join(root, 'objects', locator.slice(0, 2), locator);
    expect(fs.statSync(stored).size).toBe(encrypted ? encryptedSize(data.length) : data.length);
    expect(fs.statSync(stored).mode & 0o777).toBe(0o600);
  });

  it('a disk that takes no bytes fails the put with EIO, closes the file and leaves nothing', async () => {
    const { calls, port: p } = port({ writev: (async () => ({ bytesWritten: 0, buffers: [] })) as never });
    const b = openFilesystemBackend({ root, dataKey: encrypted ? randomBytes(32) : null, fs: p });
    await expect(b.put('k', body(randomBytes(100 * 1024)), opts)).rejects.toMatchObject({ code: 'EIO', message: 'the disk accepted no more bytes' });
    expect(leftovers()).toEqual([]);
    const tmp = calls.find((c) => c.startsWith('open '))!.split(' ')[1]!;
    expect(calls).toContain(`close ${tmp}`);
    expect(calls).toContain(`rm ${tmp}`);
    expect(calls.filter((c) => c.startsWith('rename'))).toEqual([]);
  });
});

describe('syncs', () => {
  it('a large body is flushed in the background every 16 MiB, and the file is fsynced once at the end', async () => {
    const { calls, port: p } = port();
    const b = openFilesystemBackend({ root, dataKey: null, fs: p });
    const data = randomBytes(40 * MiB);
    const { locator } = await b.put('big', body(data, MiB), opts);
    const tmp = path.join(root, '.tmp', `${locator}.part`);
    const datasyncs = calls.filter((c) => c === `datasync ${tmp}`).length;
    expect(datasyncs).toBeGreaterThanOrEqual(1);
    expect(datasyncs).toBeLessThanOrEqual(2);
    expect(calls.filter((c) => c === `sync ${tmp}`)).toHaveLength(1);
    expect(calls.lastIndexOf(`datasync ${tmp}`)).toBeLessThan(calls.indexOf(`sync ${tmp}`));
    expect((await readAll(await b.get(locator))).equals(data)).toBe(true);
  });

  it('a small body is not flushed in the background', async () => {
    const { calls, port: p } = port();
    const b = openFilesystemBackend({ root, dataKey: randomBytes(32), fs: p });
    await b.put('small', body(randomBytes(3 * MiB)), opts);
    expect(calls.filter((c) => c.startsWith('datasync'))).toEqual([]);
  });

  it('a failed background flush fails the put with its error and leaves nothing', async () => {
    const failure = Object.assign(new Error('flush failed'), { code: 'EIO' });
    const { port: p } = port({ datasync: (async () => Promise.reject(failure)) as never });
    const b = openFilesystemBackend({ root, dataKey: null, fs: p });
    await expect(b.put('big', body(randomBytes(34 * MiB), MiB), opts)).rejects.toBe(failure);
    expect(leftovers()).toEqual([]);
  });

  it('a failed final fsync fails the put, closes the file, renames nothing and leaves nothing', async () => {
    const failure = Object.assign(new Error('fsync failed'), { code: 'EIO' });
    const { calls, port: p } = port({ sync: (async (_fh: FileHandle, file: string) => (file.endsWith('.part') ? Promise.reject(failure) : undefined)) as never });
    const b = openFilesystemBackend({ root, dataKey: randomBytes(32), fs: p });
    await expect(b.put('k', body(randomBytes(1000)), opts)).rejects.toBe(failure);
    expect(leftovers()).toEqual([]);
    expect(calls.filter((c) => c.startsWith('close '))).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('rename'))).toEqual([]);
  });

  it('a failed rename leaves nothing; the directory sync closes its handle', async () => {
    const failure = Object.assign(new Error('rename failed'), { code: 'EXDEV' });
    const { port: p } = port({}, { rename: async () => Promise.reject(failure) });
    const b = openFilesystemBackend({ root, dataKey: null, fs: p });
    await expect(b.put('k', body(randomBytes(1000)), opts)).rejects.toBe(failure);
    expect(leftovers()).toEqual([]);

    const ok = port();
    const b2 = openFilesystemBackend({ root, dataKey: null, fs: ok.port });
    const { locator } = await b2.put('k', body(randomBytes(1000)), opts);
    const dir = path.join(root, 'objects', locator.slice(0, 2));
    const dirCalls = ok.calls.filter((c) => c.endsWith(` ${dir}`) || c.endsWith(` ${dir} r`));
    expect(dirCalls).toEqual([`open ${dir} r`, `sync ${dir}`, `close ${dir}`]);
  });

  it('a put cancelled once its last bytes were read stores nothing', async () => {
    const b = openFilesystemBackend({ root, dataKey: null });
    const ctrl = new AbortController();
    const data = randomBytes(10_000);
    let seen = 0;
    const onData = (c: Buffer) => {
      seen += c.length;
      if (seen === data.length) ctrl.abort();
    };
    await expect(b.put('k', body(data), { ...opts, signal: ctrl.signal, onData })).rejects.toMatchObject({ name: 'AbortError' });
    expect(leftovers()).toEqual([]);
  });
});

describe('get and the reachability probe', () => {
  it('plaintext at rest is read as it is; encrypted at rest is decrypted', async () => {
    const plain = openFilesystemBackend({ root, dataKey: null });
    const data = Buffer.from('plain bytes at rest');
    const { locator } = await plain.put('p', body(data), opts);
    expect(fs.readFileSync(path.join(root, 'objects', locator.slice(0, 2), locator))).toEqual(data);
    expect(await readAll(await plain.get(locator))).toEqual(data);
  });

  it('a probe that reads back different bytes fails the test, and is removed', async () => {
    const { port: p } = port({
      createReadStream: ((fh: FileHandle) => {
        const out = new PassThrough();
        void fh.readFile().then((buf) => {
          const b2 = Buffer.from(buf);
          if (b2.length > 0) b2[0] = b2[0]! ^ 1;
          out.end(b2);
        });
        return out;
      }) as never,
    });
    const b = openFilesystemBackend({ root, dataKey: null, fs: p });
    await expect(b.test()).rejects.toThrow('the probe object read back differently');
    expect(leftovers()).toEqual([]);
    const ok = openFilesystemBackend({ root, dataKey: randomBytes(32) });
    await expect(ok.test()).resolves.toBeUndefined();
    expect(leftovers()).toEqual([]);
  });

  it('the layout is made by the first write; a layout that could not be made is tried again by the next write', async () => {
    const b = openFilesystemBackend({ root, dataKey: null });
    expect(fs.readdirSync(root)).toEqual([]);
    await b.put('a', body(Buffer.from('a')), opts);
    expect(fs.readdirSync(root).sort()).toEqual(['.tmp', 'objects']);

    const later = path.join(root, 'not-yet');
    const b2 = openFilesystemBackend({ root: later, dataKey: null });
    await expect(b2.put('b', body(Buffer.from('b')), opts)).rejects.toMatchObject({ code: 'ENOENT' });
    fs.mkdirSync(later);
    const { locator } = await b2.put('c', body(Buffer.from('c')), opts);
    expect((await readAll(await b2.get(locator))).toString()).toBe('c');
  });
});

describe('folder inspection and housekeeping of odd layouts', () => {
  it('inspectFolder: free, marked, or in use by anything but an empty layout of its own', async () => {
    expect(await inspectFolder(root)).toBe('free');
    fs.mkdirSync(path.join(root, '.tmp'));
    fs.mkdirSync(path.join(root, 'objects'));
    expect(await inspectFolder(root)).toBe('free');
    fs.writeFileSync(path.join(root, 'objects', 'x'), 'x');
    expect(await inspectFolder(root)).toBe('in-use');
    fs.rmSync(path.join(root, 'objects', 'x'));
    fs.writeFileSync(path.join(root, '.tmp', 'y.part'), 'y');
    expect(await inspectFolder(root)).toBe('in-use');
    fs.rmSync(path.join(root, '.tmp'), { recursive: true });
    fs.writeFileSync(path.join(root, '.tmp'), 'a file, not the layout');
    expect(await inspectFolder(root)).toBe('in-use');
    fs.rmSync(path.join(root, '.tmp'));
    fs.writeFileSync(path.join(root, 'notes.txt'), 'n');
    expect(await inspectFolder(root)).toBe('in-use');
    fs.writeFileSync(path.join(root, MARK_FILE), 'm');
    expect(await inspectFolder(root)).toBe('marked');
  });

  const hk = (managed: boolean) =>
    filesystemHousekeeping({ root, managed, datastoreId: 'ds-odd', createdAt: '2026-01-01T00:00:00.000Z', markKey: Buffer.alloc(32, 3) });

  it('recover in a marked folder without a layout, or whose objects/ is a file, finds nothing to sweep', async () => {
    await hk(false).mark({ replace: false });
    expect(await hk(false).verify()).toEqual({ ours: true });
    expect(await hk(false).recover(() => false)).toEqual({ temp: 0, orphans: 0 });
    fs.writeFileSync(path.join(root, 'objects'), 'not a folder');
    expect(await hk(false).recover(() => false)).toEqual({ temp: 0, orphans: 0 });
    expect(fs.readFileSync(path.join(root, 'objects'), 'utf8')).toBe('not a folder');
  });

  it('recover counts every temp file and every unknown object across shards', async () => {
    const b = openFilesystemBackend({ root, dataKey: null });
    const kept: string[] = [];
    for (let i = 0; i < 6; i++) kept.push((await b.put(`k${i}`, body(Buffer.from(String(i))), opts)).locator);
    fs.writeFileSync(path.join(root, '.tmp', 'a.part'), 'a');
    fs.writeFileSync(path.join(root, '.tmp', 'b.part'), 'b');
    await hk(false).mark({ replace: false });
    expect(await hk(false).recover((l) => l === kept[0] || l === kept[1])).toEqual({ temp: 2, orphans: 4 });
    expect(files(path.join(root, 'objects')).map((f) => path.basename(f)).sort()).toEqual([kept[0], kept[1]].sort());
  });

  it('verify reports a missing mark as missing, and a foreign one as not missing', async () => {
    expect(await hk(false).verify()).toMatchObject({ ours: false, missing: true });
    await filesystemHousekeeping({ root, managed: false, datastoreId: 'someone-else', createdAt: '2026-01-01T00:00:00.000Z', markKey: Buffer.alloc(32, 3) }).mark({
      replace: false,
    });
    expect(await hk(false).verify()).toMatchObject({ ours: false, missing: false });
  });

  it('dispose of a chosen folder removes its layout and mark only; of a managed one, the folder', async () => {
    const b = openFilesystemBackend({ root, dataKey: null });
    await b.put('x', body(Buffer.from('x')), opts);
    fs.writeFileSync(path.join(root, 'keep.txt'), 'k');
    await hk(false).mark({ replace: false });
    expect(await hk(false).dispose()).toBeNull();
    expect(fs.readdirSync(root)).toEqual(['keep.txt']);
    await hk(true).mark({ replace: false });
    expect(await hk(true).dispose()).toBeNull();
    expect(fs.existsSync(root)).toBe(false);
  });
});

describe('diskUsage', () => {
  it('adds up the sizes of the files under the root, at any depth; a missing root is 0', async () => {
    fs.mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'one'), Buffer.alloc(10));
    fs.writeFileSync(path.join(root, 'a', 'two'), Buffer.alloc(200));
    fs.writeFileSync(path.join(root, 'a', 'b', 'three'), Buffer.alloc(3000));
    fs.symlinkSync(path.join(root, 'a', 'b', 'three'), path.join(root, 'link'));
    expect(await diskUsage(root)).toBe(3210);
    expect(await diskUsage(path.join(root, 'missing'))).toBe(0);
  });
});

/**
 * How a body is cut into writes: the tuning filesystem-backend.ts describes (lanes of 512 KiB, a plain body's first lane
 * one page short, a known size sizing the lanes, an encrypted lane being one 1 MiB chunk with its header and tag). A
 * change here is not a data bug, but it is the measured behaviour the comments promise, so it is pinned.
 */
describe('the writes a body is cut into', () => {
  async function writes(source: (dir: string) => BodySource, encrypted: boolean): Promise<number[]> {
    const lengths: number[] = [];
    const { port: p } = port({
      writev: ((fh: FileHandle, _file: string, bufs: Buffer[], position: number) => {
        lengths.push(bufs.reduce((a, x) => a + x.length, 0));
        return fh.writev(bufs, position);
      }) as never,
    });
    const b = openFilesystemBackend({ root, dataKey: encrypted ? randomBytes(32) : null, fs: p });
    await b.put('k', source(root), opts);
    return lengths;
  }
  const KiB = 1024;
  const file = (size: number) => (dir: string): BodySource => {
    const f = path.join(dir, `src-${size}`);
    fs.writeFileSync(f, randomBytes(size));
    return { kind: 'file', path: f, size };
  };

  it('a plain stream: lanes of 512 KiB, the first one page short', async () => {
    expect(await writes(() => body(randomBytes(2 * MiB + 5), 100 * KiB), false)).toEqual([512 * KiB - 4096, 512 * KiB, 512 * KiB, 512 * KiB, 4096 + 5]);
  });

  it('a plain file of known size: one lane of its size when it fits; the page skew only when it fills a lane', async () => {
    expect(await writes(file(1000), false)).toEqual([1000]);
    expect(await writes(file(100 * KiB), false)).toEqual([100 * KiB]);
    expect(await writes(file(600 * KiB), false)).toEqual([512 * KiB - 4096, 88 * KiB + 4096]);
    expect(await writes(file(1), false)).toEqual([1]);
    expect(await writes(file(0), false)).toEqual([]);
  });

  it('encrypted: one chunk per write, the header with the first, a tag with each; an empty body is one sealed chunk', async () => {
    expect(await writes(() => body(randomBytes(2 * MiB + 5), 100 * KiB), true)).toEqual([14 + MiB + 16, MiB + 16, 5 + 16]);
    expect(await writes(file(MiB), true)).toEqual([14 + MiB + 16]); // a full last chunk is marked last: no empty chunk after it
    expect(await writes(file(1000), true)).toEqual([14 + 1000 + 16]);
    expect(await writes(file(0), true)).toEqual([14 + 16]);
  });
});

describe('more edges', () => {
  it('says it is a filesystem backend, rooted where it was opened', () => {
    const b = openFilesystemBackend({ root: path.join(root, 'x', '..', 'store'), dataKey: null });
    expect(b.type).toBe('filesystem');
    expect(b.root).toBe(path.join(root, 'store'));
  });

  it('an empty folder of another name is not its layout: in use', async () => {
    fs.mkdirSync(path.join(root, 'other'));
    expect(await inspectFolder(root)).toBe('in-use');
  });

  it('recover fails on an unreadable layout (a symlink loop) instead of taking it for empty', async () => {
    const h = filesystemHousekeeping({ root, managed: false, datastoreId: 'ds-loop', createdAt: '2026-01-01T00:00:00.000Z', markKey: Buffer.alloc(32, 5) });
    await h.mark({ replace: false });
    fs.symlinkSync('objects', path.join(root, 'objects'));
    await expect(h.recover(() => false)).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('a background flush that fails after the last write still fails the put', async () => {
    const failure = Object.assign(new Error('late flush failure'), { code: 'EIO' });
    const { port: p } = port({ datasync: (() => new Promise((_, reject) => setTimeout(() => reject(failure), 200))) as never });
    const b = openFilesystemBackend({ root, dataKey: null, fs: p });
    await expect(b.put('k', body(randomBytes(16 * MiB + 100 * 1024), MiB), opts)).rejects.toBe(failure);
    expect(leftovers()).toEqual([]);
  });

  it('a temp file that cannot be created fails the put with that error, not with the clean-up’s', async () => {
    const b = openFilesystemBackend({ root, dataKey: null });
    await b.put('first', body(Buffer.from('x')), opts); // makes the layout
    fs.rmSync(path.join(root, '.tmp'), { recursive: true });
    await expect(b.put('k', body(Buffer.from('y')), opts)).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
  });
});
