import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BodySource, ObjectBackend } from '@core/datastores/backends/backend-port';
import { encryptedSize } from '@core/datastores/backends/chunked-cipher';
import { filesystemHousekeeping, inspectFolder, openFilesystemBackend, type FilesystemPort } from '@core/datastores/backends/filesystem-backend';
import { MARK_FILE } from '@core/datastores/backends/folder-marker';
import { openS3Backend } from '@core/datastores/backends/s3-backend';
import { tempDir } from '../../helpers/test-core';
import { S3RVER_CREDS, startS3rver } from '../../helpers/s3rver';
import { sealReference } from '../../helpers/chunked-format';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A body delivered in pieces, like a network upload. */
function chunked(data: Buffer, piece = 256 * 1024): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < data.length; i += piece) yield data.subarray(i, i + piece);
  })());
}

/** A stream body, as the service passes an HTTP request or a step's text. */
const stream = (body: Readable): BodySource => ({ kind: 'stream', body });

/** Resolves once the backend has taken at least `n` bytes of the body (its onData hook): the upload is under way. */
function progress(n: number) {
  let seen = 0;
  let reached!: () => void;
  const until = new Promise<void>((r) => (reached = r));
  return {
    onData: (c: Buffer) => {
      seen += c.length;
      if (seen >= n) reached();
    },
    until,
  };
}

/** A body that sends `head` bytes and then waits forever, so the test can cancel it mid-upload. */
function stalled(head: Buffer): PassThrough {
  const p = new PassThrough();
  p.write(head);
  return p;
}

type Fixture = {
  name: string;
  open(): Promise<ObjectBackend>;
  /** Nothing half-written may remain after a cancelled or failed put. */
  leftovers(): number;
  /** What is stored for a locator, as raw bytes at rest (null when the backend cannot tell). */
  atRest(locator: string): Buffer | null;
  close(): Promise<void>;
};

let s3: Awaited<ReturnType<typeof startS3rver>> | undefined;
let s3Starting: Promise<NonNullable<typeof s3>> | null = null;
/**
 * s3rver starts with the first test that needs it, so a run of the filesystem tests alone (a mutation run picks tests
 * by name) does not start and stop a server it never uses.
 */
const s3Server = () =>
  (s3Starting ??= (async () => {
    const s = await startS3rver();
    await s.createBucket('contract');
    return (s3 = s);
  })());
afterAll(async () => s3?.stop());

function fsFixture(encrypted: boolean): Fixture {
  const root = tempDir('p1-fsb-');
  let b: ReturnType<typeof openFilesystemBackend>;
  const files = (dir: string): string[] =>
    fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)) : [];
  return {
    name: encrypted ? 'filesystem (encrypted)' : 'filesystem (plain)',
    open: async () => (b = openFilesystemBackend({ root, dataKey: encrypted ? randomBytes(32) : null })),
    leftovers: () => files(path.join(root, '.tmp')).length + files(path.join(root, 'objects')).length,
    atRest: (locator) => fs.readFileSync(path.join(root, 'objects', locator.slice(0, 2), locator)),
    close: async () => {
      b?.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Multipart uploads started and neither completed nor aborted, seen on the wire. s3rver does not implement
 * AbortMultipartUpload (it answers MethodNotAllowed and keeps the parts), so what the contract can check
 * against it is that the backend always sends the abort; real S3 then discards the parts.
 */
function watchMultipart(b: ReturnType<typeof openS3Backend>) {
  const open = new Set<string>();
  b.client.middlewareStack.add(
    (next, ctx) => async (args) => {
      const input = args.input as { UploadId?: string };
      if (ctx.commandName === 'AbortMultipartUploadCommand' || ctx.commandName === 'CompleteMultipartUploadCommand') open.delete(input.UploadId!);
      const out = await next(args);
      if (ctx.commandName === 'CreateMultipartUploadCommand') open.add((out.output as { UploadId: string }).UploadId);
      return out;
    },
    { step: 'initialize', name: 'watchMultipart' },
  );
  return open;
}

function s3Fixture(): Fixture {
  let b: ReturnType<typeof openS3Backend>;
  let open = new Set<string>();
  return {
    name: 's3 (s3rver)',
    open: async () => {
      b = openS3Backend({
        endpoint: (await s3Server()).endpoint,
        region: 'us-east-1',
        bucket: 'contract',
        prefix: `run-${randomBytes(4).toString('hex')}/`,
        forcePathStyle: true,
        ...S3RVER_CREDS,
        partSize: 5 * MiB,
        queueSize: 2,
      });
      open = watchMultipart(b);
      return b;
    },
    leftovers: () => open.size,
    atRest: () => null,
    close: async () => b?.close(),
  };
}

const fixtures: Array<() => Fixture> = [() => fsFixture(true), () => fsFixture(false), () => s3Fixture()];

describe.each(fixtures.map((f) => [f().name, f] as const))('object backend contract: %s', (_name, make) => {
  let fx: Fixture;
  let b: ObjectBackend;
  beforeAll(async () => {
    fx = make();
    b = await fx.open();
  }, 30_000);
  afterAll(async () => fx.close());

  it('stores and returns bytes exactly, small and empty', async () => {
    for (const data of [Buffer.from('hello, datastore\n'), Buffer.alloc(0), randomBytes(MiB + 17)]) {
      const { locator } = await b.put('reports/a.bin', stream(chunked(data)), { contentType: 'application/octet-stream' });
      expect(sha(await readAll(await b.get(locator)))).toBe(sha(data));
    }
  });

  it('streams a multi-part body (12 MiB, larger than one part) and reads it back intact', async () => {
    const data = randomBytes(12 * MiB + 3);
    const { locator } = await b.put('big/file.bin', stream(chunked(data)), { contentType: 'application/octet-stream' });
    expect(sha(await readAll(await b.get(locator)))).toBe(sha(data));
    await b.remove(locator);
  });

  it('stores bodies of every size around its buffer, chunk and part boundaries, from a stream or straight from a file', async () => {
    const dir = tempDir('p1-src-');
    try {
      for (const size of [1, 100 * 1024, MiB, 4 * MiB, 4 * MiB + 1, 5 * MiB, 9 * MiB + 5]) {
        const data = randomBytes(size);
        const file = path.join(dir, `${size}.bin`);
        fs.writeFileSync(file, data);
        const sources: BodySource[] = [stream(chunked(data, 300 * 1024 + 7)), stream(fs.createReadStream(file)), { kind: 'file', path: file, size }];
        for (const body of sources) {
          // onData sees every byte once, in order (the service's size and SHA-256 come from it).
          const seen = createHash('sha256');
          let seenBytes = 0;
          const onData = (c: Buffer) => {
            seen.update(c);
            seenBytes += c.length;
          };
          const { locator } = await b.put(`sizes/${size}.bin`, body, { contentType: 'application/octet-stream', onData });
          expect([seenBytes, seen.digest('hex')]).toEqual([size, sha(data)]);
          expect(sha(await readAll(await b.get(locator)))).toBe(sha(data));
          await b.remove(locator);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stores exactly the bytes a file stream would deliver: a start offset, or a stream already read from', async () => {
    const dir = tempDir('p1-src-');
    try {
      const data = randomBytes(2 * MiB + 11);
      const file = path.join(dir, 'src.bin');
      fs.writeFileSync(file, data);
      const ranged = await b.put('ranged.bin', stream(fs.createReadStream(file, { start: 1000 })), { contentType: 'application/octet-stream' });
      expect(sha(await readAll(await b.get(ranged.locator)))).toBe(sha(data.subarray(1000)));
      // A stream that has delivered its first chunk already: only the rest is the body.
      const started = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
      const head = await new Promise<Buffer>((resolve) => started.once('data', (c) => (started.pause(), resolve(c as Buffer))));
      const rest = await b.put('rest.bin', stream(started), { contentType: 'application/octet-stream' });
      expect(sha(await readAll(await b.get(rest.locator)))).toBe(sha(data.subarray(head.length)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a failing onData (the service's size limit) fails the put with its error, leaves nothing behind, and leaves the caller's stream to the caller", async () => {
    const before = fx.leftovers();
    const tooLarge = Object.assign(new Error('the upload is larger than allowed'), { code: 'PAYLOAD_TOO_LARGE' });
    let seen = 0;
    const onData = (c: Buffer) => {
      seen += c.length;
      if (seen > 2 * MiB) throw tooLarge;
    };
    const body = chunked(randomBytes(11 * MiB));
    await expect(b.put('limited.bin', stream(body), { contentType: 'application/octet-stream', onData })).rejects.toBe(tooLarge);
    expect(fx.leftovers()).toBe(before);
    if (b.head) expect(await b.head('limited.bin')).toBeNull();
    // An HTTP request body stays open, so the server can still answer it (a 413, not a reset connection).
    expect(body.destroyed).toBe(false);
  });

  it('reads a file source from its path to its end, whatever size the caller saw; a missing file fails and leaves nothing', async () => {
    const dir = tempDir('p1-src-');
    try {
      const data = randomBytes(6 * MiB + 5);
      const file = path.join(dir, 'grown.bin');
      fs.writeFileSync(file, data);
      // The size is a hint (the file grew after it was looked at): every byte the file holds is stored.
      const { locator } = await b.put('grown.bin', { kind: 'file', path: file, size: 1000 }, { contentType: 'application/octet-stream' });
      expect(sha(await readAll(await b.get(locator)))).toBe(sha(data));
      await b.remove(locator);
      const before = fx.leftovers();
      await expect(b.put('gone.bin', { kind: 'file', path: path.join(dir, 'missing.bin'), size: 10 }, { contentType: 'application/octet-stream' })).rejects.toMatchObject({
        code: 'ENOENT',
      });
      expect(fx.leftovers()).toBe(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('removes idempotently', async () => {
    const { locator } = await b.put('gone.txt', stream(chunked(Buffer.from('x'))), { contentType: 'text/plain' });
    await b.remove(locator);
    await b.remove(locator);
    await expect((async () => readAll(await b.get(locator)))()).rejects.toThrow();
  });

  it('a cancelled upload leaves nothing behind (no temp file, no multipart parts)', async () => {
    const before = fx.leftovers();
    const body = stalled(randomBytes(11 * MiB));
    const ctrl = new AbortController();
    const p = progress(MiB);
    const done = b.put('cancelled.bin', stream(body), { contentType: 'application/octet-stream', signal: ctrl.signal, onData: p.onData });
    await p.until; // mid-way: bytes taken, the body still open
    ctrl.abort();
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    expect(fx.leftovers()).toBe(before);
    if (b.head) expect(await b.head('cancelled.bin')).toBeNull();
  });

  it('a body that fails midway leaves nothing behind', async () => {
    const before = fx.leftovers();
    const body = stalled(randomBytes(6 * MiB));
    const p = progress(MiB);
    const done = b.put('failed.bin', stream(body), { contentType: 'application/octet-stream', onData: p.onData });
    await p.until;
    body.destroy(new Error('client went away'));
    await expect(done).rejects.toThrow();
    expect(fx.leftovers()).toBe(before);
  });

  it('passes its own reachability test', async () => {
    await expect(b.test()).resolves.toBeUndefined();
  });
});

/**
 * The write protocol itself, not only its outcome (a crash test cannot see it: restart sweeps partial files).
 * An fs port records every call the backend makes, with the file it is made on.
 */
describe.each([false, true])('filesystem backend write protocol (encrypted: %s)', (encrypted) => {
  let root: string;
  beforeEach(() => void (root = tempDir('p1-fsproto-')));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const filesIn = (dir: string): string[] =>
    fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)) : [];

  function recordingPort() {
    const calls: string[] = [];
    const port: FilesystemPort = {
      open: (async (file: string, flags?: string, mode?: number) => {
        const fh = await fsp.open(file, flags, mode);
        calls.push(`open ${file} ${flags}`);
        // Each call on the handle is recorded with its file, then made on the real handle.
        return new Proxy(fh, {
          get(target, prop, receiver) {
            const v = Reflect.get(target, prop, receiver) as unknown;
            if (typeof v !== 'function') return v;
            return (...args: unknown[]) => {
              if (prop === 'writev' || prop === 'sync' || prop === 'datasync' || prop === 'close') calls.push(`${String(prop)} ${file}`);
              return (v as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        });
      }) as FilesystemPort['open'],
      rename: async (from, to) => {
        calls.push(`rename ${String(from)} ${String(to)}`);
        return fsp.rename(from, to);
      },
      rm: async (p, o) => {
        calls.push(`rm ${String(p)}`);
        return fsp.rm(p, o);
      },
    };
    return { calls, port };
  }

  it('while a put is held mid-body only its temp file exists; nothing is in objects/ until the body is complete', { timeout: 90_000 }, async () => {
    const b = openFilesystemBackend({ root, dataKey: encrypted ? randomBytes(32) : null });
    const data = randomBytes(3 * MiB);
    const body = stalled(data.subarray(0, 2 * MiB));
    const p = progress(1); // an encrypted lane is shown to onData only once the next one is known to exist
    const done = b.put('held.bin', stream(body), { contentType: 'application/octet-stream', onData: p.onData });
    await Promise.race([p.until, done]); // a put that failed early fails here, not by the test's timeout
    const temp = filesIn(path.join(root, '.tmp'));
    expect(temp).toHaveLength(1);
    expect(temp[0]).toMatch(/\.part$/);
    expect(filesIn(path.join(root, 'objects'))).toEqual([]);
    body.end(data.subarray(2 * MiB));
    const { locator } = await done;
    expect(filesIn(path.join(root, '.tmp'))).toEqual([]);
    expect(filesIn(path.join(root, 'objects'))).toEqual([path.join(root, 'objects', locator.slice(0, 2), locator)]);
    expect(path.basename(temp[0]!)).toBe(`${locator}.part`);
    expect(sha(await readAll(await b.get(locator)))).toBe(sha(data)); // a hash: toEqual walks 3 MiB byte by byte (tens of seconds)
  });

  it('writes the temp file, fsyncs it, renames it into place, then fsyncs the directory, in that order', { timeout: 90_000 }, async () => {
    const { calls, port } = recordingPort();
    const b = openFilesystemBackend({ root, dataKey: encrypted ? randomBytes(32) : null, fs: port });
    const data = randomBytes(MiB + 17);
    const { locator } = await b.put('k', stream(chunked(data)), { contentType: 'application/octet-stream' });
    const tmp = path.join(root, '.tmp', `${locator}.part`);
    const finalDir = path.join(root, 'objects', locator.slice(0, 2));
    const final = path.join(finalDir, locator);
    const at = (c: string) => {
      const i = calls.indexOf(c);
      expect(i, `${c} in ${calls.join('\n')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const lastWrite = calls.lastIndexOf(`writev ${tmp}`);
    expect(calls.indexOf(`open ${tmp} wx`)).toBe(0);
    expect(lastWrite).toBeGreaterThan(0);
    // Every write goes to the temp file; nothing is written at the final path.
    expect(calls.filter((c) => c.startsWith('writev') && c !== `writev ${tmp}`)).toEqual([]);
    const fileSync = at(`sync ${tmp}`);
    const rename = at(`rename ${tmp} ${final}`);
    const dirSync = at(`sync ${finalDir}`);
    expect(lastWrite).toBeLessThan(fileSync);
    expect(fileSync).toBeLessThan(at(`close ${tmp}`));
    expect(at(`close ${tmp}`)).toBeLessThan(rename);
    expect(rename).toBeLessThan(dirSync);
    expect(calls.indexOf(`open ${finalDir} r`)).toBeGreaterThan(rename);
    expect(sha(await readAll(await b.get(locator)))).toBe(sha(data));
  });

  it('refuses a locator that is not its own (../../x, an absolute path) for get and remove, touching nothing', async () => {
    const { calls, port } = recordingPort();
    const b = openFilesystemBackend({ root: path.join(root, 'store'), dataKey: encrypted ? randomBytes(32) : null, fs: port });
    fs.mkdirSync(path.join(root, 'store'));
    const victim = path.join(root, 'x');
    fs.writeFileSync(victim, 'outside the store');
    for (const locator of ['../../x', '../../../x', victim, '', 'ab', `${randomBytes(16).toString('hex')}/../../x`]) {
      await expect(b.get(locator)).rejects.toThrow(/locator/);
      await expect(b.remove(locator)).rejects.toThrow(/locator/);
    }
    expect(calls).toEqual([]);
    expect(fs.readFileSync(victim, 'utf8')).toBe('outside the store');
  });
});

describe('filesystem backend at rest', () => {
  it('stores ciphertext only, and a flipped byte or a swapped file fails to read', async () => {
    const fx = fsFixture(true);
    const b = await fx.open();
    const plain = Buffer.from('customer,amount\nacme,12\n'.repeat(1000));
    const one = await b.put('a.csv', stream(chunked(plain)), { contentType: 'text/csv' });
    const two = await b.put('b.csv', stream(chunked(plain)), { contentType: 'text/csv' });
    const raw = fx.atRest(one.locator)!;
    expect(raw.includes(Buffer.from('customer,amount'))).toBe(false);

    const file = path.join((b as ReturnType<typeof openFilesystemBackend>).root, 'objects', one.locator.slice(0, 2), one.locator);
    const flipped = Buffer.from(raw);
    flipped[flipped.length - 40]! ^= 1;
    fs.writeFileSync(file, flipped);
    await expect(readAll(await b.get(one.locator))).rejects.toThrow();

    // Another object's (valid) ciphertext under this locator: bound to its own locator, so it fails too.
    fs.writeFileSync(file, fx.atRest(two.locator)!);
    await expect(readAll(await b.get(one.locator))).rejects.toThrow();

    // Truncated at a chunk boundary.
    fs.writeFileSync(file, raw.subarray(0, 14));
    await expect(readAll(await b.get(one.locator))).rejects.toThrow();
    await fx.close();
  });

  it('writes the chunked format exactly: its size at rest, and files sealed as the format describes read back', async () => {
    const root = tempDir('p1-fsb-');
    const key = randomBytes(32);
    const b = openFilesystemBackend({ root, dataKey: key });
    try {
      for (const size of [0, 1, MiB, MiB + 1, 4 * MiB, 4 * MiB + 1, 8 * MiB + 3]) {
        const data = randomBytes(size);
        const { locator } = await b.put('x.bin', stream(chunked(data)), { contentType: 'application/octet-stream' });
        const file = path.join(root, 'objects', locator.slice(0, 2), locator);
        expect(fs.statSync(file).size).toBe(encryptedSize(size));
        expect(sha(await readAll(await b.get(locator)))).toBe(sha(data));
        // The same object sealed by an independent writer of the format (as earlier versions wrote it) reads back too.
        fs.writeFileSync(file, sealReference(key, locator, data));
        expect(sha(await readAll(await b.get(locator)))).toBe(sha(data));
      }
    } finally {
      b.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('filesystem backend housekeeping (only in a folder that carries its datastore’s mark)', () => {
  const markKey = randomBytes(32);
  const housekeeping = (root: string, managed: boolean, key = markKey) =>
    filesystemHousekeeping({ root, managed, datastoreId: 'ds-1', createdAt: '2026-01-01T00:00:00.000Z', markKey: key });

  it('recovers: temp files and stored files no row knows go, known ones stay', async () => {
    const root = tempDir('p1-fsb-');
    const b = openFilesystemBackend({ root, dataKey: randomBytes(32) });
    try {
      const kept = await b.put('kept.txt', stream(chunked(Buffer.from('kept'))), { contentType: 'text/plain' });
      const orphan = await b.put('orphan.txt', stream(chunked(Buffer.from('orphan'))), { contentType: 'text/plain' });
      fs.writeFileSync(path.join(root, '.tmp', 'half-written.part'), 'partial');
      await housekeeping(root, false).mark({ replace: false });
      const r = await housekeeping(root, false).recover((locator) => locator === kept.locator);
      expect(r).toEqual({ temp: 1, orphans: 1 });
      expect(fs.readdirSync(path.join(root, '.tmp'))).toEqual([]);
      expect((await readAll(await b.get(kept.locator))).toString()).toBe('kept');
      await expect((async () => readAll(await b.get(orphan.locator)))()).rejects.toThrow();
    } finally {
      b.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('touches nothing in a folder without its mark, or with a mark that does not verify', async () => {
    const root = tempDir('p1-fsb-');
    const b = openFilesystemBackend({ root, dataKey: randomBytes(32) });
    try {
      await b.put('a.txt', stream(chunked(Buffer.from('a'))), { contentType: 'text/plain' });
      fs.writeFileSync(path.join(root, '.tmp', 'half-written.part'), 'partial');
      const before = fs.readdirSync(root, { recursive: true }).sort();
      expect(await housekeeping(root, false).recover(() => false)).toMatchObject({ refused: expect.stringContaining('no mark') });
      expect(await housekeeping(root, true).dispose()).toMatchObject({ refused: expect.stringContaining('no mark') });
      await housekeeping(root, false, randomBytes(32)).mark({ replace: false }); // another key: a mark made elsewhere
      expect(await housekeeping(root, false).recover(() => false)).toMatchObject({ refused: expect.stringContaining('signature') });
      expect(await housekeeping(root, true).dispose()).toMatchObject({ refused: expect.stringContaining('signature') });
      expect(fs.readdirSync(root, { recursive: true }).sort()).toEqual([...before, MARK_FILE].sort());
    } finally {
      b.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('disposes of its own layout and mark only (the root too when the app made it); a new datastore takes only an empty folder', async () => {
    const parent = tempDir('p1-fsb-');
    try {
      const chosen = path.join(parent, 'chosen');
      fs.mkdirSync(chosen);
      expect(await inspectFolder(chosen)).toBe('free');
      const b = openFilesystemBackend({ root: chosen, dataKey: null });
      const { locator } = await b.put('x', stream(chunked(Buffer.from('x'))), { contentType: 'text/plain' });
      await b.remove(locator);
      fs.rmdirSync(path.join(chosen, 'objects', locator.slice(0, 2)));
      expect(await inspectFolder(chosen)).toBe('free'); // nothing but its own layout, empty
      await housekeeping(chosen, false).mark({ replace: false });
      expect(await inspectFolder(chosen)).toBe('marked');
      fs.writeFileSync(path.join(chosen, 'admin-notes.txt'), 'mine');
      expect(await housekeeping(chosen, false).dispose()).toBeNull();
      expect(fs.readdirSync(chosen)).toEqual(['admin-notes.txt']);
      expect(await inspectFolder(chosen)).toBe('in-use');

      const managed = path.join(parent, 'managed');
      fs.mkdirSync(managed);
      await openFilesystemBackend({ root: managed, dataKey: null }).put('y', stream(chunked(Buffer.from('y'))), { contentType: 'text/plain' });
      await housekeeping(managed, true).mark({ replace: false });
      expect(await housekeeping(managed, true).dispose()).toBeNull();
      expect(fs.existsSync(managed)).toBe(false);
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('s3 backend specifics', () => {
  let s3: NonNullable<Awaited<ReturnType<typeof s3Server>>>;
  beforeAll(async () => void (s3 = await s3Server()), 30_000);
  it('a pre-signed PUT works with a plain HTTP client and no credentials', async () => {
    const b = openS3Backend({ endpoint: s3.endpoint, region: 'us-east-1', bucket: 'contract', forcePathStyle: true, ...S3RVER_CREDS });
    const data = Buffer.from('a,b\n1,2\n');
    const { url, headers } = await b.presignPut!('presigned/x.csv', 'text/csv', 300);
    const res = await fetch(url, { method: 'PUT', headers, body: data });
    expect(res.status).toBe(200);
    expect(await b.head!('presigned/x.csv')).toMatchObject({ size: data.length });
    expect(sha(await readAll(await b.get(b.locatorFor!('presigned/x.csv'))))).toBe(sha(data));
    b.close();
  });

  it("sends bodies through the SDK's own client (one PutObject, or a multipart upload above one part), under keys with any characters, and says what S3 refused", async () => {
    const b = openS3Backend({ endpoint: s3.endpoint, region: 'us-east-1', bucket: 'contract', prefix: 'sdk put/', forcePathStyle: true, ...S3RVER_CREDS, partSize: 5 * MiB });
    const sent: string[] = [];
    b.client.middlewareStack.add(
      (next, ctx) => async (args) => {
        sent.push(ctx.commandName!);
        return next(args);
      },
      { step: 'initialize', name: 'watchSent' },
    );
    const cases = [
      ["reports/Q1 2026 (final)/ü€ a+b=c & d's #1 ~!*.csv", Buffer.from('a,b\n1,2\n'), ['PutObjectCommand']],
      ['big/parts.bin', randomBytes(11 * MiB), ['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']],
    ] as const;
    for (const [key, data, commands] of cases) {
      sent.length = 0;
      const { locator } = await b.put(key, stream(chunked(data)), { contentType: 'text/csv' });
      expect([...sent].sort()).toEqual([...commands].sort());
      expect(locator).toBe(`sdk put/${key}`);
      expect(await b.head!(key)).toMatchObject({ size: data.length, contentType: 'text/csv' });
      expect(sha(await readAll(await b.get(locator)))).toBe(sha(data));
    }
    b.close();

    const missing = openS3Backend({ endpoint: s3.endpoint, region: 'us-east-1', bucket: 'no-such-bucket', forcePathStyle: true, ...S3RVER_CREDS, maxAttempts: 1 });
    await expect(missing.put('x.txt', stream(chunked(Buffer.from('x'))), { contentType: 'text/plain' })).rejects.toMatchObject({
      name: 'NoSuchBucket',
      $metadata: { httpStatusCode: 404 },
    });
    missing.close();
    const down = openS3Backend({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'x', forcePathStyle: true, ...S3RVER_CREDS, maxAttempts: 1 });
    await expect(down.put('x.txt', stream(chunked(Buffer.from('x'))), { contentType: 'text/plain' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    down.close();
  });

  it('reports an unreachable endpoint as a failed test, quickly', async () => {
    const b = openS3Backend({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'x', forcePathStyle: true, ...S3RVER_CREDS, maxAttempts: 1 });
    await expect(b.test()).rejects.toThrow();
    b.close();
  });
});
