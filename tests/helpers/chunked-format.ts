import { createCipheriv, randomBytes } from 'node:crypto';

/**
 * The encrypted-at-rest file format written out from its description in chunked-cipher.ts, independently of the
 * app's code: header = "P1DS" | version 1 | log2(chunk size) | 8-byte nonce prefix, then per chunk ciphertext | tag,
 * chunk i with nonce = prefix | uint32be(i) and AAD = header | binding | uint32be(i) | final. Files like this (what
 * earlier versions wrote) must stay readable, and what the app writes now must decrypt like them.
 */
export function sealReference(key: Buffer, binding: string, plain: Buffer, chunkLog2 = 20): Buffer {
  const chunk = 2 ** chunkLog2;
  const header = Buffer.concat([Buffer.from('P1DS'), Buffer.from([1, chunkLog2]), randomBytes(8)]);
  const out: Buffer[] = [header];
  const count = Math.max(1, Math.ceil(plain.length / chunk));
  for (let i = 0; i < count; i++) {
    const tail = Buffer.alloc(5);
    tail.writeUInt32BE(i, 0);
    tail[4] = i === count - 1 ? 1 : 0;
    const nonce = Buffer.concat([header.subarray(6, 14), tail.subarray(0, 4)]);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(Buffer.concat([header, Buffer.from(binding, 'utf8'), tail]));
    out.push(c.update(plain.subarray(i * chunk, (i + 1) * chunk)), c.final(), c.getAuthTag());
  }
  return Buffer.concat(out);
}
