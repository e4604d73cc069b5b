import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeytarKeyStore, describeKeychainError } from '@core/vault/keytar-key-store';
import { keychainAccount } from '@core/vault/vault-service';
import { AppError } from '@core/errors';
import { makeTestCore, tempDir } from '../../helpers/test-core';
import { canary, scanForCanaries } from '../../helpers/canary';

// The real OS keychain (gnome-keyring in the test D-Bus session), under a test service name.
const keyStore = createKeytarKeyStore('ProvenanceOne-test');
const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function realVault(dataDir = tempDir()) {
  const t = makeTestCore({ keyStore }, dataDir);
  cleanup.push(() => t.core.close());
  return t;
}

describe('vault core on the real OS keychain', () => {
  it('initializes: the master key goes into the keychain, never into the data dir', async () => {
    const t = await realVault();
    expect(t.core.vault.status()).toMatchObject({ state: 'uninitialized', keyStore: 'keychain' });
    await t.core.vault.initializeWithKeychain(t.admin);
    expect(t.core.vault.status()).toMatchObject({ state: 'unlocked', mode: 'keychain', keyStore: 'keychain' });
    const installation = t.core.vault.internals.meta()!.installation_id;
    const stored = await keyStore.get(keychainAccount(installation));
    expect(Buffer.from(stored!, 'base64')).toHaveLength(32);
    cleanup.push(async () => void (await keyStore.delete(keychainAccount(installation))));
    const value = canary('vault');
    t.core.vault.seal(Buffer.from(value), 'test:1');
    t.core.close();
    expect(scanForCanaries([value, stored!], t.dataDir)).toEqual([]);
  });

  it('round-trips values, and a restarted process unlocks from the keychain', async () => {
    const dir = tempDir();
    const t = await realVault(dir);
    await t.core.vault.initializeWithKeychain(t.admin);
    const installation = t.core.vault.internals.meta()!.installation_id;
    cleanup.push(async () => void (await keyStore.delete(keychainAccount(installation))));
    const sealed = t.core.vault.seal(Buffer.from('héllo wörld'), 'secret:abc:v1');
    t.core.close();

    const again = makeTestCore({ keyStore }, dir);
    cleanup.push(() => again.core.close());
    expect(again.core.vault.status().state).toBe('locked');
    expect(() => again.core.vault.open(sealed, 'secret:abc:v1')).toThrow(/vault is locked/);
    await again.core.start();
    expect(again.core.vault.open(sealed, 'secret:abc:v1').toString()).toBe('héllo wörld');
    const events = again.core.audit.list({ workspaceId: again.core.workspaces.defaultWorkspace().id, action: 'vault.unlocked' }, again.admin).items;
    expect(events).toHaveLength(1);
  });

  it('a missing keychain entry is a clear error and leaves the vault locked', async () => {
    const t = await realVault();
    await t.core.vault.initializeWithKeychain(t.admin);
    const installation = t.core.vault.internals.meta()!.installation_id;
    await keyStore.delete(keychainAccount(installation));
    t.core.vault.lock(t.admin);
    await expect(t.core.vault.unlockWithKeychain(t.admin)).rejects.toThrow(/not in this OS keychain/);
    expect(t.core.vault.status().state).toBe('locked');
  });
});

describe('envelope integrity', () => {
  async function ready() {
    const t = makeTestCore();
    cleanup.push(() => t.core.close());
    await t.core.vault.initializeWithKeychain(t.admin);
    return t;
  }

  it('uses a fresh nonce each time (same plaintext, different ciphertext)', async () => {
    const t = await ready();
    const a = t.core.vault.seal(Buffer.from('same'), 'r:1');
    const b = t.core.vault.seal(Buffer.from('same'), 'r:1');
    expect(a.equals(b)).toBe(false);
    expect(a[0]).toBe(1);
  });

  it('refuses a flipped byte anywhere: version, key id, nonce, ciphertext, tag', async () => {
    const t = await ready();
    const sealed = t.core.vault.seal(Buffer.from('top secret value'), 'secret:1:v1');
    const positions = { version: 0, keyId: 5, nonce: 20, ciphertext: 30, tag: sealed.length - 1 };
    for (const [where, i] of Object.entries(positions)) {
      const bad = Buffer.from(sealed);
      bad[i] = bad[i]! ^ 0x01;
      let err: unknown;
      try {
        t.core.vault.open(bad, 'secret:1:v1');
      } catch (e) {
        err = e;
      }
      expect({ where, code: (err as AppError | undefined)?.code }).toEqual({ where, code: 'INTEGRITY_FAILED' });
    }
  });

  it('refuses a ciphertext copied onto another record (AAD binding)', async () => {
    const t = await ready();
    const forA = t.core.vault.seal(Buffer.from('value of A'), 'secret:A:v1');
    expect(() => t.core.vault.open(forA, 'secret:B:v1')).toThrow(/integrity check/);
    expect(() => t.core.vault.open(forA, 'secret:A:v2')).toThrow(/integrity check/);
    expect(t.core.vault.open(forA, 'secret:A:v1').toString()).toBe('value of A');
  });

  it('refuses truncated input without crashing', async () => {
    const t = await ready();
    expect(() => t.core.vault.open(Buffer.from([1, 2, 3]), 'x')).toThrow(AppError);
  });
});

describe('keychain errors in plain words', () => {
  it('maps the Secret Service errors seen on Linux', () => {
    const cases: Array<[string, RegExp]> = [
      ['Cannot autolaunch D-Bus without X11 $DISPLAY', /no D-Bus session bus/],
      ['Could not connect: No such file or directory', /no D-Bus session bus/],
      ['The name org.freedesktop.secrets was not provided by any .service files', /no Secret Service/],
      ['Object does not exist at path "/org/freedesktop/secrets/collection/login"', /keychain is locked/],
      ['Cannot create an item in a locked collection', /keychain is locked/],
    ];
    for (const [raw, expected] of cases) {
      const e = describeKeychainError(new Error(raw));
      expect(e.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(e.message).toMatch(expected);
      expect(e.message).toMatch(/passphrase/);
    }
  });

  it('a process with no D-Bus session gets KEYCHAIN_UNAVAILABLE, not a crash', () => {
    const script = `
      const keytar = require('keytar');
      keytar.getPassword('ProvenanceOne-test', 'x').then(() => console.log('OK')).catch((e) => console.log('ERR ' + e.message));`;
    const env = { ...process.env };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    delete env.DISPLAY;
    const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', cwd: process.cwd() });
    const line = r.stdout.trim();
    expect(line.startsWith('ERR ')).toBe(true);
    expect(describeKeychainError(new Error(line.slice(4))).message).toMatch(/no D-Bus session bus/);
  });
});

it('the data dir helper really is empty of the canary when nothing was written', () => {
  const d = tempDir();
  fs.writeFileSync(`${d}/x`, 'nothing here');
  expect(scanForCanaries(['needle-123'], d)).toEqual([]);
  fs.writeFileSync(`${d}/y`, Buffer.from('needle-123').toString('base64'));
  expect(scanForCanaries(['needle-123'], d)).toHaveLength(1);
});
