import { afterEach, describe, expect, it } from 'vitest';
import type { AppError } from '@core/errors';
import { DEFAULT_KDF } from '@core/vault/kdf';
import { accountOf } from '@core/vault/vault-service';
import type { Clock } from '@core/ports';
import { createMemoryKeyStore } from '../../fakes/memory-key-store';
import { roleActors } from '../../helpers/actors';
import { count, makeTestCore, tempDir, unwrap } from '../../helpers/test-core';

const PASS = 'correct horse battery staple';
const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((c) => c()));

/** Tests that are not about the scrypt cost run with a cheap one (2 shared CPUs); the KDF tests use the default. */
const FAST = { N: 2 ** 12, r: 8, p: 1 };
function core(ports: Parameters<typeof makeTestCore>[0] = {}, dir = tempDir()) {
  const t = makeTestCore({ vaultKdf: FAST, ...ports }, dir);
  cleanup.push(() => t.core.close());
  return t;
}

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<AppError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected an error');
}

const metaRow = (t: ReturnType<typeof core>) => t.core.db.prepare('SELECT * FROM vault_meta').get() as Record<string, unknown>;
const auditActions = (t: ReturnType<typeof core>, action: string) =>
  t.core.db.prepare('SELECT outcome, details FROM audit_events WHERE action = ?').all(action) as Array<{ outcome: string; details: string }>;

describe('passphrase mode', () => {
  it('initializes with scrypt parameters and salt beside the wrapped key, and nothing in any keychain', async () => {
    const keyStore = createMemoryKeyStore();
    const t = core({ keyStore, vaultKdf: undefined });
    const st = unwrap(await t.invoke('vault:initialize', { mode: 'passphrase', passphrase: PASS }));
    expect(st).toMatchObject({ state: 'unlocked', mode: 'passphrase', kdf: { N: 2 ** 17, r: 8, p: 1 } });
    const m = metaRow(t);
    const kdf = JSON.parse(m.kdf as string) as Record<string, unknown>;
    expect(kdf).toMatchObject({ alg: 'scrypt', N: DEFAULT_KDF.N, r: 8, p: 1 });
    expect(Buffer.from(kdf.salt as string, 'base64')).toHaveLength(16);
    expect((m.wrapped_kek as Buffer).length).toBeGreaterThan(32);
    expect(m.keychain_account).toBeNull();
    expect(await keyStore.get(accountOf(m as never))).toBeNull();
  });

  it('refuses a short passphrase at setup, naming the field, and sets nothing up', async () => {
    const t = core();
    const r = await t.invoke('vault:initialize', { mode: 'passphrase', passphrase: 'short' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'passphrase' } });
    expect(t.core.vault.status().state).toBe('uninitialized');
  });

  it('after a restart: locked; a wrong passphrase changes nothing and is audited; the right one unlocks', async () => {
    const dir = tempDir();
    const a = core({}, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    const sealed = a.core.vault.seal(Buffer.from('hello'), 'rec:1');
    a.core.close();

    const b = core({}, dir);
    await b.core.start(); // no passphrase source: stays locked
    expect(b.core.vault.status().state).toBe('locked');
    expect(() => b.core.vault.open(sealed, 'rec:1')).toThrow(/locked/);
    const before = metaRow(b);
    const keysBefore = b.core.db.prepare('SELECT * FROM vault_data_keys').all();

    const wrong = await b.invoke('vault:unlock', { passphrase: 'correct horse battery stapler' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', field: 'passphrase' } });
    if (!wrong.ok) expect(wrong.error.message).toMatch(/wrong vault passphrase: nothing was changed/);
    expect(b.core.vault.status().state).toBe('locked');
    expect(metaRow(b)).toEqual(before);
    expect(b.core.db.prepare('SELECT * FROM vault_data_keys').all()).toEqual(keysBefore);
    expect(auditActions(b, 'vault.unlock_failed')).toEqual([expect.objectContaining({ outcome: 'failure' })]);
    expect(JSON.stringify(auditActions(b, 'vault.unlock_failed'))).not.toContain('stapler');

    const missing = await b.invoke('vault:unlock', {});
    expect(missing).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'passphrase' } });

    unwrap(await b.invoke('vault:unlock', { passphrase: PASS }));
    expect(b.core.vault.open(sealed, 'rec:1').toString()).toBe('hello');
  });

  it('unlocks at start from a passphrase source (the headless file / TTY path)', async () => {
    const dir = tempDir();
    const a = core({}, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    a.core.close();
    const b = core({}, dir);
    await b.core.start({ initialize: true, passphrase: async () => PASS });
    expect(b.core.vault.status()).toMatchObject({ state: 'unlocked', mode: 'passphrase' });
  });

  it('re-wraps on unlock when the stored scrypt parameters are below the current default', async () => {
    const dir = tempDir();
    const a = core({ vaultKdf: { N: 2 ** 14, r: 8, p: 1 } }, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    const sealed = a.core.vault.seal(Buffer.from('kept'), 'rec:k');
    const oldMeta = metaRow(a);
    expect(JSON.parse(oldMeta.kdf as string)).toMatchObject({ N: 2 ** 14 });
    a.core.close();

    const b = core({ vaultKdf: undefined }, dir);
    await b.core.vault.unlockWithPassphrase(PASS, b.admin);
    const m = metaRow(b);
    const kdf = JSON.parse(m.kdf as string) as { N: number; salt: string };
    expect(kdf.N).toBe(2 ** 17);
    expect(kdf.salt).not.toBe((JSON.parse(oldMeta.kdf as string) as { salt: string }).salt);
    expect(m.kek_id).toBe(oldMeta.kek_id);
    b.core.close();

    const c = core({ vaultKdf: undefined }, dir);
    await c.core.vault.unlockWithPassphrase(PASS, c.admin);
    expect(c.core.vault.open(sealed, 'rec:k').toString()).toBe('kept');
  });

  it('a lock during the re-wrap cannot corrupt the stored key', async () => {
    const dir = tempDir();
    const a = core({ vaultKdf: { N: 2 ** 12, r: 8, p: 1 } }, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    a.core.close();
    const b = core({ vaultKdf: { N: 2 ** 16, r: 8, p: 1 } }, dir);
    const unlocking = b.core.vault.unlockWithPassphrase(PASS, b.admin);
    while (b.core.vault.status().state !== 'unlocked') await new Promise((r) => setImmediate(r));
    b.core.vault.lock(b.admin); // the re-wrap's scrypt is still running
    await unlocking;
    expect(JSON.parse(metaRow(b).kdf as string)).toMatchObject({ N: 2 ** 16 });
    b.core.close();
    const c = core({ vaultKdf: { N: 2 ** 16, r: 8, p: 1 } }, dir);
    await c.core.vault.unlockWithPassphrase(PASS, c.admin);
    expect(c.core.vault.status().state).toBe('unlocked');
  });

  it('keychain mode refuses the passphrase path, and vice versa, with clear errors', async () => {
    const t = core();
    await t.core.vault.initializeWithKeychain(t.admin);
    t.core.vault.lock(t.admin);
    expect((await errorOf(t.core.vault.unlockWithPassphrase(PASS, t.admin))).message).toMatch(/protected by the OS keychain/);
    unwrap(await t.invoke('vault:unlock', undefined));
    expect(t.core.vault.status().state).toBe('unlocked');
  });
});

describe('tamper with the key material', () => {
  async function lockedPassphraseVault() {
    const dir = tempDir();
    const a = core({}, dir);
    await a.core.vault.initializeWithPassphrase(PASS, a.admin);
    await a.core.vault.rotateDataKey(a.admin);
    a.core.close();
    return core({}, dir);
  }
  const flip = (b: Buffer, i: number) => {
    const c = Buffer.from(b);
    c[i] = c[i]! ^ 0x01;
    return c;
  };

  it('a flipped byte in a wrapped data key keeps the vault locked with INTEGRITY_FAILED', async () => {
    for (const where of [0, 20, -1]) {
      const t = await lockedPassphraseVault();
      const row = t.core.db.prepare('SELECT id, wrapped FROM vault_data_keys LIMIT 1').get() as { id: string; wrapped: Buffer };
      t.core.db.prepare('UPDATE vault_data_keys SET wrapped = ? WHERE id = ?').run(flip(row.wrapped, where < 0 ? row.wrapped.length + where : where), row.id);
      const e = await errorOf(t.core.vault.unlockWithPassphrase(PASS, t.admin));
      expect(e.code).toBe('INTEGRITY_FAILED');
      expect(e.message).toMatch(/wrapped data key .* altered/);
      expect(t.core.vault.status().state).toBe('locked');
      expect(t.core.vault.isUnlocked()).toBe(false);
    }
  });

  it('a wrapped data key swapped onto another row is refused (AAD binds it to its id)', async () => {
    const t = await lockedPassphraseVault();
    const rows = t.core.db.prepare('SELECT id, wrapped FROM vault_data_keys').all() as Array<{ id: string; wrapped: Buffer }>;
    expect(rows).toHaveLength(2);
    t.core.db.prepare('UPDATE vault_data_keys SET wrapped = ? WHERE id = ?').run(rows[1]!.wrapped, rows[0]!.id);
    expect((await errorOf(t.core.vault.unlockWithPassphrase(PASS, t.admin))).code).toBe('INTEGRITY_FAILED');
  });

  it('a flipped byte in kek_check keeps the vault locked with INTEGRITY_FAILED', async () => {
    const t = await lockedPassphraseVault();
    const m = metaRow(t);
    t.core.db.prepare('UPDATE vault_meta SET kek_check = ?').run(flip(m.kek_check as Buffer, 33));
    const e = await errorOf(t.core.vault.unlockWithPassphrase(PASS, t.admin));
    expect(e.code).toBe('INTEGRITY_FAILED');
    expect(t.core.vault.status().state).toBe('locked');
  });

  it('a flipped byte in the wrapped master key opens nothing', async () => {
    const t = await lockedPassphraseVault();
    const m = metaRow(t);
    t.core.db.prepare('UPDATE vault_meta SET wrapped_kek = ?').run(flip(m.wrapped_kek as Buffer, 40));
    expect((await errorOf(t.core.vault.unlockWithPassphrase(PASS, t.admin))).code).toBe('FORBIDDEN');
    expect(t.core.vault.status().state).toBe('locked');
  });

  it('keychain mode: a flipped kek_check refuses the key from the keychain', async () => {
    const dir = tempDir();
    const keyStore = createMemoryKeyStore();
    const a = core({ keyStore }, dir);
    await a.core.vault.initializeWithKeychain(a.admin);
    a.core.close();
    const t = core({ keyStore }, dir);
    t.core.db.prepare('UPDATE vault_meta SET kek_check = ?').run(flip(metaRow(t).kek_check as Buffer, 40));
    await expect(t.core.vault.unlockWithKeychain(t.admin)).rejects.toThrow(/does not open this vault/);
    expect(t.core.vault.status().state).toBe('locked');
  });
});

describe('lock, auto-lock', () => {
  function fakeClock(start = Date.parse('2026-01-01T10:00:00Z')) {
    let now = start;
    const clock: Clock = { now: () => new Date(now) };
    return { clock, advanceMinutes: (m: number) => (now += m * 60_000) };
  }

  it('Lock now zeroes the keys; values refuse until unlocked; vault:changed is pushed', async () => {
    const t = core();
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    const sealed = t.core.vault.seal(Buffer.from('x'), 'r');
    const pushes: unknown[] = [];
    t.core.bus.subscribe((e, p) => e === 'vault:changed' && pushes.push(p));
    unwrap(await t.invoke('vault:lock', undefined));
    expect(pushes).toEqual([{ state: 'locked', mode: 'passphrase' }]);
    expect(t.core.vault.internals.currentKek()).toBeNull();
    const r = (() => {
      try {
        t.core.vault.open(sealed, 'r');
      } catch (e) {
        return (e as AppError).code;
      }
    })();
    expect(r).toBe('VAULT_LOCKED');
  });

  it('passphrase mode locks itself after the configured idle time; use resets the timer', async () => {
    const c = fakeClock();
    const t = core({ clock: c.clock });
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    expect(t.core.vault.status().autoLockMinutes).toBe(15);
    unwrap(await t.invoke('vault:setAutoLock', { minutes: 5 }));
    expect(t.core.vault.status().autoLockMinutes).toBe(5);
    c.advanceMinutes(4);
    await t.core.scheduler.runDue();
    expect(t.core.vault.status().state).toBe('unlocked');
    t.core.vault.seal(Buffer.from('use'), 'r'); // vault use at minute 4
    c.advanceMinutes(4);
    await t.core.scheduler.runDue();
    expect(t.core.vault.status().state).toBe('unlocked');
    c.advanceMinutes(2);
    await t.core.scheduler.runDue();
    expect(t.core.vault.status().state).toBe('locked');
    expect(JSON.parse(auditActions(t, 'vault.locked')[0]!.details)).toEqual({ reason: 'idle' });
  });

  it('0 minutes turns auto-lock off; keychain mode never auto-locks', async () => {
    const c = fakeClock();
    const p = core({ clock: c.clock });
    await p.core.vault.initializeWithPassphrase(PASS, p.admin);
    p.core.vault.setAutoLock(0, p.admin);
    c.advanceMinutes(100_000);
    await p.core.scheduler.runDue();
    expect(p.core.vault.status().state).toBe('unlocked');

    const k = core({ clock: c.clock });
    await k.core.vault.initializeWithKeychain(k.admin);
    c.advanceMinutes(100_000);
    await k.core.scheduler.runDue();
    expect(k.core.vault.status().state).toBe('unlocked');
  });

  it('refuses an out-of-range auto-lock time, naming the field', async () => {
    const t = core();
    expect(await t.invoke('vault:setAutoLock', { minutes: -1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'minutes' } });
    expect(await t.invoke('vault:setAutoLock', { minutes: 1.5 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'minutes' } });
  });
});

describe('key rotation', () => {
  it('keychain mode: new KEK under a new account, every data key re-wrapped, old account gone, values still open', async () => {
    const keyStore = createMemoryKeyStore();
    const dir = tempDir();
    const t = core({ keyStore }, dir);
    await t.core.vault.initializeWithKeychain(t.admin);
    const v1 = t.core.vault.seal(Buffer.from('one'), 'r:1');
    await t.core.vault.rotateDataKey(t.admin);
    const v2 = t.core.vault.seal(Buffer.from('two'), 'r:2');
    const before = metaRow(t);
    const wrappedBefore = t.core.db.prepare('SELECT id, wrapped, kek_id FROM vault_data_keys ORDER BY id').all() as Array<{ wrapped: Buffer; kek_id: string }>;

    unwrap(await t.invoke('vault:rotateMasterKey', undefined));
    const after = metaRow(t);
    expect(after.kek_id).not.toBe(before.kek_id);
    expect(after.keychain_account).not.toBe(accountOf(before as never));
    expect(await keyStore.get(accountOf(before as never))).toBeNull();
    expect(await keyStore.get(after.keychain_account as string)).not.toBeNull();
    const wrappedAfter = t.core.db.prepare('SELECT id, wrapped, kek_id FROM vault_data_keys ORDER BY id').all() as Array<{ wrapped: Buffer; kek_id: string }>;
    expect(wrappedAfter).toHaveLength(2);
    wrappedAfter.forEach((r, i) => {
      expect(r.kek_id).toBe(after.kek_id);
      expect(r.wrapped.equals(wrappedBefore[i]!.wrapped)).toBe(false);
    });
    expect(t.core.vault.open(v1, 'r:1').toString()).toBe('one');
    expect(JSON.parse(auditActions(t, 'vault.key_rotated').at(-1)!.details)).toMatchObject({ rotated: 'master', dataKeysRewrapped: 2 });
    t.core.close();

    const again = core({ keyStore }, dir);
    await again.core.start();
    expect(again.core.vault.open(v1, 'r:1').toString()).toBe('one');
    expect(again.core.vault.open(v2, 'r:2').toString()).toBe('two');
  });

  it('a failing keychain write rotates nothing', async () => {
    const inner = createMemoryKeyStore();
    let failSet = false;
    const keyStore = { ...inner, set: async (a: string, v: string) => (failSet ? Promise.reject(new Error('keychain gone')) : inner.set(a, v)) };
    const t = core({ keyStore });
    await t.core.vault.initializeWithKeychain(t.admin);
    const before = metaRow(t);
    failSet = true;
    await expect(t.core.vault.rotateMasterKey(t.admin)).rejects.toThrow('keychain gone');
    expect(metaRow(t)).toEqual(before);
    expect(auditActions(t, 'vault.key_rotated')).toHaveLength(0);
  });

  it('passphrase mode: asks for the passphrase; a wrong one changes nothing; values open after restart', async () => {
    const dir = tempDir();
    const t = core({}, dir);
    await t.core.vault.initializeWithPassphrase(PASS, t.admin);
    const v = t.core.vault.seal(Buffer.from('pp'), 'r:p');
    const before = metaRow(t);
    expect(await t.invoke('vault:rotateMasterKey', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'passphrase' } });
    expect(await t.invoke('vault:rotateMasterKey', { passphrase: 'not the passphrase' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(metaRow(t)).toEqual(before);
    unwrap(await t.invoke('vault:rotateMasterKey', { passphrase: PASS }));
    const after = metaRow(t);
    expect(after.kek_id).not.toBe(before.kek_id);
    expect(after.kdf).not.toBe(before.kdf); // re-salted
    t.core.close();
    const b = core({}, dir);
    await b.core.vault.unlockWithPassphrase(PASS, b.admin);
    expect(b.core.vault.open(v, 'r:p').toString()).toBe('pp');
  });

  it('rotate data key: new values use the new key; old ones still open', async () => {
    const t = core();
    await t.core.vault.initializeWithKeychain(t.admin);
    const old = t.core.vault.seal(Buffer.from('old'), 'r');
    unwrap(await t.invoke('vault:rotateDataKey', undefined));
    const fresh = t.core.vault.seal(Buffer.from('new'), 'r');
    expect(fresh.subarray(1, 17).equals(old.subarray(1, 17))).toBe(false);
    expect(count(t.core.db, 'vault_data_keys')).toBe(2);
    expect(t.core.vault.open(old, 'r').toString()).toBe('old');
    expect(t.core.vault.open(fresh, 'r').toString()).toBe('new');
  });
});

describe('access', () => {
  it('status is readable by every role; everything else needs vault.manage (admin)', async () => {
    const t = core();
    const as = roleActors(t.core);
    const ws = t.core.workspaces.defaultWorkspace().id;
    for (const role of ['viewer', 'editor'] as const) {
      const actor = as(role, ws);
      expect((await t.invoke('vault:status', undefined, actor)).ok).toBe(true);
      expect(await t.invoke('vault:initialize', { mode: 'keychain' }, actor)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await t.invoke('vault:lock', undefined, actor)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await t.invoke('vault:exportBackup', { passphrase: PASS }, actor)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await t.invoke('vault:setAutoLock', { minutes: 3 }, actor)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(t.core.vault.status().state).toBe('uninitialized');
    unwrap(await t.invoke('vault:initialize', { mode: 'keychain' }, as('admin', ws, 'an-admin')));
    expect(t.core.vault.status().state).toBe('unlocked');
  });
});
