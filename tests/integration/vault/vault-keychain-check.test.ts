import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '@shared/domain/actor';
import type { KeyStore } from '@core/ports';
import { describeKeychainError } from '@core/vault/keytar-key-store';
import { KEYCHAIN_PROBE_ACCOUNT } from '@core/vault/vault-service';
import { createMemoryKeyStore } from '../../fakes/memory-key-store';
import { makeTestCore, unwrap } from '../../helpers/test-core';

/** A key store that fails like keytar without a D-Bus session (the headless Linux case), and counts the asks. */
function noSessionBus(): KeyStore & { asked: string[] } {
  const asked: string[] = [];
  const fail = async (account: string): Promise<never> => {
    asked.push(account);
    throw describeKeychainError(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'));
  };
  return { kind: 'keychain', asked, get: fail, set: (a) => fail(a), delete: fail };
}

let t: ReturnType<typeof makeTestCore> | undefined;
afterEach(() => t?.close());

describe('the setup screen knows whether the keychain can be used (vault:status before setup)', () => {
  it('no reachable keychain: status says so in plain words, without the D-Bus message the API error carries', async () => {
    const keyStore = noSessionBus();
    t = makeTestCore({ keyStore });
    const st = unwrap(await t.invoke('vault:status', undefined));
    expect(st.state).toBe('uninitialized');
    expect(st.keychain).toEqual({ available: false, reason: expect.stringContaining('No keychain is running for this session') });
    expect(st.keychain!.reason).not.toMatch(/D-Bus|DBUS/);
    expect(keyStore.asked).toEqual([KEYCHAIN_PROBE_ACCOUNT]);
    // The first screen's one round trip carries the same answer.
    expect(unwrap(await t.invoke('app:bootstrap', undefined)).vault.keychain).toEqual(st.keychain);

    // Choosing the keychain anyway still fails with the full reason for logs and API callers; the passphrase works.
    const err = await t.invoke('vault:initialize', { mode: 'keychain' });
    expect(err).toMatchObject({ ok: false, error: { code: 'KEYCHAIN_UNAVAILABLE', message: expect.stringMatching(/no D-Bus session bus/) } });
    const ready = unwrap(await t.invoke('vault:initialize', { mode: 'passphrase', passphrase: 'a passphrase for a box without keyring' }));
    expect(ready).toMatchObject({ state: 'unlocked', mode: 'passphrase' });
  });

  it('a reachable keychain: available, asked with a read of an account never written; not asked again once set up', async () => {
    const inner = createMemoryKeyStore();
    const asked: string[] = [];
    t = makeTestCore({ keyStore: { ...inner, kind: 'keychain', get: (a) => (asked.push(a), inner.get(a)) } });
    expect(unwrap(await t.invoke('vault:status', undefined)).keychain).toEqual({ available: true, reason: null });
    expect(asked).toEqual([KEYCHAIN_PROBE_ACCOUNT]);
    expect(await inner.get(KEYCHAIN_PROBE_ACCOUNT)).toBeNull();
    unwrap(await t.invoke('vault:initialize', { mode: 'keychain' }));
    unwrap(await t.invoke('vault:status', undefined));
    expect(asked).toEqual([KEYCHAIN_PROBE_ACCOUNT]);
  });
});

describe('session:info names the data folder for the recovery sheet', () => {
  it('to an admin of the Default workspace only', async () => {
    t = makeTestCore();
    expect(unwrap(await t.invoke('session:info', undefined)).dataDir).toBe(t.dataDir);
    const ops = unwrap(await t.invoke('workspaces:create', { name: 'Ops' }));
    const user = await t.core.users.create({ workspaceId: ops.id, username: 'otto', password: 'correct horse battery staple', role: 'admin' }, t.admin);
    const otto: Actor = { kind: 'user', id: user.id, name: user.username, origin: '127.0.0.1' };
    expect(unwrap(await t.invoke('session:info', undefined, otto)).dataDir).toBeNull();
  });
});
