import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What a filesystem upload URL grants, carried in the URL itself: datastore, key, content type, expiry (Unix
 * seconds), size limit, the name of whoever asked for it, and the nonce of its grant row (the URL is single-use: the
 * row is consumed by the PUT that stores the object, and names the issuer checked at use). Short field names keep
 * the URL short. A token without a nonce (issued before URLs were single-use) is refused.
 */
export type UploadGrant = { d: string; k: string; c: string; e: number; m: number | null; u: string; n?: string };

/** Domain separation: this key's MACs mean "upload grant, version 1" and nothing else. */
const CONTEXT = 'p1-upload-v1\n';

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(`${CONTEXT}${payload}`).digest();

/** `<base64url JSON grant>.<base64url HMAC-SHA256 of it>`. */
export function signUploadGrant(key: Buffer, grant: UploadGrant): string {
  const payload = Buffer.from(JSON.stringify(grant)).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/**
 * The grant a token carries, or null when it is malformed or its MAC is not this key's (compared in constant time).
 * The key is only asked for once the token is well formed. Whether the grant still holds (expiry, datastore,
 * content type) is the caller's to check.
 */
export function verifyUploadGrant(key: () => Buffer, token: string): UploadGrant | null {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) return null;
  const expected = mac(key(), payload);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as UploadGrant;
  } catch {
    return null;
  }
}
