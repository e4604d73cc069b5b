import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppError } from '@core/errors';
import type { KeyStore } from '@core/ports';
import { createSettingsStore } from '@core/settings/settings-store';
import { newKdfParams } from '@core/vault/kdf';
import { createVaultService, wrapKek } from '@core/vault/vault-service';
import { createVaultStore } from '@core/vault/vault-store';
import { createMemoryKeyStore } from '../../fakes/memory-key-store';
import { makeTestCore, tempDir } from '../../helpers/test-core';

/**
 * Key material the vault zeroes once it is done with it (issue #18's last vault gaps): the data keys when it locks,
 * the data keys a failed unlock had already unwrapped, and the scrypt-derived wrapping keys after setup and after an
 * unlock's re-wrap. None of them ever leaves the service, so this file wraps the two places they come from (the
 * envelope's `openV1`, which hands out each unwrapped data key as its own buffer, and the KDF's `deriveKey`) and keeps
 * the very buffers handed to the vault; after the operation every one of them must read as zeros. What must stay
 * true: the wrappers return the real function's result unchanged, so the vault behaves exactly as in the app.
 *
 * Also here: a vault service built with hand-made deps and no bus and no logger (both optional) still works, and the
 * passphrase path is refused on a keychain vault by its mode, whatever else its row holds.
 */
const kept = vi.hoisted(() => ({ dataKeys: [] as Buffer[], wrappingKeys: [] as Buffer[] }));

vi.mock('@core/vault/envelope', async (importOriginal) => {
  const real = await importOriginal<typeof import('@core/vault/envelope')>();
  return {
    ...real,
    openV1: (...args: Parameters<typeof real.openV1>) => {
      const plaintext = real.openV1(...args);
      if (args[2].startsWith('dek:')) kept.dataKeys.push(plaintext);
      return plaintext;
    },
  };
});

vi.mock('@core/vault/kdf', async (importOriginal) => {
  const real = await importOriginal<typeof import('@core/vault/kdf')>();
  return {
    ...real,
    deriveKey: async (...args: Parameters<typeof real.deriveKey>) => {
      const key = await real.deriveKey(...args);
      kept.wrappingKeys.push(key);
      return key;
    },
  };
});

const PASS = 'correct horse battery staple';
const FAST = { N: 2 ** 12, r: 8, p: 1 };
const cleanup: Array<() => void> = [];
beforeEach(() => {
  kept.dataKeys.length = 0;
  kept.wrappingKeys.length = 0;
});
afterEach(() => cleanup.splice(0).forEach((c) => c()));

function core(ports: Parameters<typeof makeTestCore>[0] = {}, dir = tempDir()) {
  const t = makeTestCore({ vaultKdf: FAST, ...ports }, dir);
  cleanup.push(() => t.core.close());
  return t;
}

const zeroed = (b: Buffer) => b.every((byte) => byte === 0);
/** 32 random bytes are all zero with probability 2^-256: a key that reads as zeros was zeroed. */
const live = (b: Buffer) => b.length === 32 && !zeroed(b);

async function errorOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected an error');
}

describe('the vault zeroes key material it is done with', () => {
  it('a lock zeroes every data key the unlocked vault held; the next unlock unwraps fresh copies that still work', async () => {
    const t = core();
    await t.core.vault.initializeWithKeychain(t.admin);
    await t.core.vault.rotateDataKey(t.admin);
    const sealed = t.core.vault.seal(Buffer.from('kept value'), 'rec:1');
    t.core.vault.lock(t.admin);

    kept.dataKeys.length = 0;
    await t.core.vault.unlockWithKeychain(t.admin);
    const held = [...kept.dataKeys];
    expect(held).toHaveLength(2);
    expect(held.every(live)).toBe(true);
    expect(t.core.vault.open(sealed, 'rec:1').toString()).toBe('kept value');

    t.core.vault.lock(t.admin);
    expect(t.core.vault.status().state).toBe('locked');
    expect(held.map(zeroed)).toEqual([true, true]);

    // The same after a master-key rotation: the keys adopted under the new master key are the ones zeroed.
    await t.core.vault.unlockWithKeychain(t.admin);
    kept.dataKeys.length = 0;
    await t.core.vault.rotateMasterKey(t.admin);
    expect(kept.dataKeys.length).toBeGreaterThanOrEqual(2);
    expect(t.core.vault.open(sealed, 'rec:1').toString()).toBe('kept value');
    t.core.vault.lock(t.admin);
    expect(kept.dataKeys.every(zeroed)).toBe(true);
  });

  it('the scheduler\'s auto-lock and shutdown zero the data keys the same way', async () => {
    const t = core();
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    const idle = [...kept.dataKeys];
    expect(idle.length).toBe(1);
    expect(idle.every(live)).toBe(true);
    expect(t.core.vault.lockIfIdle(new Date(Date.now() + 16 * 60_000))).toBe(true);
    expect(idle.every(zeroed)).toBe(true);

    kept.dataKeys.length = 0;
    await t.core.vault.unlockWithPassphrase(PASS, t.admin);
    const atShutdown = [...kept.dataKeys];
    expect(atShutdown.every(live)).toBe(true);
    t.core.vault.forget();
    expect(atShutdown.every(zeroed)).toBe(true);
  });

  it('a failed unlock (a later data key altered) zeroes the data keys it had already unwrapped, and stays locked', async () => {
    const t = core();
    await t.core.vault.initializeWithKeychain(t.admin);
    await t.core.vault.rotateDataKey(t.admin);
    t.core.vault.lock(t.admin);
    // The store reads the data keys in this order; alter the last one, so the first is unwrapped before the failure.
    const rows = t.core.db.prepare('SELECT id, wrapped FROM vault_data_keys').all() as Array<{ id: string; wrapped: Buffer }>;
    expect(rows).toHaveLength(2);
    const last = rows[1]!;
    const altered = Buffer.from(last.wrapped);
    altered.writeUInt8(altered.readUInt8(altered.length - 1) ^ 0x01, altered.length - 1);
    t.core.db.prepare('UPDATE vault_data_keys SET wrapped = ? WHERE id = ?').run(altered, last.id);

    kept.dataKeys.length = 0;
    const e = await errorOf(t.core.vault.unlockWithKeychain(t.admin));
    expect(e.code).toBe('INTEGRITY_FAILED');
    expect(t.core.vault.status().state).toBe('locked');
    expect(kept.dataKeys).toHaveLength(1);
    expect(kept.dataKeys.every(zeroed)).toBe(true);
  });

  it('setup with a passphrase zeroes the scrypt-derived wrapping key once the master key is wrapped', async () => {
    const dir = tempDir();
    const a = core({}, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    expect(kept.wrappingKeys).toHaveLength(1);
    expect(kept.wrappingKeys.every(zeroed)).toBe(true);
    const sealed = a.core.vault.seal(Buffer.from('kept value'), 'rec:1');
    a.core.close();

    // Zeroed after wrapping, not before: the stored wrapped key opens with the passphrase in a new process.
    const b = core({}, dir);
    await b.core.vault.unlockWithPassphrase(PASS, b.admin);
    expect(b.core.vault.open(sealed, 'rec:1').toString()).toBe('kept value');
    expect(kept.wrappingKeys).toHaveLength(2);
    expect(kept.wrappingKeys.every(zeroed)).toBe(true);
  });

  it('an unlock that re-wraps under today\'s scrypt cost zeroes both wrapping keys (the old one and the new one)', async () => {
    const dir = tempDir();
    const a = core({}, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    a.core.close();

    const b = core({ vaultKdf: { N: 2 ** 13, r: 8, p: 1 } }, dir);
    kept.wrappingKeys.length = 0;
    await b.core.vault.unlockWithPassphrase(PASS, b.admin);
    const unlocked = b.core.db.prepare("SELECT details FROM audit_events WHERE action = 'vault.unlocked'").all() as Array<{ details: string }>;
    expect(JSON.parse(unlocked.at(-1)!.details)).toEqual({ kdfUpgradedTo: { N: 2 ** 13, r: 8, p: 1 } });
    expect(kept.wrappingKeys).toHaveLength(2);
    expect(kept.wrappingKeys.every(zeroed)).toBe(true);
    b.core.close();

    // The re-wrapped key opens under the new cost.
    const c = core({ vaultKdf: { N: 2 ** 13, r: 8, p: 1 } }, dir);
    await c.core.vault.unlockWithPassphrase(PASS, c.admin);
    expect(c.core.vault.status()).toMatchObject({ state: 'unlocked', kdf: { N: 2 ** 13 } });
  });
});

describe('a vault service built with hand-made deps and neither a bus nor a logger', () => {
  it('sets up, seals, rotates its master key (the old keychain entry cannot be removed), and locks', async () => {
    const t = core();
    const inner = createMemoryKeyStore();
    const keyStore: KeyStore = { ...inner, delete: async () => Promise.reject(new Error('keychain busy')) };
    const vault = createVaultService({
      store: createVaultStore(t.core.db),
      settings: createSettingsStore(t.core.db),
      keyStore,
      clock: t.core.clock,
      audit: t.core.audit,
      access: t.core.access,
      workspaces: t.core.workspaces,
      kdfCost: FAST,
    });
    // Each of these announces a change; with no bus there is no one to tell, and nothing fails.
    expect(await vault.initializeWithKeychain(t.admin)).toMatchObject({ state: 'unlocked', mode: 'keychain' });
    const sealed = vault.seal(Buffer.from('kept value'), 'rec:1');
    const before = vault.internals.meta()!;

    // The old entry's removal fails after the commit: a warning for the logger, which is not there; the rotation stands.
    const rotated = await vault.rotateMasterKey(t.admin);
    expect(rotated.state).toBe('unlocked');
    expect(rotated.rotatedAt).not.toBeNull();
    const after = vault.internals.meta()!;
    expect(after.kek_id).not.toBe(before.kek_id);
    expect(await inner.get(after.keychain_account!)).not.toBeNull();
    expect(vault.open(sealed, 'rec:1').toString()).toBe('kept value');

    expect(vault.lock(t.admin).state).toBe('locked');
    expect((await vault.unlockWithKeychain(t.admin)).state).toBe('unlocked');
    expect(vault.open(sealed, 'rec:1').toString()).toBe('kept value');
  });
});

describe('the passphrase path on a keychain vault', () => {
  it('is refused by the mode, even when the row also carries a wrapped key and scrypt settings: no scrypt run, no audit row', async () => {
    const t = core();
    await t.core.vault.initializeWithKeychain(t.admin);
    t.core.vault.lock(t.admin);
    // What a passphrase vault's row holds, on a keychain vault's row (damaged or edited by hand).
    const m = t.core.vault.internals.meta()!;
    t.core.db
      .prepare('UPDATE vault_meta SET kdf = ?, wrapped_kek = ? WHERE id = 1')
      .run(JSON.stringify(newKdfParams(FAST)), wrapKek(randomBytes(32), randomBytes(32), m.kek_id, m.installation_id));
    kept.wrappingKeys.length = 0;

    const e = await errorOf(t.core.vault.unlockWithPassphrase(PASS, t.admin));
    expect(e).toMatchObject({ code: 'PRECONDITION_FAILED', message: 'this vault is protected by the OS keychain, not a passphrase' });
    expect(kept.wrappingKeys).toHaveLength(0);
    expect(t.core.db.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'vault.unlock_failed'").get()).toEqual({ n: 0 });
    expect(t.core.vault.status()).toMatchObject({ state: 'locked', mode: 'keychain' });
    expect((await t.core.vault.unlockWithKeychain(t.admin)).state).toBe('unlocked');
  });
});
