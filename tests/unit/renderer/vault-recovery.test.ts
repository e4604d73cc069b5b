import { describe, expect, it } from 'vitest';
import type { Api } from '@shared/ipc/api';
import type { VaultStatusDto } from '@shared/domain/vault';
import { createVaultStore } from '../../../renderer/src/features/vault/vault-store';
import { recoverySheetFileName, recoverySheetHtml } from '../../../renderer/src/features/vault/recovery-sheet';
import { versionSource } from '../../../renderer/src/features/secrets/secret-version-source';

const unlocked = { state: 'unlocked', mode: 'passphrase', createdAt: '2026-12-06T22:00:00.000Z' } as VaultStatusDto;
const api: Api = { invoke: (async () => ({ ok: true, value: unlocked })) as Api['invoke'], on: () => () => {} };

describe('after a passphrase setup: the recovery offer and sheet', () => {
  it('only a passphrase setup offers the recovery sheet, until dismissed', async () => {
    const vault = createVaultStore(api);
    expect(await vault.getState().initialize({ mode: 'keychain' })).toBeNull();
    expect(vault.getState().recoveryOffer).toBe(false);
    expect(await vault.getState().initialize({ mode: 'passphrase', passphrase: 'a long enough passphrase' })).toBeNull();
    expect(vault.getState().recoveryOffer).toBe(true);
    vault.getState().dismissRecoveryOffer();
    expect(vault.getState().recoveryOffer).toBe(false);
  });

  it('the sheet names the data folder (escaped) and the date, has an empty passphrase box, and is named by the date', () => {
    const now = new Date('2026-12-06T23:00:00.000Z');
    const html = recoverySheetHtml({ dataDir: '/home/ann/<p1> & "data"', createdAt: unlocked.createdAt, version: '0.1.0', now });
    expect(html).toContain('/home/ann/&#60;p1&#62; &#38; &#34;data&#34;');
    expect(html).not.toContain('<p1>');
    expect(html).toContain('2026-12-06 22:00 UTC');
    expect(html).toMatch(/<input aria-label="Vault passphrase" autocomplete="off" spellcheck="false">/);
    expect(recoverySheetFileName(now)).toBe('ProvenanceOne-recovery-sheet-2026-12-06.html');
    expect(recoverySheetHtml({ dataDir: null, createdAt: null, version: null, now })).toContain('ask the administrator');
  });
});

describe('a secret version says where it came from', () => {
  it('a rollback names the version it restored; older rollbacks without it say only that', () => {
    expect(versionSource({ source: 'rollback', restoredFrom: 3 })).toBe('rolled back from v3');
    expect(versionSource({ source: 'rollback', restoredFrom: null })).toBe('rolled back');
    expect(versionSource({ source: 'scheduled', restoredFrom: null })).toBe('rotated on schedule');
  });
});
