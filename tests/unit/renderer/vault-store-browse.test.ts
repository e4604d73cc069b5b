import { describe, expect, it } from 'vitest';
import type { Api } from '@shared/ipc/api';
import type { VaultStatusDto } from '@shared/domain/vault';
import { createVaultStore } from '../../../renderer/src/features/vault/vault-store';

/** A fake Api answering vault:status and vault:unlock from a status the test sets. */
function fakeApi(status: { current: VaultStatusDto }): Api {
  return {
    invoke: (async (channel: string) => {
      if (channel === 'vault:unlock') status.current = { ...status.current, state: 'unlocked' };
      return { ok: true, value: status.current };
    }) as Api['invoke'],
    on: () => () => {},
  };
}

describe('vault store: browsing while locked', () => {
  it('keeps "Browse without unlocking" in the store, Unlock brings the unlock screen back, and any non-locked state ends browsing', async () => {
    const status = { current: { state: 'locked', mode: 'passphrase' } as VaultStatusDto };
    const vault = createVaultStore(fakeApi(status));
    await vault.getState().load();
    expect(vault.getState().browseLocked).toBe(false);

    vault.getState().browseWithoutUnlocking();
    expect(vault.getState().browseLocked).toBe(true);
    // A reload while still locked (another window, a push) keeps browsing.
    await vault.getState().load();
    expect(vault.getState().browseLocked).toBe(true);

    vault.getState().showUnlock();
    expect(vault.getState().browseLocked).toBe(false);

    vault.getState().browseWithoutUnlocking();
    expect(await vault.getState().unlock('pass')).toBeNull();
    expect(vault.getState().status?.state).toBe('unlocked');
    // The next lock shows the unlock screen again.
    expect(vault.getState().browseLocked).toBe(false);
  });
});
