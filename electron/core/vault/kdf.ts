import { randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors';

/**
 * Passphrase → 256-bit key with scrypt (memory-hard). The parameters travel with whatever they protect (vault_meta.kdf,
 * a backup header), so they can be raised later: a vault whose stored parameters are below DEFAULT_KDF is re-wrapped
 * with the current default at its next successful unlock.
 */
export const KdfParamsSchema = z.object({
  alg: z.literal('scrypt'),
  N: z.number().int().min(2).max(2 ** 24),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  salt: z.string().min(16).max(200), // base64
});
export type KdfParams = z.infer<typeof KdfParamsSchema>;
export type KdfCost = Pick<KdfParams, 'N' | 'r' | 'p'>;

/** N = 2^17, r = 8, p = 1: 128 MiB per derivation (OWASP's scrypt floor). Raise here, never lower. */
export const DEFAULT_KDF: KdfCost = { N: 2 ** 17, r: 8, p: 1 };

/** scrypt needs 128·N·r bytes; Node's default maxmem (32 MiB) refuses N = 2^17, so allow twice the need. */
const maxmemFor = (c: KdfCost) => 2 * 128 * c.N * c.r * c.p + 1024 * 1024;

export function scryptAsync(secret: string | Buffer, salt: Buffer, cost: KdfCost): Promise<Buffer> {
  const opts: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: maxmemFor(cost) };
  return new Promise((resolve, reject) => scryptCb(secret, salt, 32, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export const newKdfParams = (cost: KdfCost = DEFAULT_KDF): KdfParams => ({ alg: 'scrypt', ...cost, salt: randomBytes(16).toString('base64') });

/** Derives the wrapping key; runs on libuv's thread pool so the event loop stays responsive during the ~0.3 s. */
export function deriveKey(passphrase: string, params: KdfParams): Promise<Buffer> {
  return scryptAsync(passphrase.normalize('NFC'), Buffer.from(params.salt, 'base64'), params);
}

export const belowDefault = (p: KdfCost, d: KdfCost = DEFAULT_KDF) => p.N < d.N || p.r < d.r || p.p < d.p;

export function parseKdf(json: string | null): KdfParams {
  const parsed = KdfParamsSchema.safeParse(json ? (JSON.parse(json) as unknown) : null);
  if (!parsed.success) throw new AppError('INTEGRITY_FAILED', 'the vault passphrase settings are damaged; restore the vault from a backup');
  return parsed.data;
}

/** Passphrases the vault accepts: long enough to resist guessing at scrypt speed, short enough to type. */
export const PASSPHRASE_MIN = 12;
export const PASSPHRASE_MAX = 1024;
