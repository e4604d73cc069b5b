import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFilesystemBackend, type FilesystemPort } from '@core/datastores/backends/filesystem-backend';
import { tempDir } from '../../helpers/test-core';

let root: string;
beforeEach(() => void (root = tempDir('p1-fsloop-')));
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
const opts = { contentType: 'application/octet-stream' };

describe('a local file that grows after its size was taken', () => {
  it.each([
    [false, 1000],
    [false, 600 * 1024],
    [true, 1000],
  ])('is read to its end (encrypted: %s, %d bytes when opened)', async (encrypted, first) => {
    const src = path.join(root, 'growing');
    const head = randomBytes(first);
    const tail = randomBytes(3 * 1024 * 1024);
    fs.writeFileSync(src, head);
    // The temp file is opened after the body reader took the source's size and before the first read: the file
    // grows in between, as a file still being written does.
    const grow: FilesystemPort = {
      open: (async (file: string, flags?: string, mode?: number) => {
        if (file.endsWith('.part')) fs.appendFileSync(src, tail);
        return fsp.open(file, flags, mode);
      }) as FilesystemPort['open'],
      rename: fsp.rename,
      rm: fsp.rm,
    };
    const b = openFilesystemBackend({ root: path.join(root, 'store'), dataKey: encrypted ? randomBytes(32) : null, fs: grow });
    fs.mkdirSync(path.join(root, 'store'));
    const { locator } = await b.put('k', { kind: 'file', path: src, size: first }, opts);
    const stored = await readAll(await b.get(locator));
    expect(stored.length).toBe(first + tail.length);
    expect(stored.equals(Buffer.concat([head, tail]))).toBe(true);
  });
});
