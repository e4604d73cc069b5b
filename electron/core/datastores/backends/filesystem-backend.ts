import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDecryptStream, createEncryptStream } from './chunked-cipher';
import type { ObjectBackend, PutOptions } from './backend-port';

const TMP_DIR = '.tmp';
const OBJ_DIR = 'objects';
const LOCATOR = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IO_HWM = 1024 * 1024;

export type FilesystemBackendOptions = {
  root: string;
  /** 32-byte data key for encryption at rest; null stores plaintext (benchmarks only). */
  dataKey: Buffer | null;
};

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
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
 * points at) are swept when the datastore is opened.
 */
export function openFilesystemBackend(opts: FilesystemBackendOptions): ObjectBackend & { root: string; sweepTemp(): number } {
  const root = path.resolve(opts.root);
  const tmpDir = path.join(root, TMP_DIR);
  const objDir = path.join(root, OBJ_DIR);
  fs.mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(objDir, { recursive: true, mode: 0o700 });

  const fileFor = (locator: string): string => {
    // Locators come from our own rows, but they are checked anyway: this is the one place a path is built.
    if (!LOCATOR.test(locator)) throw new Error('invalid object locator');
    return path.join(objDir, locator.slice(0, 2), locator);
  };

  function sweepTemp(): number {
    let n = 0;
    for (const name of fs.readdirSync(tmpDir)) {
      fs.rmSync(path.join(tmpDir, name), { force: true, recursive: true });
      n += 1;
    }
    return n;
  }
  sweepTemp();

  async function put(_key: string, body: Readable, o: PutOptions): Promise<{ locator: string }> {
    const locator = randomUUID();
    const tmp = path.join(tmpDir, `${locator}.part`);
    const final = fileFor(locator);
    const out = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600, highWaterMark: IO_HWM, flush: true });
    const stages: NodeJS.ReadWriteStream[] = opts.dataKey ? [createEncryptStream(opts.dataKey, locator)] : [];
    try {
      await pipeline([body, ...stages, out], { signal: o.signal });
      await fsp.mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
      await fsp.rename(tmp, final);
      await fsyncDir(path.dirname(final));
      return { locator };
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }

  async function get(locator: string): Promise<Readable> {
    const file = fileFor(locator);
    const fh = await fsp.open(file, 'r');
    const raw = fh.createReadStream({ highWaterMark: IO_HWM });
    if (!opts.dataKey) return raw;
    const out = new PassThrough({ highWaterMark: IO_HWM });
    // Errors (a tampered chunk) surface on the returned stream, never as partial plaintext passed off as whole.
    pipeline(raw, createDecryptStream(opts.dataKey, locator), out).catch((e: unknown) => out.destroy(e as Error));
    return out;
  }

  async function remove(locator: string): Promise<void> {
    await fsp.rm(fileFor(locator), { force: true });
  }

  async function test(): Promise<void> {
    const probe = randomBytes(64);
    const { locator } = await put('.probe', PassThroughFrom(probe), { contentType: 'application/octet-stream' });
    try {
      const chunks: Buffer[] = [];
      for await (const c of await get(locator)) chunks.push(c as Buffer);
      if (!Buffer.concat(chunks).equals(probe)) throw new Error('the probe object read back differently');
    } finally {
      await remove(locator);
    }
  }

  async function sweepOrphans(isKnown: (locator: string) => boolean): Promise<number> {
    let n = 0;
    for (const shard of await fsp.readdir(objDir)) {
      const dir = path.join(objDir, shard);
      for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
        if (isKnown(name)) continue;
        await fsp.rm(path.join(dir, name), { force: true, recursive: true });
        n += 1;
      }
    }
    return n;
  }

  return { type: 'filesystem', root, put, get, remove, test, sweepOrphans, sweepTemp, close: () => {} };
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
