import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Encryption at rest for stored objects: AES-256-GCM in fixed-size chunks, so objects of any size stream through
 * in bounded memory and a reader can verify each chunk before releasing it.
 *
 * File layout: header = MAGIC(4) | version(1) | log2(chunkSize)(1) | noncePrefix(8), then chunks of
 * ciphertext(≤ chunkSize) | tag(16). Chunk i uses nonce = noncePrefix | uint32be(i) (a fresh random prefix per
 * file, so a data key never repeats a nonce) and AAD = header | binding | uint32be(i) | final(1). The final flag
 * makes truncation at a chunk boundary fail, the index makes reordering fail, and `binding` (the object's
 * locator) makes a file copied over another object's fail.
 */
const MAGIC = Buffer.from('P1DS');
const VERSION = 1;
const TAG = 16;
export const HEADER_BYTES = 4 + 1 + 1 + 8;
export const DEFAULT_CHUNK_LOG2 = 20; // 1 MiB

function aadFor(header: Buffer, binding: string, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail[4] = final ? 1 : 0;
  return Buffer.concat([header, Buffer.from(binding, 'utf8'), tail]);
}

function nonceFor(prefix: Buffer, index: number): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, 8);
  return n;
}

/** Plaintext goes to the cipher in pieces this size; each returns a piece of ciphertext of the same size. */
const SEAL_PIECE = 256 * 1024;

/**
 * Seals one file's chunks in order. `header` must be stored first, then each sealed chunk's pieces as returned
 * (a writer can pass them to writev as they are, without joining them first).
 */
export function createChunkSealer(key: Buffer, binding: string, chunkLog2 = DEFAULT_CHUNK_LOG2) {
  const chunkSize = 2 ** chunkLog2;
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION, chunkLog2]), randomBytes(8)]);
  const prefix = header.subarray(6, 14);
  let index = 0;
  return {
    header,
    chunkSize,
    /** Seals `plain` (at most chunkSize bytes) as the next chunk; returns its ciphertext pieces and tag, in order. */
    sealPieces(plain: Buffer, final: boolean): Buffer[] {
      if (plain.length > chunkSize) throw new Error('a sealed chunk holds at most chunkSize bytes');
      if (index > 0xffffffff) throw new Error('object too large for one data key nonce space');
      const c = createCipheriv('aes-256-gcm', key, nonceFor(prefix, index));
      c.setAAD(aadFor(header, binding, index, final));
      const out: Buffer[] = [];
      for (let p = 0; p < plain.length; p += SEAL_PIECE) out.push(c.update(plain.subarray(p, p + SEAL_PIECE)));
      c.final();
      out.push(c.getAuthTag());
      index += 1;
      return out;
    },
  };
}

export function createDecryptStream(key: Buffer, binding: string): Transform {
  let header: Buffer | null = null;
  let chunkSize = 0;
  let buf: Buffer[] = [];
  let bufLen = 0;
  let index = 0;

  const open = (sealed: Buffer, final: boolean): Buffer => {
    const prefix = header!.subarray(6, 14);
    const d = createDecipheriv('aes-256-gcm', key, nonceFor(prefix, index));
    d.setAAD(aadFor(header!, binding, index, final));
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    const plain = Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
    index += 1;
    return plain;
  };

  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      buf.push(chunk);
      bufLen += chunk.length;
      if (header && bufLen <= chunkSize + TAG) return cb();
      try {
        let all = Buffer.concat(buf);
        if (!header) {
          if (all.length < HEADER_BYTES) {
            buf = [all];
            return cb();
          }
          header = all.subarray(0, HEADER_BYTES);
          if (!header.subarray(0, 4).equals(MAGIC) || header[4] !== VERSION) throw new Error('not an encrypted object file');
          chunkSize = 2 ** header[5]!;
          all = all.subarray(HEADER_BYTES);
        }
        const sealedSize = chunkSize + TAG;
        // A full sealed chunk is only non-final if more bytes follow it.
        while (all.length > sealedSize) {
          this.push(open(all.subarray(0, sealedSize), false));
          all = all.subarray(sealedSize);
        }
        buf = [all];
        bufLen = all.length;
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        if (!header) throw new Error('encrypted object file is truncated');
        const rest = Buffer.concat(buf);
        if (rest.length < TAG) throw new Error('encrypted object file is truncated');
        this.push(open(rest, true));
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}

/** Stored size of an encrypted object of `plainSize` bytes (for storage accounting of raw files). */
export function encryptedSize(plainSize: number, chunkLog2 = DEFAULT_CHUNK_LOG2): number {
  const chunks = Math.max(1, Math.ceil(plainSize / 2 ** chunkLog2));
  return HEADER_BYTES + plainSize + chunks * TAG;
}
