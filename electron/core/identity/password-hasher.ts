import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt password hashes in the form `scrypt$N$r$p$salt$hash` (salt and hash base64url). The parameters are
 * stored with every hash so they can be raised later without invalidating existing passwords.
 * N=2^15, r=8, p=1 is OWASP's scrypt recommendation; it needs 32 MiB, so maxmem is set above Node's default.
 */
export type ScryptParams = { N: number; r: number; p: number; keyLength: number; saltLength: number };
export const SCRYPT_PARAMS: Readonly<ScryptParams> = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 };

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  const opts: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyLength, opts, (e, k) => (e ? reject(e) : resolve(k))));
}

export async function hashPassword(password: string, params: Readonly<ScryptParams> = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(params.saltLength);
  const key = await derive(password, salt, params.N, params.r, params.p, params.keyLength);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0) || expected.length === 0) return false;
  const key = await derive(password, salt, N, r, p, expected.length);
  return timingSafeEqual(key, expected);
}

/** A hash of a random password: verifying against it costs what a real check costs, so unknown usernames are not revealed by timing. */
let dummy: Promise<string> | null = null;
export const dummyHash = (): Promise<string> => (dummy ??= hashPassword(randomBytes(16).toString('hex')));

/**
 * The port the user service hashes and checks passwords through (scrypt below; tests count its calls, e.g. that a
 * burst of parallel sign-ins checks at most as many passwords as the lockout allows).
 */
export type PasswordHasher = {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /** A hash to verify against when the username is unknown (same cost, nothing revealed by timing). */
  dummyHash(): Promise<string>;
};
export const scryptPasswordHasher: PasswordHasher = { hash: (p) => hashPassword(p), verify: verifyPassword, dummyHash };
