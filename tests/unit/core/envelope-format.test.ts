import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_V1, bytesToUuid, envelopeKeyId, openV1, sealV1, uuidToBytes } from '@core/vault/envelope';
import { DEFAULT_KDF, belowDefault, deriveKey, newKdfParams, parseKdf, scryptAsync } from '@core/vault/kdf';

/**
 * The v1 envelope byte for byte (version, key id, nonce, ciphertext, tag), what it is bound to (key, key id, record
 * AAD), and the passphrase KDF's parameters. Stored ciphertexts outlive the code: these pin the format itself.
 */
const INTEGRITY = /failed its integrity check: it was altered, or copied from another record/;

describe('v1 envelope', () => {
  it('is [0x01][key id 16][nonce 12][ciphertext][tag 16], with a fresh nonce per seal', () => {
    const key = randomBytes(32);
    const id = randomUUID();
    const pt = Buffer.from('the plaintext, 30 bytes long..');
    const a = sealV1(key, id, pt, 'secret:1:value');
    const b = sealV1(key, id, pt, 'secret:1:value');
    expect(ENVELOPE_V1).toBe(1);
    expect(a[0]).toBe(0x01);
    expect(a.subarray(1, 17).equals(uuidToBytes(id))).toBe(true);
    expect(a).toHaveLength(1 + 16 + 12 + pt.length + 16);
    expect(a.subarray(17, 29).equals(b.subarray(17, 29))).toBe(false);
    expect(a.subarray(29, 29 + pt.length).equals(pt)).toBe(false);
    expect(openV1(key, a, 'secret:1:value').equals(pt)).toBe(true);
    expect(openV1(key, b, 'secret:1:value', id).equals(pt)).toBe(true);
  });

  it('opens only with its key, its key id and its record AAD; any flipped byte fails the integrity check', () => {
    const key = randomBytes(32);
    const id = randomUUID();
    const sealed = sealV1(key, id, Buffer.from('value'), 'connection:c1:credential');
    expect(() => openV1(randomBytes(32), sealed, 'connection:c1:credential')).toThrow(INTEGRITY);
    expect(() => openV1(key, sealed, 'connection:c2:credential')).toThrow(INTEGRITY);
    expect(() => openV1(key, sealed, 'connection:c1:credential', randomUUID())).toThrow(INTEGRITY);
    for (let i = 1; i < sealed.length; i++) {
      const t = Buffer.from(sealed);
      t[i]! ^= 0x01;
      expect(() => openV1(key, t, 'connection:c1:credential'), `byte ${i}`).toThrow(INTEGRITY);
    }
    try {
      openV1(key, sealed, 'x');
    } catch (e) {
      expect((e as { code: string }).code).toBe('INTEGRITY_FAILED');
    }
  });

  it('an empty plaintext makes the shortest envelope (45 bytes), which still reads and opens; one byte less does not', () => {
    const key = randomBytes(32);
    const id = randomUUID();
    const sealed = sealV1(key, id, Buffer.alloc(0), 'r');
    expect(sealed).toHaveLength(45);
    expect(envelopeKeyId(sealed)).toBe(id);
    expect(openV1(key, sealed, 'r')).toHaveLength(0);
    expect(() => envelopeKeyId(sealed.subarray(0, 44))).toThrow(INTEGRITY);
  });

  it('an envelope of another version is INTEGRITY_FAILED, naming the version', () => {
    const sealed = sealV1(randomBytes(32), randomUUID(), Buffer.from('v'), 'r');
    sealed[0] = 7;
    expect(() => envelopeKeyId(sealed)).toThrow(
      expect.objectContaining({ code: 'INTEGRITY_FAILED', message: 'stored ciphertext has an unknown format (version 7); was it written by a newer app?' }),
    );
  });

  it('key ids round-trip between the UUID text and its 16 bytes', () => {
    const id = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    expect(uuidToBytes(id).toString('hex')).toBe('0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    expect(bytesToUuid(uuidToBytes(id))).toBe(id);
  });
});

describe('passphrase KDF', () => {
  it('new parameters carry the default cost and a fresh 16-byte salt', () => {
    const a = newKdfParams();
    const b = newKdfParams({ N: 1024, r: 8, p: 1 });
    expect(a).toMatchObject({ alg: 'scrypt', ...DEFAULT_KDF });
    expect(DEFAULT_KDF).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect(Buffer.from(a.salt, 'base64')).toHaveLength(16);
    expect(a.salt).not.toBe(newKdfParams().salt);
    expect(b).toMatchObject({ alg: 'scrypt', N: 1024, r: 8, p: 1 });
  });

  it('a cost is below the default when any one of N, r or p is', () => {
    expect(belowDefault(DEFAULT_KDF)).toBe(false);
    expect(belowDefault({ ...DEFAULT_KDF, N: 2 ** 16 })).toBe(true);
    expect(belowDefault({ ...DEFAULT_KDF, r: 7 })).toBe(true);
    expect(belowDefault({ ...DEFAULT_KDF, p: 0 })).toBe(true);
    expect(belowDefault({ N: 2 ** 18, r: 8, p: 1 })).toBe(false);
    expect(belowDefault({ N: 4, r: 1, p: 1 }, { N: 4, r: 1, p: 1 })).toBe(false);
  });

  it('derives 32 bytes from the NFC form of the passphrase, salt and cost; the default cost runs within its memory', async () => {
    const params = newKdfParams({ N: 1024, r: 8, p: 1 });
    const nfc = 'pass\u00e9phrase \u00fcber';
    const k = await deriveKey(nfc, params);
    expect(k).toHaveLength(32);
    expect((await deriveKey(nfc.normalize('NFD'), params)).equals(k)).toBe(true);
    expect((await deriveKey(nfc, { ...params, salt: newKdfParams().salt })).equals(k)).toBe(false);
    expect((await deriveKey(nfc, { ...params, r: 4 })).equals(k)).toBe(false);
    expect(await scryptAsync('x', Buffer.alloc(16), DEFAULT_KDF)).toHaveLength(32);
    // scrypt's memory does not grow with p (its p lanes run one after another): a high p needs no more room.
    expect(await scryptAsync('x', Buffer.alloc(16), { N: 2 ** 14, r: 8, p: 4 })).toHaveLength(32);
    // Known answer: scrypt of the NFC passphrase with the base64-decoded salt and the stored cost.
    const expected = scryptSync(nfc.normalize('NFC'), Buffer.from(params.salt, 'base64'), 32, { N: 1024, r: 8, p: 1 });
    expect(k.equals(expected)).toBe(true);
  });

  it('reads stored parameters, and calls missing or out-of-range ones damaged', () => {
    const p = newKdfParams({ N: 1024, r: 8, p: 1 });
    expect(parseKdf(JSON.stringify(p))).toEqual(p);
    for (const bad of [null, '', JSON.stringify({ ...p, alg: 'argon2' }), JSON.stringify({ ...p, N: 1 })]) {
      expect(() => parseKdf(bad)).toThrow(
        expect.objectContaining({ code: 'INTEGRITY_FAILED', message: 'the vault passphrase settings are damaged; restore the vault from a backup' }),
      );
    }
  });
});
