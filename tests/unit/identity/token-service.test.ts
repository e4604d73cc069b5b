import { Buffer } from 'node:buffer';
import { SignJWT, decodeProtectedHeader, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { JWT_AUDIENCE, JWT_ISSUER, JWT_TTL_SECONDS, createTokenService } from '@core/identity/token-service';
import type { SigningKeyStore } from '@core/identity/signing-key-store';
import type { VaultPort } from '@core/vault/vault-port';

/**
 * The JWT service against fakes of its ports, so a test can hold the signing key and forge tokens with it: every
 * check `verify` makes (algorithm, issuer, audience, required claims, the clock, claim types) is tried on its own,
 * and the key's life (sealed once, unsealed once, zeroed when the vault locks, re-read after) is observed.
 */
const T0 = new Date('2026-03-01T10:00:00.000Z');
const CLAIMS = { sub: 'user-1', name: 'ada', pwh: 'pwh-1' };

function fixture() {
  let unlocked = true;
  let now = T0;
  const rows: { id: string; sealed: Buffer; createdAt: string }[] = [];
  const opened: Buffer[] = [];
  const calls = { immediate: 0, open: 0 };
  // The fake vault "seals" by tagging the plaintext with its AAD, and refuses another AAD, like the real one.
  const vault: VaultPort = {
    isUnlocked: () => unlocked,
    seal: (p, aad) => Buffer.concat([Buffer.from(`${aad}|`), p]),
    open: (s, aad) => {
      calls.open++;
      const tag = Buffer.from(`${aad}|`);
      if (!s.subarray(0, tag.length).equals(tag)) throw new Error('aad mismatch');
      const b = Buffer.from(s.subarray(tag.length));
      opened.push(b);
      return b;
    },
  };
  const store = {
    immediate: <T>(fn: () => T): T => {
      calls.immediate++;
      return fn();
    },
    firstSealed: () => rows[0]?.sealed,
    insert: (id: string, sealed: Buffer, createdAt: string) => void rows.push({ id, sealed, createdAt }),
  } as unknown as SigningKeyStore;
  const tokens = createTokenService({ store, vault, clock: { now: () => now } });
  const key = () => rows[0]!.sealed.subarray(Buffer.byteLength('identity:jwt-signing-key|'));
  return {
    tokens,
    rows,
    opened,
    calls,
    key,
    lock: () => void (unlocked = false),
    unlock: () => void (unlocked = true),
    at: (d: Date) => void (now = d),
  };
}

async function forge(key: Uint8Array, opts: { alg?: string; iss?: string; aud?: string; iat?: boolean; claims?: Record<string, unknown> } = {}) {
  const now = Math.floor(T0.getTime() / 1000);
  let jwt = new SignJWT(opts.claims ?? { name: CLAIMS.name, pwh: CLAIMS.pwh })
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .setSubject(CLAIMS.sub)
    .setIssuer(opts.iss ?? JWT_ISSUER)
    .setAudience(opts.aud ?? JWT_AUDIENCE)
    .setExpirationTime(now + 600);
  if (opts.iat !== false) jwt = jwt.setIssuedAt(now);
  return jwt.sign(key);
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('token service', () => {
  it('issues an HS256 JWT for an hour, with the claims, issuer, audience, iat and a jti, that verifies', async () => {
    const f = fixture();
    const { token, expiresAt } = await f.tokens.issue(CLAIMS);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const p = decodeJwt(token);
    const iat = T0.getTime() / 1000;
    expect(p).toMatchObject({ ...CLAIMS, iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat, exp: iat + JWT_TTL_SECONDS });
    expect(p.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(JWT_TTL_SECONDS).toBe(3600);
    expect(expiresAt).toBe('2026-03-01T11:00:00.000Z');
    expect(await f.tokens.verify(token)).toEqual(CLAIMS);
  });

  it('creates the 256-bit key once, sealed under its own AAD, unseals it once, and zeroes the unsealed copy', async () => {
    const f = fixture();
    const first = await f.tokens.issue(CLAIMS);
    expect(f.rows).toHaveLength(1);
    expect(f.rows[0]!.createdAt).toBe(T0.toISOString());
    expect(f.rows[0]!.sealed.subarray(0, 25).toString()).toBe('identity:jwt-signing-key|');
    expect(f.key()).toHaveLength(32);
    await f.tokens.issue(CLAIMS);
    await f.tokens.verify(first.token);
    expect(f.calls.immediate).toBe(1);

    // A second process on the same store reads the key (it does not make another) and signs alike.
    const rows = f.rows;
    const g = fixture();
    g.rows.push(...rows);
    expect(await g.tokens.verify(first.token)).toEqual(CLAIMS);
    expect(g.rows).toHaveLength(1);
    expect(g.calls.open).toBe(1);
    expect(g.opened[0]!.every((b) => b === 0)).toBe(true);
  });

  it('refuses tokens of another algorithm, issuer or audience, without iat, or with claims of the wrong type', async () => {
    const f = fixture();
    await f.tokens.issue(CLAIMS);
    const key = new Uint8Array(f.key());
    expect(await f.tokens.verify(await forge(key))).toEqual(CLAIMS);
    const bad = [
      await forge(key, { alg: 'HS512' }),
      await forge(key, { iss: 'someone-else' }),
      await forge(key, { aud: 'another-api' }),
      await forge(key, { iat: false }),
      await forge(key, { claims: { name: 7, pwh: CLAIMS.pwh } }),
      await forge(key, { claims: { name: CLAIMS.name } }),
      await forge(new Uint8Array(32).fill(1)),
      'not-a-jwt',
    ];
    for (const t of bad) {
      expect(await refusal(f.tokens.verify(t))).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: 'the token is not valid; sign in again (POST /auth/login)',
      });
    }
  });

  it('judges expiry by its clock, and says the token expired', async () => {
    const f = fixture();
    const { token } = await f.tokens.issue(CLAIMS);
    f.at(new Date(T0.getTime() + JWT_TTL_SECONDS * 1000 - 1000));
    expect(await f.tokens.verify(token)).toEqual(CLAIMS);
    f.at(new Date(T0.getTime() + JWT_TTL_SECONDS * 1000 + 1000));
    expect(await refusal(f.tokens.verify(token))).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'the token has expired; sign in again (POST /auth/login)',
    });
  });

  it('a locked vault stops issuing and checking (VAULT_LOCKED), zeroes the key in memory and reads it again after unlock', async () => {
    const f = fixture();
    const { token } = await f.tokens.issue(CLAIMS);
    f.lock();
    expect(await refusal(f.tokens.issue(CLAIMS))).toMatchObject({
      code: 'VAULT_LOCKED',
      message: 'the vault is locked; unlock it (Settings → Vault), then sign in again',
    });
    expect(await refusal(f.tokens.verify(token))).toMatchObject({ code: 'VAULT_LOCKED' });
    // While locked the stored key is replaced (e.g. a restored backup): after unlock the new one is used.
    f.rows.splice(0, 1, { id: 'k2', sealed: Buffer.concat([Buffer.from('identity:jwt-signing-key|'), Buffer.alloc(32, 9)]), createdAt: T0.toISOString() });
    f.unlock();
    expect(await refusal(f.tokens.verify(token))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await f.tokens.verify(await forge(new Uint8Array(32).fill(9)))).toEqual(CLAIMS);
    expect(f.calls.immediate).toBe(2);
  });
});
