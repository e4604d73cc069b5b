import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppError } from '@core/errors';
import type { Clock, KeyStore, Logger } from '@core/ports';
import { openV1, sealV1 } from '@core/vault/envelope';
import { deriveKey, parseKdf } from '@core/vault/kdf';
import { AUTO_LOCK_SETTING, accountOf, keychainAccount } from '@core/vault/vault-service';
import { createMemoryKeyStore } from '../../fakes/memory-key-store';
import { makeTestCore, tempDir } from '../../helpers/test-core';

/**
 * The vault service's edges that its main suites (vault-passphrase, vault-backup) do not pin: what `status` reports,
 * the audit rows' targets and details, the `vault:changed` pushes, the auto-lock boundary and a damaged setting, the
 * refusals' codes and messages, and the master-key rotation's clean-up when it cannot commit.
 */
const PASS = 'correct horse battery staple';
const FAST = { N: 2 ** 12, r: 8, p: 1 };
const START = Date.parse('2026-03-01T09:00:00.000Z');
const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((c) => c()));

function fakeClock(start = START) {
  let now = start;
  const clock: Clock = { now: () => new Date(now) };
  return { clock, advanceMs: (ms: number) => (now += ms) };
}

function core(ports: Parameters<typeof makeTestCore>[0] = {}, dir = tempDir()) {
  const t = makeTestCore({ vaultKdf: FAST, ...ports }, dir);
  cleanup.push(() => t.core.close());
  const pushes: unknown[] = [];
  t.core.bus.subscribe((e, p) => void (e === 'vault:changed' && pushes.push(p)));
  return { ...t, pushes };
}

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<AppError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected an error');
}

type AuditRow = { action: string; outcome: string; actor_name: string; target_type: string; target_id: string; target_name: string; details: unknown; workspace_id: string | null };
function audits(t: ReturnType<typeof core>, action: string): AuditRow[] {
  const rows = t.core.db.prepare('SELECT * FROM audit_events WHERE action = ? ORDER BY rowid').all(action) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    action: r.action as string,
    outcome: r.outcome as string,
    actor_name: r.actor_name as string,
    target_type: r.target_type as string,
    target_id: r.target_id as string,
    target_name: r.target_name as string,
    workspace_id: r.workspace_id as string | null,
    details: r.details ? JSON.parse(r.details as string) : null,
  }));
}
const installationOf = (t: ReturnType<typeof core>) => t.core.vault.internals.meta()!.installation_id;
const count = (t: ReturnType<typeof core>, table: string) => (t.core.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('status', () => {
  it('before setup: uninitialized, no mode, no cost, no dates; the key store kind and the default auto-lock', () => {
    const t = core();
    // keychain: null until the keychain has been asked (vault:status asks it before answering; status() alone does not).
    expect(t.core.vault.status()).toEqual({ state: 'uninitialized', mode: null, keyStore: 'memory', autoLockMinutes: 15, kdf: null, createdAt: null, rotatedAt: null, keychain: null });
  });

  it('keychain mode: no scrypt cost; the creation time from the clock; the rotation time once rotated', async () => {
    const c = fakeClock();
    const t = core({ clock: c.clock });
    await t.core.vault.initializeWithKeychain(t.admin);
    expect(t.core.vault.status()).toEqual({
      state: 'unlocked',
      mode: 'keychain',
      keyStore: 'memory',
      autoLockMinutes: 15,
      kdf: null,
      createdAt: new Date(START).toISOString(),
      rotatedAt: null,
      // A keychain setup that worked is the keychain answering.
      keychain: { available: true, reason: null },
    });
    c.advanceMs(60_000);
    const st = await t.core.vault.rotateMasterKey(t.admin);
    expect(st).toMatchObject({ state: 'unlocked', createdAt: new Date(START).toISOString(), rotatedAt: new Date(START + 60_000).toISOString() });
    t.core.vault.lock(t.admin);
    expect(t.core.vault.status()).toMatchObject({ state: 'locked', mode: 'keychain', kdf: null });
  });

  it('passphrase mode: the stored scrypt cost, without its salt', async () => {
    const t = core();
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    expect(t.core.vault.status().kdf).toEqual(FAST);
    t.core.vault.lock(t.admin);
    expect(t.core.vault.status()).toMatchObject({ state: 'locked', mode: 'passphrase', kdf: FAST });
  });

  it('a damaged auto-lock setting reads as the default; 0 and whole minutes read as they are', () => {
    const t = core();
    const put = (v: string) => t.core.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(AUTO_LOCK_SETTING, v);
    for (const bad of ['abc', '-1', '2.5', '']) {
      put(bad);
      expect(t.core.vault.status().autoLockMinutes, bad).toBe(bad === '' ? 0 : 15);
    }
    put('0');
    expect(t.core.vault.status().autoLockMinutes).toBe(0);
    put('7');
    expect(t.core.vault.status().autoLockMinutes).toBe(7);
  });
});

describe('audit rows and pushes', () => {
  it('set up with the keychain: vault.initialized names the mode; the push says unlocked', async () => {
    const t = core();
    await t.core.vault.initializeWithKeychain(t.admin);
    expect(audits(t, 'vault.initialized')).toEqual([
      expect.objectContaining({ outcome: 'success', workspace_id: null, target_type: 'vault', target_id: installationOf(t), target_name: 'keychain' }),
    ]);
    expect(t.pushes).toEqual([{ state: 'unlocked', mode: 'keychain' }]);
  });

  it('set up with a passphrase, lock, unlock: each audited with the mode and its reason, each pushed', async () => {
    const t = core();
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    const id = installationOf(t);
    expect(audits(t, 'vault.initialized')).toEqual([expect.objectContaining({ target_id: id, target_name: 'passphrase' })]);
    t.core.vault.lock(t.admin);
    expect(audits(t, 'vault.locked')).toEqual([expect.objectContaining({ target_id: id, target_name: 'passphrase', details: { reason: 'manual' } })]);
    // A second lock of a locked vault records and pushes nothing.
    t.core.vault.lock(t.admin);
    expect(audits(t, 'vault.locked')).toHaveLength(1);
    await t.core.vault.unlock(t.admin, PASS);
    expect(audits(t, 'vault.unlocked')).toEqual([expect.objectContaining({ outcome: 'success', target_id: id, target_name: 'passphrase', details: {} })]);
    expect(t.pushes).toEqual([
      { state: 'unlocked', mode: 'passphrase' },
      { state: 'locked', mode: 'passphrase' },
      { state: 'unlocked', mode: 'passphrase' },
    ]);
  });

  it('an unlock that finds the vault unlocked already records nothing and pushes nothing', async () => {
    const t = core();
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    const k = core();
    await k.core.vault.initializeWithKeychain(k.admin);
    expect(await t.core.vault.unlock(t.admin, PASS)).toMatchObject({ state: 'unlocked' });
    expect(await t.core.vault.unlock(t.admin)).toMatchObject({ state: 'unlocked' }); // no passphrase needed: nothing to do
    expect(await t.core.vault.unlockWithPassphrase(PASS, t.admin)).toMatchObject({ state: 'unlocked' });
    expect(await k.core.vault.unlock(k.admin)).toMatchObject({ state: 'unlocked' });
    expect(await k.core.vault.unlockWithKeychain(k.admin)).toMatchObject({ state: 'unlocked' });
    expect([...audits(t, 'vault.unlocked'), ...audits(k, 'vault.unlocked')]).toEqual([]);
    expect(t.pushes).toHaveLength(1);
    expect(k.pushes).toHaveLength(1);
  });

  it('a keychain unlock is audited with the mode; the push says unlocked', async () => {
    const keyStore = createMemoryKeyStore();
    const dir = tempDir();
    const a = core({ keyStore }, dir);
    await a.core.vault.initializeWithKeychain(a.admin);
    a.core.close();
    const t = core({ keyStore }, dir);
    expect(t.core.vault.status().state).toBe('locked');
    await t.core.vault.unlock(t.admin);
    expect(audits(t, 'vault.unlocked')).toEqual([
      expect.objectContaining({ target_id: installationOf(t), target_name: 'keychain', actor_name: t.admin.name, details: {} }),
    ]);
    expect(t.pushes).toEqual([{ state: 'unlocked', mode: 'keychain' }]);
  });

  it('an unlock that raises the scrypt cost records what it was raised to', async () => {
    const dir = tempDir();
    const a = core({}, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    a.core.close();
    const b = core({ vaultKdf: { N: 2 ** 13, r: 8, p: 1 } }, dir);
    await b.core.vault.unlockWithPassphrase(PASS, b.admin);
    expect(audits(b, 'vault.unlocked').map((r) => r.details)).toEqual([{ kdfUpgradedTo: { N: 2 ** 13, r: 8, p: 1 } }]);
    expect(b.core.vault.status().kdf).toEqual({ N: 2 ** 13, r: 8, p: 1 });
  });

  it('a data-key rotation records the new key id, and sealing uses that key from then on', async () => {
    const t = core();
    await t.core.vault.initializeWithKeychain(t.admin);
    await t.core.vault.rotateDataKey(t.admin);
    const active = t.core.db.prepare('SELECT id FROM vault_data_keys WHERE active = 1').get() as { id: string };
    expect(audits(t, 'vault.key_rotated')).toEqual([
      expect.objectContaining({ target_id: installationOf(t), target_name: 'keychain', details: { rotated: 'data', dataKeyId: active.id } }),
    ]);
    const sealed = t.core.vault.seal(Buffer.from('v'), 'r');
    // Envelope v1: version byte, then the key id as 16 raw bytes.
    expect(sealed.subarray(1, 17).toString('hex')).toBe(active.id.replaceAll('-', ''));
    expect(t.pushes).toEqual([
      { state: 'unlocked', mode: 'keychain' },
      { state: 'unlocked', mode: 'keychain' },
    ]);
  });

  it('a master-key rotation in passphrase mode records the mode and the number of data keys re-wrapped', async () => {
    const t = core();
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    await t.core.vault.rotateMasterKey(t.admin, PASS);
    expect(audits(t, 'vault.key_rotated')).toEqual([
      expect.objectContaining({ target_id: installationOf(t), target_name: 'passphrase', details: { rotated: 'master', dataKeysRewrapped: 1 } }),
    ]);
    expect(t.pushes.at(-1)).toEqual({ state: 'unlocked', mode: 'passphrase' });
  });

  it('the auto-lock setting is audited with its minutes and pushed', () => {
    const t = core();
    t.core.vault.setAutoLock(9, t.admin);
    expect(audits(t, 'settings.updated')).toEqual([
      expect.objectContaining({ target_type: 'setting', target_id: AUTO_LOCK_SETTING, target_name: 'vault auto-lock', details: { minutes: 9 } }),
    ]);
    expect(t.pushes).toEqual([{ state: 'uninitialized', mode: null }]);
    expect(t.core.vault.status().autoLockMinutes).toBe(9);
  });
});

describe('refusals', () => {
  it('a second setup is a conflict, in either mode, and changes nothing', async () => {
    const t = core();
    await t.core.vault.initializeWithKeychain(t.admin);
    const before = t.core.vault.internals.meta();
    for (const e of [await errorOf(t.core.vault.initializeWithKeychain(t.admin)), await errorOf(t.core.vault.initializeWithPassphrase(PASS, t.admin))]) {
      expect(e).toMatchObject({ code: 'CONFLICT', message: 'the vault is already set up' });
    }
    expect(t.core.vault.internals.meta()).toEqual(before);
    expect(audits(t, 'vault.initialized')).toHaveLength(1);
  });

  it('unlock, lock and rotate before setup say the vault is not set up', async () => {
    const t = core();
    for (const p of [t.core.vault.unlock(t.admin), t.core.vault.unlockWithKeychain(t.admin), t.core.vault.unlockWithPassphrase(PASS, t.admin), t.core.vault.rotateDataKey(t.admin)]) {
      const e = await errorOf(p);
      expect(e.code).toBe('PRECONDITION_FAILED');
      expect(e.message).toMatch(/^the vault is not set up yet: choose the OS keychain or a passphrase/);
    }
    expect(t.core.vault.lock(t.admin).state).toBe('uninitialized');
  });

  it('a passphrase vault refuses the keychain unlock, and an unlock without a passphrase names the field', async () => {
    const dir = tempDir();
    const a = core({}, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    a.core.close();
    const t = core({}, dir);
    const viaKeychain = await errorOf(t.core.vault.unlockWithKeychain(t.admin));
    expect(viaKeychain).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'passphrase' });
    expect(viaKeychain.message).toMatch(/protected by a passphrase: unlock it with the passphrase/);
    for (const missing of [undefined, '']) {
      expect(await errorOf(t.core.vault.unlock(t.admin, missing))).toMatchObject({ code: 'INVALID_INPUT', field: 'passphrase', message: 'passphrase: enter the vault passphrase' });
    }
    expect(t.core.vault.status().state).toBe('locked');
  });

  it('a wrong passphrase is refused with the reason audited, and the same wrong one refuses a rotation', async () => {
    const t = core();
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    const e = await errorOf(t.core.vault.rotateMasterKey(t.admin, 'not the passphrase at all'));
    expect(e).toMatchObject({ code: 'FORBIDDEN', field: 'passphrase' });
    expect(audits(t, 'vault.unlock_failed')).toEqual([
      expect.objectContaining({ outcome: 'failure', target_id: installationOf(t), target_name: 'passphrase', details: { reason: 'wrong passphrase' } }),
    ]);
    const missing = await errorOf(t.core.vault.rotateMasterKey(t.admin, ''));
    expect(missing).toMatchObject({ code: 'INVALID_INPUT', field: 'passphrase' });
    expect(missing.message).toMatch(/rotate the master key/);
  });

  it('a locked vault refuses seal, open and rotations with VAULT_LOCKED', async () => {
    const t = core();
    await t.core.vault.initializeWithKeychain(t.admin);
    const sealed = t.core.vault.seal(Buffer.from('x'), 'r');
    t.core.vault.lock(t.admin);
    expect(t.core.vault.isUnlocked()).toBe(false);
    for (const f of [() => t.core.vault.seal(Buffer.from('x'), 'r'), () => t.core.vault.open(sealed, 'r')]) {
      const e = await errorOf(f);
      expect(e.code).toBe('VAULT_LOCKED');
      expect(e.message).toMatch(/^the vault is locked: unlock it/);
    }
    expect((await errorOf(t.core.vault.rotateDataKey(t.admin))).code).toBe('VAULT_LOCKED');
    expect((await errorOf(t.core.vault.rotateMasterKey(t.admin))).code).toBe('VAULT_LOCKED');
  });

  it('a value sealed under a data key this vault does not have is an integrity failure', async () => {
    const t = core();
    await t.core.vault.initializeWithKeychain(t.admin);
    const foreign = sealV1(Buffer.alloc(32, 7), randomUUID(), Buffer.from('x'), 'r');
    const e = await errorOf(() => t.core.vault.open(foreign, 'r'));
    expect(e.code).toBe('INTEGRITY_FAILED');
    expect(e.message).toMatch(/sealed with a data key this vault does not have/);
  });

  it('a keychain without the master key: KEYCHAIN_UNAVAILABLE, still locked', async () => {
    const keyStore = createMemoryKeyStore();
    const dir = tempDir();
    const a = core({ keyStore }, dir);
    await a.core.vault.initializeWithKeychain(a.admin);
    a.core.close();
    const t = core({ keyStore: createMemoryKeyStore() }, dir);
    expect(await errorOf(t.core.vault.unlock(t.admin))).toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect(t.core.vault.status().state).toBe('locked');
    expect(t.pushes).toEqual([]);
  });
});

describe('one admin action at a time', () => {
  it('an action that failed does not stop the next one from running', async () => {
    const inner = createMemoryKeyStore();
    let fail = true;
    const keyStore: KeyStore = { ...inner, set: async (a, v) => (fail ? Promise.reject(new Error('keychain gone')) : inner.set(a, v)) };
    const t = core({ keyStore });
    await expect(t.core.vault.initializeWithKeychain(t.admin)).rejects.toThrow('keychain gone');
    expect(t.core.vault.status().state).toBe('uninitialized');
    fail = false;
    await expect(t.core.vault.initializeWithKeychain(t.admin)).resolves.toMatchObject({ state: 'unlocked' });
    expect(await t.core.vault.exclusive(async () => 'ran')).toBe('ran');
  });

  it('actions queued together run one after the other, in order', async () => {
    const t = core();
    await t.core.vault.initializeWithKeychain(t.admin);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = t.core.vault.exclusive(async () => {
      order.push('first:start');
      await gate;
      order.push('first:end');
    });
    const second = t.core.vault.exclusive(async () => void order.push('second'));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['first:start']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first:start', 'first:end', 'second']);
  });
});

describe('master-key rotation that cannot commit', () => {
  it('the master key changed meanwhile: a conflict, the new keychain entry removed, the old key still opens the vault', async () => {
    const inner = createMemoryKeyStore();
    const accounts: string[] = [];
    let onSet: (() => void) | null = null;
    const keyStore: KeyStore = {
      ...inner,
      set: async (a, v) => {
        accounts.push(a);
        await inner.set(a, v);
        onSet?.();
      },
    };
    const t = core({ keyStore });
    await t.core.vault.initializeWithKeychain(t.admin);
    const sealed = t.core.vault.seal(Buffer.from('kept'), 'r');
    const before = t.core.vault.internals.meta()!;
    // Another process rotated while this one waited on the keychain: the stored key id is no longer the one read.
    onSet = () => void t.core.db.prepare('UPDATE vault_meta SET kek_id = ?').run(randomUUID());
    const e = await errorOf(t.core.vault.rotateMasterKey(t.admin));
    expect(e).toMatchObject({ code: 'CONFLICT' });
    expect(e.message).toMatch(/master key changed meanwhile/);
    const fresh = accounts.at(-1)!;
    expect(fresh).not.toBe(accountOf(before));
    expect(await inner.get(fresh)).toBeNull();
    expect(await inner.get(accountOf(before))).not.toBeNull();
    expect(audits(t, 'vault.key_rotated')).toEqual([]);
    expect(t.core.vault.open(sealed, 'r').toString()).toBe('kept');
  });

  it('an old keychain entry that cannot be removed is logged, and the rotation stands', async () => {
    const inner = createMemoryKeyStore();
    const keyStore: KeyStore = { ...inner, delete: async () => Promise.reject(new Error('keychain busy')) };
    const logs: Array<{ level: string; message: string; fields: unknown }> = [];
    const logger: Logger = { log: (level, message, fields) => void logs.push({ level, message, fields }) };
    const t = core({ keyStore, logger });
    await t.core.vault.initializeWithKeychain(t.admin);
    const sealed = t.core.vault.seal(Buffer.from('kept'), 'r');
    const old = accountOf(t.core.vault.internals.meta()!);
    expect(old).toBe(keychainAccount(installationOf(t)));
    await expect(t.core.vault.rotateMasterKey(t.admin)).resolves.toMatchObject({ state: 'unlocked' });
    expect(logs.filter((l) => l.level === 'warn')).toEqual([
      { level: 'warn', message: 'old vault master key could not be removed from the OS keychain', fields: { installation: installationOf(t) } },
    ]);
    expect(accountOf(t.core.vault.internals.meta()!)).not.toBe(old);
    expect(t.core.vault.open(sealed, 'r').toString()).toBe('kept');
    expect(audits(t, 'vault.key_rotated')).toHaveLength(1);
  });
});

describe('auto-lock boundary', () => {
  it('locks at exactly the configured idle time, not a millisecond before; a locked or keychain vault reports no lock', async () => {
    const c = fakeClock();
    const t = core({ clock: c.clock });
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    t.core.vault.setAutoLock(2, t.admin);
    expect(t.core.vault.lockIfIdle(new Date(START + 2 * 60_000 - 1))).toBe(false);
    expect(t.core.vault.status().state).toBe('unlocked');
    expect(t.core.vault.lockIfIdle(new Date(START + 2 * 60_000))).toBe(true);
    expect(t.core.vault.status().state).toBe('locked');
    expect(audits(t, 'vault.locked')).toEqual([expect.objectContaining({ actor_name: 'ProvenanceOne', details: { reason: 'idle' } })]);
    expect(t.core.vault.lockIfIdle(new Date(START + 60 * 60_000))).toBe(false);

    const k = core({ clock: c.clock });
    await k.core.vault.initializeWithKeychain(k.admin);
    k.core.vault.setAutoLock(1, k.admin);
    expect(k.core.vault.lockIfIdle(new Date(START + 60 * 60_000))).toBe(false);
    expect(k.core.vault.status().state).toBe('unlocked');
  });

  it('opening a value counts as use, as sealing does', async () => {
    const c = fakeClock();
    const t = core({ clock: c.clock });
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    t.core.vault.setAutoLock(2, t.admin);
    const sealed = t.core.vault.seal(Buffer.from('x'), 'r');
    c.advanceMs(90_000);
    t.core.vault.open(sealed, 'r');
    expect(t.core.vault.lockIfIdle(new Date(START + 2 * 60_000))).toBe(false);
    expect(t.core.vault.lockIfIdle(new Date(START + 90_000 + 2 * 60_000))).toBe(true);
  });
});

describe('the stored key material, opened independently', () => {
  it('the wrapped master key opens with the passphrase under kek-wrap:<installation>, and opens the check value and the data keys', async () => {
    const t = core();
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    const m = t.core.db.prepare('SELECT * FROM vault_meta').get() as { installation_id: string; kdf: string; wrapped_kek: Buffer; kek_check: Buffer };
    const wk = await deriveKey(PASS, parseKdf(m.kdf));
    const kek = openV1(wk, m.wrapped_kek, `kek-wrap:${m.installation_id}`);
    expect(kek).toHaveLength(32);
    expect(() => openV1(wk, m.wrapped_kek, 'kek-wrap:')).toThrow();
    expect(openV1(kek, m.kek_check, 'kek-check').toString()).toBe('provenanceone-master-key-check');
    const dk = t.core.db.prepare('SELECT id, wrapped FROM vault_data_keys').get() as { id: string; wrapped: Buffer };
    expect(openV1(kek, dk.wrapped, `dek:${dk.id}`)).toHaveLength(32);
  });
});

describe('more refusals and their words', () => {
  it('a tampered check value: INTEGRITY_FAILED after a right passphrase, FORBIDDEN for a keychain key, each saying what happened', async () => {
    const dir = tempDir();
    const a = core({}, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    a.core.close();
    const t = core({}, dir);
    const m = t.core.db.prepare('SELECT kek_check FROM vault_meta').get() as { kek_check: Buffer };
    const flipped = Buffer.from(m.kek_check);
    flipped[flipped.length - 1]! ^= 1;
    t.core.db.prepare('UPDATE vault_meta SET kek_check = ?').run(flipped);
    const e = await errorOf(t.core.vault.unlock(t.admin, PASS));
    expect(e).toMatchObject({ code: 'INTEGRITY_FAILED', message: 'the vault key check value was altered; the vault stays locked. Restore the vault from a backup' });

    const keyStore = createMemoryKeyStore();
    const kdir = tempDir();
    const k = core({ keyStore }, kdir);
    await k.core.vault.initializeWithKeychain(k.admin);
    k.core.close();
    const k2 = core({ keyStore }, kdir);
    k2.core.db.prepare('UPDATE vault_meta SET kek_check = ?').run(flipped);
    expect(await errorOf(k2.core.vault.unlock(k2.admin))).toMatchObject({
      code: 'FORBIDDEN',
      message: 'that master key does not open this vault (wrong passphrase or a different keychain entry)',
    });
  });

  it('a keychain without the key says where to look; the passphrase path on a keychain vault says what protects it', async () => {
    const keyStore = createMemoryKeyStore();
    const dir = tempDir();
    const a = core({ keyStore }, dir);
    await a.core.vault.initializeWithKeychain(a.admin);
    a.core.close();
    const empty = core({ keyStore: createMemoryKeyStore() }, dir);
    expect((await errorOf(empty.core.vault.unlock(empty.admin))).message).toBe(
      'the vault master key is not in this OS keychain (a different user or machine?). Restore a vault backup, or unlock on the machine that created it',
    );
    expect(await errorOf(empty.core.vault.unlockWithPassphrase(PASS, empty.admin))).toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: 'this vault is protected by the OS keychain, not a passphrase',
    });
  });

  it('a passphrase vault whose wrapped key is gone refuses the passphrase path instead of failing', async () => {
    const dir = tempDir();
    const a = core({}, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    a.core.close();
    const t = core({}, dir);
    t.core.db.prepare('UPDATE vault_meta SET wrapped_kek = NULL').run();
    expect(await errorOf(t.core.vault.unlock(t.admin, PASS))).toMatchObject({ code: 'PRECONDITION_FAILED', message: 'this vault is protected by the OS keychain, not a passphrase' });
    expect(t.core.vault.status().state).toBe('locked');
  });

  it('a vault with no active data key refuses to seal, though unlocked; it opens what it has', async () => {
    const dir = tempDir();
    const a = core({}, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    const sealed = a.core.vault.seal(Buffer.from('old'), 'r');
    a.core.close();
    const t = core({}, dir);
    t.core.db.prepare('UPDATE vault_data_keys SET active = 0').run();
    await t.core.vault.unlock(t.admin, PASS);
    expect(t.core.vault.isUnlocked()).toBe(true);
    expect((await errorOf(() => t.core.vault.seal(Buffer.from('x'), 'r'))).code).toBe('VAULT_LOCKED');
    expect(t.core.vault.open(sealed, 'r').toString()).toBe('old');
  });

  it('after an unlock, values are sealed with the key marked active, whichever row it is', async () => {
    const dir = tempDir();
    const a = core({}, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    await a.core.vault.rotateDataKey(a.admin);
    a.core.close();
    const t = core({}, dir);
    const rows = t.core.db.prepare('SELECT id FROM vault_data_keys ORDER BY rowid').all() as Array<{ id: string }>;
    expect(rows).toHaveLength(2);
    // The first row is made the active one again (as a restore of an older backup could leave them).
    t.core.db.prepare('UPDATE vault_data_keys SET active = (id = ?)').run(rows[0]!.id);
    await t.core.vault.unlock(t.admin, PASS);
    const sealed = t.core.vault.seal(Buffer.from('x'), 'r');
    expect(sealed.subarray(1, 17).toString('hex')).toBe(rows[0]!.id.replaceAll('-', ''));
  });

  it('audit targets are the vault, for every admin action', async () => {
    const keyStore = createMemoryKeyStore();
    const dir = tempDir();
    const t = core({ keyStore }, dir);
    await t.core.vault.initializeWithKeychain(t.admin);
    await t.core.vault.rotateDataKey(t.admin);
    await t.core.vault.rotateMasterKey(t.admin);
    t.core.vault.lock(t.admin);
    await t.core.vault.unlock(t.admin);
    const p = core();
    await p.core.vault.initializeWithPassphrase(PASS, p.admin);
    await p.core.vault.rotateMasterKey(p.admin, PASS);
    p.core.vault.lock(p.admin);
    await errorOf(p.core.vault.unlock(p.admin, 'not the passphrase at all'));
    for (const x of [t, p]) {
      const rows = x.core.db.prepare("SELECT action, target_type FROM audit_events WHERE action LIKE 'vault.%'").all() as Array<{ action: string; target_type: string }>;
      expect(rows.length).toBeGreaterThanOrEqual(4);
      expect(rows.filter((r) => r.target_type !== 'vault')).toEqual([]);
    }
  });
});

describe('a setup or rotation that another process overtook', () => {
  /** The vault_meta row of another installation, to insert as if a sibling process had set the vault up meanwhile. */
  async function siblingMeta() {
    const other = core();
    await other.core.vault.initializeWithKeychain(other.admin);
    return other.core.db.prepare('SELECT * FROM vault_meta').get() as Record<string, unknown>;
  }
  const insert = (t: ReturnType<typeof core>, row: Record<string, unknown>) =>
    t.core.db.prepare(`INSERT INTO vault_meta (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map((k) => `@${k}`).join(', ')})`).run(row);

  it('keychain setup: the vault was set up while the key went into the keychain: a conflict, nothing of ours recorded', async () => {
    const row = await siblingMeta();
    const inner = createMemoryKeyStore();
    let onSet: (() => void) | null = null;
    const keyStore: KeyStore = { ...inner, set: async (a, v) => (await inner.set(a, v), onSet?.()) };
    const t = core({ keyStore });
    onSet = () => insert(t, row);
    expect(await errorOf(t.core.vault.initializeWithKeychain(t.admin))).toMatchObject({ code: 'CONFLICT', message: 'the vault is already set up' });
    expect(t.core.vault.internals.meta()!.installation_id).toBe(row.installation_id);
    expect(audits(t, 'vault.initialized')).toEqual([]);
    expect(t.core.vault.status().state).toBe('locked');
  });

  it('passphrase setup: the vault was set up while scrypt ran: a conflict, nothing of ours recorded', async () => {
    const row = await siblingMeta();
    let armed = false;
    const box: { t?: ReturnType<typeof core> } = {};
    const clock: Clock = {
      now: () => {
        if (armed) {
          armed = false;
          insert(box.t!, row);
        }
        return new Date(START);
      },
    };
    const t = (box.t = core({ clock }));
    armed = true;
    expect(await errorOf(t.core.vault.initializeWithPassphrase(PASS, t.admin))).toMatchObject({ code: 'CONFLICT', message: 'the vault is already set up' });
    expect(t.core.vault.internals.meta()!.installation_id).toBe(row.installation_id);
    expect(count(t, 'vault_data_keys')).toBe(0);
  });

  it('a second setup writes nothing into the keychain', async () => {
    const inner = createMemoryKeyStore();
    const sets: string[] = [];
    const keyStore: KeyStore = { ...inner, set: async (a, v) => (sets.push(a), inner.set(a, v)) };
    const t = core({ keyStore });
    await t.core.vault.initializeWithKeychain(t.admin);
    expect(sets).toHaveLength(1);
    expect((await errorOf(t.core.vault.initializeWithKeychain(t.admin))).code).toBe('CONFLICT');
    expect(sets).toHaveLength(1);
  });

  it('a passphrase-mode rotation that cannot commit touches no keychain entry', async () => {
    const inner = createMemoryKeyStore();
    const deletes: unknown[] = [];
    const keyStore: KeyStore = { ...inner, delete: async (a) => (deletes.push(a), inner.delete(a)) };
    let armed = false;
    const box: { t?: ReturnType<typeof core> } = {};
    const clock: Clock = {
      now: () => {
        if (armed) {
          armed = false;
          box.t!.core.db.prepare('UPDATE vault_meta SET kek_id = ?').run(randomUUID());
        }
        return new Date(START);
      },
    };
    const t = (box.t = core({ keyStore, clock }));
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    armed = true;
    expect((await errorOf(t.core.vault.rotateMasterKey(t.admin, PASS))).code).toBe('CONFLICT');
    expect(deletes).toEqual([]);
  });
});
