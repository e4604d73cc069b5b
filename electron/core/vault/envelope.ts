import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors';

/**
 * The ciphertext format. Never change the meaning of an existing version byte: add a new one.
 *
 *   v1 = [0x01][key id: 16 bytes (UUID of the data key)][nonce: 12 bytes][ciphertext][GCM tag: 16 bytes]
 *
 * AES-256-GCM with a fresh random 96-bit nonce per seal. The AAD is "p1v1|<key id>|<record aad>", so a ciphertext
 * only opens for the record it was sealed for (a value copied onto another row fails) and any flipped byte in key
 * id, nonce, ciphertext or tag fails the tag check.
 */
export const ENVELOPE_V1 = 0x01;
const KEY_ID_LEN = 16;
const NONCE_LEN = 12;
const TAG_LEN = 16;
const HEADER_LEN = 1 + KEY_ID_LEN + NONCE_LEN;

export const uuidToBytes = (id: string): Buffer => Buffer.from(id.replaceAll('-', ''), 'hex');
export const bytesToUuid = (b: Buffer): string => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

const aadFor = (keyId: string, aad: string) => Buffer.from(`p1v1|${keyId}|${aad}`, 'utf8');

export function sealV1(key: Buffer, keyId: string, plaintext: Buffer, aad: string): Buffer {
  const nonce = randomBytes(NONCE_LEN);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aadFor(keyId, aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([ENVELOPE_V1]), uuidToBytes(keyId), nonce, ct, cipher.getAuthTag()]);
}

/**
 * The key id last read and its bytes: almost every envelope opened is under the active data key, and comparing 16
 * bytes costs a third of formatting them as a UUID again (a secret reveal reads one per call). Key ids are not secret.
 */
let lastKeyId: { bytes: Buffer; id: string } | null = null;

/** Reads the key id without decrypting, to pick the data key. */
export function envelopeKeyId(sealed: Buffer): string {
  if (sealed.length < HEADER_LEN + TAG_LEN) throw integrityError();
  if (sealed[0] !== ENVELOPE_V1) {
    throw new AppError('INTEGRITY_FAILED', `stored ciphertext has an unknown format (version ${sealed[0]}); was it written by a newer app?`);
  }
  if (lastKeyId && sealed.compare(lastKeyId.bytes, 0, KEY_ID_LEN, 1, 1 + KEY_ID_LEN) === 0) return lastKeyId.id;
  // A copy, not a view: the caller's buffer may be zeroed or reused after this call.
  const bytes = Buffer.from(sealed.subarray(1, 1 + KEY_ID_LEN));
  lastKeyId = { bytes, id: bytesToUuid(bytes) };
  return lastKeyId.id;
}

/**
 * Opens a v1 envelope. `keyId` is the envelope's own key id when the caller has read it already (to pick the key).
 * The plaintext is the decipher's one output buffer, not a copy, so a caller that zeroes it leaves no other copy.
 */
export function openV1(key: Buffer, sealed: Buffer, aad: string, keyId: string = envelopeKeyId(sealed)): Buffer {
  const nonce = sealed.subarray(1 + KEY_ID_LEN, HEADER_LEN);
  const tag = sealed.subarray(sealed.length - TAG_LEN);
  const ct = sealed.subarray(HEADER_LEN, sealed.length - TAG_LEN);
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(aadFor(keyId, aad));
    d.setAuthTag(tag);
    const plaintext = d.update(ct);
    // GCM deciphers as a stream: final() adds no bytes, it checks the tag (and throws if it does not match).
    d.final();
    return plaintext;
  } catch {
    throw integrityError();
  }
}

export const integrityError = () =>
  new AppError(
    'INTEGRITY_FAILED',
    'a stored encrypted value failed its integrity check: it was altered, or copied from another record. Restore it from a backup or set a new value',
  );
