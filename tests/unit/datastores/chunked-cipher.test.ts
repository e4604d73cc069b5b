import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createChunkSealer, createDecryptStream, encryptedSize } from '@core/datastores/backends/chunked-cipher';
import { sealReference } from '../../helpers/chunked-format';
import { keepBothKey } from '../../../renderer/src/features/datastores/datastores-store';

async function through(data: Buffer, ...stages: NodeJS.ReadWriteStream[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => out.push(c));
  // Odd piece sizes, so chunk boundaries never line up with writes.
  const pieces = [];
  for (let i = 0; i < data.length; i += 777) pieces.push(data.subarray(i, i + 777));
  await pipeline([Readable.from(pieces.length ? pieces : [Buffer.alloc(0)]), ...stages, sink]);
  return Buffer.concat(out);
}

/** A whole body sealed with the app's sealer, chunk by chunk, the way the filesystem backend drives it. */
function seal(key: Buffer, binding: string, plain: Buffer, log2: number): Buffer {
  const sealer = createChunkSealer(key, binding, log2);
  const out: Buffer[] = [sealer.header];
  const chunk = sealer.chunkSize;
  const count = Math.max(1, Math.ceil(plain.length / chunk));
  for (let i = 0; i < count; i++) out.push(...sealer.sealPieces(plain.subarray(i * chunk, (i + 1) * chunk), i === count - 1));
  return Buffer.concat(out);
}

describe('chunked AES-256-GCM', () => {
  const key = randomBytes(32);
  const log2 = 12; // 4 KiB chunks, to exercise many boundaries

  it.each([0, 1, 4095, 4096, 4097, 8192, 3 * 4096 + 5])('round-trips %i bytes, and the size at rest is predictable', async (n) => {
    const plain = randomBytes(n);
    const sealed = seal(key, 'loc-1', plain, log2);
    expect(sealed.length).toBe(encryptedSize(n, log2));
    expect((await through(sealed, createDecryptStream(key, 'loc-1'))).equals(plain)).toBe(true);
    // The format as documented, written independently of the sealer, reads back the same.
    const reference = sealReference(key, 'loc-1', plain, log2);
    expect(reference.length).toBe(sealed.length);
    expect((await through(reference, createDecryptStream(key, 'loc-1'))).equals(plain)).toBe(true);
  });

  it('refuses a wrong key, a wrong binding, a dropped last chunk and swapped chunks', async () => {
    const plain = randomBytes(3 * 4096);
    const sealed = seal(key, 'loc-1', plain, log2);
    await expect(through(sealed, createDecryptStream(randomBytes(32), 'loc-1'))).rejects.toThrow();
    await expect(through(sealed, createDecryptStream(key, 'loc-2'))).rejects.toThrow();
    const chunk = 4096 + 16;
    const header = 14;
    await expect(through(sealed.subarray(0, header + 2 * chunk), createDecryptStream(key, 'loc-1'))).rejects.toThrow();
    const swapped = Buffer.concat([sealed.subarray(0, header), sealed.subarray(header + chunk, header + 2 * chunk), sealed.subarray(header, header + chunk), sealed.subarray(header + 2 * chunk)]);
    await expect(through(swapped, createDecryptStream(key, 'loc-1'))).rejects.toThrow();
  });
});

describe('keep both', () => {
  it('numbers the name before the extension, or at the end', () => {
    expect(keepBothKey('a/b.txt', 1)).toBe('a/b (1).txt');
    expect(keepBothKey('a/README', 2)).toBe('a/README (2)');
    expect(keepBothKey('dir.v2/file', 1)).toBe('dir.v2/file (1)');
    expect(keepBothKey('.env', 1)).toBe('.env (1)');
  });
});
