import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Clock } from '../ports';
import type { VaultPort } from '../vault/vault-port';
import { AppError } from '../errors';
import type { SigningKeyStore } from './signing-key-store';

export const JWT_ISSUER = 'provenanceone-desktop';
export const JWT_AUDIENCE = 'provenanceone-api';
export const JWT_TTL_SECONDS = 60 * 60;
const KEY_AAD = 'identity:jwt-signing-key';

export type TokenClaims = { sub: string; name: string; pwh: string };

/**
 * Short-lived HS256 JWTs for local users. The 256-bit signing key is created on first use and stored only
 * sealed by the vault (AAD names the record); the plaintext lives in memory for the life of the process.
 * Locking the vault stops sign-in and token checks too: a locked vault means nothing it protects is usable.
 */
export function createTokenService(deps: { store: SigningKeyStore; clock: Clock; vault: VaultPort }) {
  let cached: Uint8Array | null = null;

  function signingKey(): Uint8Array {
    const vault = deps.vault;
    if (!vault.isUnlocked()) {
      cached?.fill(0);
      cached = null;
      throw new AppError('VAULT_LOCKED', 'the vault is locked; unlock it (Settings → Vault), then sign in again');
    }
    if (cached) return cached;
    // IMMEDIATE: a second process on the same data dir (desktop + console) either sees this key or waits for it,
    // so both sign with the same one.
    const { store } = deps;
    const key = store.immediate(() => {
      const sealed = store.firstSealed();
      if (sealed) return vault.open(sealed, KEY_AAD);
      const fresh = randomBytes(32);
      store.insert(randomUUID(), vault.seal(fresh, KEY_AAD), deps.clock.now().toISOString());
      return fresh;
    });
    cached = new Uint8Array(key);
    key.fill(0);
    return cached;
  }

  async function issue(claims: TokenClaims): Promise<{ token: string; expiresAt: string }> {
    const now = Math.floor(deps.clock.now().getTime() / 1000);
    const exp = now + JWT_TTL_SECONDS;
    const token = await new SignJWT({ name: claims.name, pwh: claims.pwh })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(signingKey());
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The token's claims, or UNAUTHENTICATED (forged, expired, wrong algorithm, malformed). */
  async function verify(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, signingKey(), {
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        algorithms: ['HS256'],
        currentDate: deps.clock.now(),
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.name !== 'string' || typeof payload.pwh !== 'string') throw new Error('claims');
      return { sub: payload.sub, name: payload.name, pwh: payload.pwh };
    } catch (e) {
      if (e instanceof AppError) throw e;
      const expired = (e as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new AppError('UNAUTHENTICATED', expired ? 'the token has expired; sign in again (POST /auth/login)' : 'the token is not valid; sign in again (POST /auth/login)');
    }
  }

  return { issue, verify };
}
export type TokenService = ReturnType<typeof createTokenService>;
