import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNK_LOG2, HEADER_BYTES, createChunkSealer, createDecryptStream, encryptedSize } from '@core/datastores/backends/chunked-cipher';

/**
 * The object file format's edges (header fields, the piece size of the sealer, what the reader calls not ours or
 * truncated, bodies arriving a byte at a time): the round trips of chunked-cipher.test.ts go through the middle.
 */
async function read(key: Buffer, binding: string, pieces: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => out.push(c));
  await pipeline([Readable.from(pieces), createDecryptStream(key, binding), sink]);
  return Buffer.concat(out);
}

function sealAll(key: Buffer, binding: string, plain: Buffer, log2: number): Buffer {
  const s = createChunkSealer(key, binding, log2);
  const count = Math.max(1, Math.ceil(plain.length / s.chunkSize));
  const out: Buffer[] = [s.header];
  for (let i = 0; i < count; i++) out.push(...s.sealPieces(plain.subarray(i * s.chunkSize, (i + 1) * s.chunkSize), i === count - 1));
  return Buffer.concat(out);
}

describe('chunked cipher file format', () => {
  const key = randomBytes(32);

  it('header: P1DS, version 1, log2 of the chunk size, a random 8-byte nonce prefix per file (1 MiB chunks by default)', () => {
    const a = createChunkSealer(key, 'loc');
    const b = createChunkSealer(key, 'loc', 12);
    expect(HEADER_BYTES).toBe(14);
    expect(a.header).toHaveLength(14);
    expect(a.header.subarray(0, 4).toString()).toBe('P1DS');
    expect([a.header[4], a.header[5]]).toEqual([1, DEFAULT_CHUNK_LOG2]);
    expect(DEFAULT_CHUNK_LOG2).toBe(20);
    expect(a.chunkSize).toBe(1024 * 1024);
    expect([b.header[5], b.chunkSize]).toEqual([12, 4096]);
    expect(a.header.subarray(6).equals(createChunkSealer(key, 'loc').header.subarray(6))).toBe(false);
  });

  it('seals a full 1 MiB chunk in 256 KiB pieces followed by the tag, and refuses a chunk over the size', () => {
    const s = createChunkSealer(key, 'loc');
    const plain = randomBytes(s.chunkSize);
    const pieces = s.sealPieces(plain, true);
    expect(pieces.map((p) => p.length)).toEqual([262144, 262144, 262144, 262144, 16]);
    expect(() => s.sealPieces(Buffer.alloc(s.chunkSize + 1), true)).toThrow('a sealed chunk holds at most chunkSize bytes');
  });

  it('stored size: header, the plaintext, a tag per chunk, one chunk at least', () => {
    expect(encryptedSize(0, 12)).toBe(14 + 16);
    expect(encryptedSize(4096, 12)).toBe(14 + 4096 + 16);
    expect(encryptedSize(4097, 12)).toBe(14 + 4097 + 32);
    expect(encryptedSize(3 * 2 ** 20)).toBe(14 + 3 * 2 ** 20 + 48);
  });

  it('reads a body that arrives a byte at a time, header included', async () => {
    const plain = randomBytes(2 * 4096 + 3);
    const sealed = sealAll(key, 'loc', plain, 12);
    const bytes = [...sealed].map((b) => Buffer.from([b]));
    expect((await read(key, 'loc', bytes)).equals(plain)).toBe(true);
  });

  it('reads a body that arrives in one piece, and one whose writes end exactly at a chunk boundary', async () => {
    const plain = randomBytes(3 * 4096);
    const sealed = sealAll(key, 'loc', plain, 12);
    expect((await read(key, 'loc', [sealed])).equals(plain)).toBe(true);
    const sealedChunk = 4096 + 16;
    const cuts = [sealed.subarray(0, 14), sealed.subarray(14, 14 + sealedChunk), sealed.subarray(14 + sealedChunk, 14 + 2 * sealedChunk), sealed.subarray(14 + 2 * sealedChunk)];
    expect((await read(key, 'loc', cuts)).equals(plain)).toBe(true);
  });

  it('calls a file with another magic or version not ours, and a short one truncated', async () => {
    const sealed = sealAll(key, 'loc', randomBytes(100), 12);
    const otherMagic = Buffer.from(sealed);
    otherMagic.write('P1DX', 0);
    await expect(read(key, 'loc', [otherMagic])).rejects.toThrow('not an encrypted object file');
    const otherVersion = Buffer.from(sealed);
    otherVersion[4] = 2;
    await expect(read(key, 'loc', [otherVersion])).rejects.toThrow('not an encrypted object file');
    await expect(read(key, 'loc', [Buffer.alloc(0)])).rejects.toThrow('encrypted object file is truncated');
    await expect(read(key, 'loc', [sealed.subarray(0, 13)])).rejects.toThrow('encrypted object file is truncated');
    await expect(read(key, 'loc', [sealed.subarray(0, 14 + 15)])).rejects.toThrow('encrypted object file is truncated');
    // An empty object is a header and one tag: 30 bytes read back as nothing.
    const empty = sealAll(key, 'loc', Buffer.alloc(0), 12);
    expect(empty).toHaveLength(30);
    expect(await read(key, 'loc', [empty])).toHaveLength(0);
  });

  it('a non-final chunk marked final (or a final one marked not) fails, as does a flipped ciphertext byte', async () => {
    const s = createChunkSealer(key, 'loc', 12);
    const early = Buffer.concat([s.header, ...s.sealPieces(randomBytes(4096), true), ...s.sealPieces(randomBytes(10), true)]);
    await expect(read(key, 'loc', [early])).rejects.toThrow();
    const t = createChunkSealer(key, 'loc', 12);
    const never = Buffer.concat([t.header, ...t.sealPieces(randomBytes(10), false)]);
    await expect(read(key, 'loc', [never])).rejects.toThrow();
    const sealed = sealAll(key, 'loc', randomBytes(50), 12);
    sealed[20]! ^= 1;
    await expect(read(key, 'loc', [sealed])).rejects.toThrow();
  });
});
