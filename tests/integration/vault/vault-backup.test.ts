import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE } from '@core/db/database';
import { createMemoryKeyStore } from '../../fakes/memory-key-store';
import { count, makeTestCore, tempDir, unwrap } from '../../helpers/test-core';

const FAST = { N: 2 ** 12, r: 8, p: 1 };
const BACKUP_PASS = 'backup passphrase typed by the admin';
const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((c) => c()));

function core(ports: Parameters<typeof makeTestCore>[0] = {}, dir = tempDir()) {
  const t = makeTestCore({ vaultKdf: FAST, ...ports }, dir);
  cleanup.push(() => t.core.close());
  return t;
}

/** A keychain-mode source vault with a few sealed values stored in a table of its database, and a workspace. */
async function source() {
  const t = core({ keyStore: createMemoryKeyStore() });
  await t.core.vault.initializeWithKeychain(t.admin);
  await t.core.workspaces.create('Payments', t.admin);
  const values = ['alpha', 'beta', 'gamma'].map((v, i) => ({ aad: `rec:${i}`, plain: v, sealed: t.core.vault.seal(Buffer.from(v), `rec:${i}`) }));
  await t.core.vault.rotateDataKey(t.admin);
  values.push({ aad: 'rec:3', plain: 'delta', sealed: t.core.vault.seal(Buffer.from('delta'), 'rec:3') });
  return { t, values };
}

async function exportFrom(t: ReturnType<typeof core>) {
  const file = unwrap(await t.invoke('vault:exportBackup', { passphrase: BACKUP_PASS }));
  return { ...file, buf: Buffer.from(file.data, 'base64') };
}

/** Everything restore could touch, to prove "restores nothing". */
function snapshot(t: ReturnType<typeof core>) {
  return {
    status: t.core.vault.status(),
    workspaces: t.core.workspaces.list(t.admin),
    meta: t.core.db.prepare('SELECT * FROM vault_meta').all(),
    keys: t.core.db.prepare('SELECT * FROM vault_data_keys').all(),
    audit: count(t.core.db, 'audit_events'),
  };
}

describe('vault backup', () => {
  it('exports a versioned, authenticated file and restores it on another machine under a passphrase', async () => {
    const { t, values } = await source();
    const file = await exportFrom(t);
    expect(file.fileName).toMatch(/^provenanceone-vault-.*\.p1vault$/);
    expect(file.buf.subarray(0, 6).toString()).toBe('P1VBAK');
    expect(file.bytes).toBe(file.buf.length);
    expect(t.core.db.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'vault.backup_exported'").get()).toEqual({ n: 1 });
    // no scratch files left behind in the data dir
    expect(fs.readdirSync(t.dataDir).filter((f) => f.startsWith('.'))).toEqual([]);

    const otherKeychain = createMemoryKeyStore();
    const b = core({ keyStore: otherKeychain });
    expect(b.core.vault.status().state).toBe('uninitialized');
    const st = unwrap(
      await b.invoke('vault:restoreBackup', { data: file.data, passphrase: BACKUP_PASS, protect: { mode: 'passphrase', passphrase: 'new machine passphrase' } }),
    );
    expect(st).toMatchObject({ state: 'unlocked', mode: 'passphrase' });
    for (const v of values) expect(b.core.vault.open(v.sealed, v.aad).toString()).toBe(v.plain);
    expect(b.core.workspaces.list(b.admin).map((w) => w.name).sort()).toEqual(['Default', 'Payments']);
    expect(b.core.db.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'vault.backup_restored'").get()).toEqual({ n: 1 });
    // the audit log's append-only guard is back after the restore
    expect(() => b.core.db.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    expect(fs.readdirSync(b.dataDir).filter((f) => f.startsWith('.'))).toEqual([]);

    // re-protected by the new passphrase: a restart unlocks with it
    const dir = b.dataDir;
    b.core.close();
    const again = core({ keyStore: otherKeychain }, dir);
    await expect(again.core.vault.unlockWithPassphrase(BACKUP_PASS, again.admin)).rejects.toThrow(/wrong vault passphrase/);
    await again.core.vault.unlockWithPassphrase('new machine passphrase', again.admin);
    expect(again.core.vault.open(values[3]!.sealed, 'rec:3').toString()).toBe('delta');
  });

  it('restores under this machine\'s keychain, replacing a vault that was already there', async () => {
    const { t, values } = await source();
    const file = await exportFrom(t);
    const keychain = createMemoryKeyStore();
    const b = core({ keyStore: keychain });
    await b.core.vault.initializeWithPassphrase('the old vault passphrase', b.admin);
    await b.core.workspaces.create('Only here', b.admin);
    unwrap(await b.invoke('vault:restoreBackup', { data: file.data, passphrase: BACKUP_PASS, protect: { mode: 'keychain' } }));
    expect(b.core.vault.status()).toMatchObject({ state: 'unlocked', mode: 'keychain' });
    expect(b.core.workspaces.list(b.admin).map((w) => w.name)).not.toContain('Only here');
    const m = b.core.db.prepare('SELECT keychain_account, installation_id FROM vault_meta').get() as { keychain_account: string; installation_id: string };
    expect(await keychain.get(m.keychain_account)).not.toBeNull();
    const dir = b.dataDir;
    b.core.close();
    const again = core({ keyStore: keychain }, dir);
    await again.core.start();
    for (const v of values) expect(again.core.vault.open(v.sealed, v.aad).toString()).toBe(v.plain);
  });

  it('a wrong passphrase, a flipped byte anywhere or a truncated file restores nothing', async () => {
    const { t } = await source();
    const file = await exportFrom(t);
    const b = core({ keyStore: createMemoryKeyStore() });
    await b.core.vault.initializeWithKeychain(b.admin);
    await b.core.workspaces.create('Keep me', b.admin);
    const before = snapshot(b);
    const dbBytes = fs.statSync(`${b.dataDir}/${DB_FILE}`).size;
    const headerLen = file.buf.readUInt32BE(8);
    const flip = (i: number) => {
      const c = Buffer.from(file.buf);
      c[i] = c[i]! ^ 0x01;
      return c.toString('base64');
    };
    const attempts: Array<[string, string, string, string]> = [
      ['wrong passphrase', file.data, 'not the backup passphrase', 'FORBIDDEN'],
      ['flipped magic', flip(0), BACKUP_PASS, 'INVALID_INPUT'],
      ['flipped header', flip(12 + Math.floor(headerLen / 3)), BACKUP_PASS, 'INTEGRITY_FAILED'],
      ['flipped header digest', flip(12 + headerLen + 5), BACKUP_PASS, 'INTEGRITY_FAILED'],
      ['flipped body', flip(12 + headerLen + 32 + 100), BACKUP_PASS, 'INTEGRITY_FAILED'],
      ['flipped tag', flip(file.buf.length - 1), BACKUP_PASS, 'INTEGRITY_FAILED'],
      ['truncated body', file.buf.subarray(0, file.buf.length - 500).toString('base64'), BACKUP_PASS, 'INTEGRITY_FAILED'],
      ['truncated header', file.buf.subarray(0, 40).toString('base64'), BACKUP_PASS, 'INTEGRITY_FAILED'],
      ['tiny', Buffer.from('P1V').toString('base64'), BACKUP_PASS, 'INVALID_INPUT'],
    ];
    for (const [what, data, passphrase, code] of attempts) {
      const r = await b.invoke('vault:restoreBackup', { data, passphrase, protect: { mode: 'keychain' } });
      expect({ what, ok: r.ok }).toEqual({ what, ok: false });
      if (!r.ok) expect({ what, code: r.error.code }).toEqual({ what, code });
      if (!r.ok) expect(r.error.message).toMatch(/nothing was restored|not a usable ProvenanceOne vault backup|damaged/);
    }
    expect(snapshot(b)).toEqual(before);
    expect(fs.readdirSync(b.dataDir).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(fs.statSync(`${b.dataDir}/${DB_FILE}`).size).toBeGreaterThanOrEqual(dbBytes);
  });

  it('refuses a newer format and a header that asks for absurd scrypt memory, before deriving anything', async () => {
    const { t } = await source();
    const file = await exportFrom(t);
    const b = core();
    const newer = Buffer.from(file.buf);
    newer[7] = 2;
    const r1 = await b.invoke('vault:restoreBackup', { data: newer.toString('base64'), passphrase: BACKUP_PASS, protect: { mode: 'keychain' } });
    expect(r1).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'backup' } });
    if (!r1.ok) expect(r1.error.message).toMatch(/format 2 is newer than this app/);

    const headerLen = file.buf.readUInt32BE(8);
    const header = JSON.parse(file.buf.subarray(12, 12 + headerLen).toString()) as { kdf: { N: number } };
    header.kdf.N = 2 ** 24;
    const h = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(h.length);
    const head = Buffer.concat([file.buf.subarray(0, 8), len, h]);
    const digest = createHash('sha256').update(head).digest();
    const greedy = Buffer.concat([head, digest, file.buf.subarray(12 + headerLen + 32)]);
    const r2 = await b.invoke('vault:restoreBackup', { data: greedy.toString('base64'), passphrase: BACKUP_PASS, protect: { mode: 'keychain' } });
    expect(r2).toMatchObject({ ok: false, error: { code: 'INTEGRITY_FAILED' } });
    expect(b.core.vault.status().state).toBe('uninitialized');
  });

  it('a lock while an export is running neither breaks the backup nor unlocks the vault again', async () => {
    const { t, values } = await source();
    const exporting = t.core.vaultBackup.exportBackup(BACKUP_PASS, t.admin);
    await new Promise((r) => setImmediate(r));
    t.core.vault.lock(t.admin);
    const file = await exporting;
    expect(t.core.vault.status().state).toBe('locked');
    const b = core();
    await b.core.vaultBackup.restoreBackup(file.data, BACKUP_PASS, { mode: 'keychain' }, b.admin);
    for (const v of values) expect(b.core.vault.open(v.sealed, v.aad).toString()).toBe(v.plain);
  });

  it('a lock during a master-key rotation leaves the vault locked and openable with the new key', async () => {
    const keyStore = createMemoryKeyStore();
    let release: () => void = () => {};
    let gate: Promise<void> = Promise.resolve();
    const slow = { ...keyStore, set: async (a: string, v: string) => (await gate, keyStore.set(a, v)) };
    const t = core({ keyStore: slow });
    await t.core.vault.initializeWithKeychain(t.admin);
    gate = new Promise<void>((r) => (release = r)); // the rotation's keychain write waits until after the lock
    const sealed = t.core.vault.seal(Buffer.from('during'), 'r:d');
    const rotating = t.core.vault.rotateMasterKey(t.admin);
    await new Promise((r) => setImmediate(r));
    t.core.vault.lock(t.admin);
    release();
    await rotating;
    expect(t.core.vault.status().state).toBe('locked');
    await t.core.vault.unlockWithKeychain(t.admin);
    expect(t.core.vault.open(sealed, 'r:d').toString()).toBe('during');
    expect(t.core.vault.status().rotatedAt).not.toBeNull();
  });

  it('export needs an unlocked vault and a long enough passphrase', async () => {
    const { t } = await source();
    expect(await t.invoke('vault:exportBackup', { passphrase: 'short' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'passphrase' } });
    t.core.vault.lock(t.admin);
    expect(await t.invoke('vault:exportBackup', { passphrase: BACKUP_PASS })).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
  });

  it('restore refuses input that is not base64, naming the field', async () => {
    const b = core();
    const r = await b.invoke('vault:restoreBackup', { data: '%%%not base64%%%', passphrase: BACKUP_PASS, protect: { mode: 'keychain' } });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'data' } });
  });
});
