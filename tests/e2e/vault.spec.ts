import fs from 'node:fs';
import { test, expect, startConsole, stopConsole, openConsole, type Console } from './fixtures';

// A D-Bus address that leads nowhere: keytar fails at once, as on a headless Linux box without a keyring.
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/p1-no-bus' };
const VAULT_PASS = 'e2e vault passphrase 1';
const BACKUP_PASS = 'e2e backup passphrase 1';

// Each test starts consoles and runs several scrypt derivations (N = 2^17) on 2 shared CPUs.
test.slow();

async function withConsole(env: NodeJS.ProcessEnv, run: (c: Console) => Promise<void>): Promise<void> {
  const c = await startConsole(env);
  try {
    await run(c);
  } finally {
    await stopConsole(c);
  }
}

test('no keychain: the passphrase is pre-selected and the keychain says why; recovery sheet; rotate in a dialog; Lock now → unlock screen', async ({ page }) => {
  await withConsole(NO_KEYCHAIN, async (c) => {
    await openConsole(page, c);
    await expect(page.getByTestId('vault-setup-screen')).toBeVisible();
    await expect(page.getByTestId('vault-indicator')).toHaveAttribute('data-vault-state', 'uninitialized');

    // What works is pre-selected; the keychain cannot be chosen, and says why in plain words (no D-Bus jargon).
    await expect(page.getByTestId('vault-setup-mode-passphrase')).toBeChecked();
    await expect(page.getByTestId('vault-setup-mode-keychain')).toBeDisabled();
    const reason = page.getByTestId('vault-setup-mode-keychain-reason');
    await expect(reason).toContainText('No keychain is running for this session');
    await expect(reason).not.toContainText('D-Bus');

    // A mistake, then a retry: the old message goes as soon as the retry starts.
    await page.getByTestId('vault-setup-passphrase').fill(VAULT_PASS);
    await page.getByTestId('vault-setup-passphrase-confirm').fill(`${VAULT_PASS}x`);
    await page.getByTestId('vault-setup-submit').click();
    await expect(page.getByTestId('vault-setup-error')).toContainText('the two passphrases differ');
    await page.getByTestId('vault-setup-passphrase-confirm').fill(VAULT_PASS);
    await page.getByTestId('vault-setup-submit').click();
    // scrypt takes a moment: the sentence shows in full (not squashed into the uploads' 6 px bar), without the old error.
    const busy = page.getByTestId('vault-busy');
    await expect(busy).toHaveText('Setting up the vault…');
    await expect(page.getByTestId('vault-setup-error')).toHaveCount(0);
    expect((await busy.boundingBox())!.height).toBeGreaterThan(12);
    await expect(page.getByTestId('vault-indicator')).toHaveAttribute('data-vault-state', 'unlocked', { timeout: 30_000 });
    await expect(page.getByTestId('screen-connections')).toBeVisible();

    // The recovery sheet: what it is, the data folder, the date, an empty box for the passphrase, never the passphrase.
    await expect(page.getByTestId('vault-recovery-offer')).toBeVisible();
    const downloading = page.waitForEvent('download');
    await page.getByTestId('vault-recovery-sheet').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^ProvenanceOne-recovery-sheet-\d{4}-\d{2}-\d{2}\.html$/);
    const sheet = fs.readFileSync((await download.path())!, 'utf8');
    expect(sheet).toContain(c.dataDir);
    expect(sheet).toContain('recovery sheet');
    expect(sheet).toContain('aria-label="Vault passphrase"');
    expect(sheet).not.toContain(VAULT_PASS);
    await expect(page.getByTestId('vault-recovery-sheet-saved')).toContainText('Saved as');
    // "Make a backup…" opens Settings → Vault, where the export is.
    await page.getByTestId('vault-recovery-backup').click();
    await expect(page.getByTestId('settings-section-vault')).toBeVisible();
    await expect(page.getByTestId('vault-backup-export')).toBeVisible();
    await page.getByTestId('vault-recovery-dismiss').click();
    await expect(page.getByTestId('vault-recovery-offer')).toHaveCount(0);

    await expect(page.getByTestId('vault-settings-status')).toContainText('a passphrase');
    // Dismissed is not gone: Settings → Vault saves the sheet again.
    const again = page.waitForEvent('download');
    await page.getByTestId('vault-settings-recovery-sheet').click();
    expect((await again).suggestedFilename()).toMatch(/^ProvenanceOne-recovery-sheet-/);

    // Rotating the master key asks for the passphrase in its own dialog; a wrong one keeps it open with the reason.
    await page.getByTestId('vault-rotate-master').click();
    const rotate = page.getByTestId('vault-rotate-dialog');
    await rotate.getByTestId('vault-rotate-passphrase').fill('not the passphrase');
    await rotate.getByTestId('vault-rotate-submit').click();
    await expect(rotate.getByTestId('vault-rotate-error')).toContainText('wrong vault passphrase', { timeout: 30_000 });
    await rotate.getByTestId('vault-rotate-passphrase').fill(VAULT_PASS);
    await rotate.getByTestId('vault-rotate-submit').click();
    await expect(rotate).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByTestId('vault-settings-notice')).toContainText('The master key was rotated');

    await page.getByTestId('vault-lock-now').click();
    await expect(page.getByTestId('vault-unlock-screen')).toBeVisible();
    await expect(page.getByTestId('vault-indicator')).toHaveAttribute('data-vault-state', 'locked');

    await page.getByTestId('vault-unlock-passphrase').fill('not the passphrase');
    await page.getByTestId('vault-unlock-submit').click();
    await expect(page.getByTestId('vault-unlock-error')).toContainText('wrong vault passphrase');
    await expect(page.getByTestId('vault-unlock-screen')).toBeVisible();

    // Metadata screens stay browsable while locked, on request.
    await page.getByTestId('vault-browse-locked').click();
    await expect(page.getByTestId('screen-settings')).toBeVisible();
    await page.getByTestId('vault-lock-now-sidebar').waitFor({ state: 'detached' });
    await page.getByTestId('nav-audit').click();
    await expect(page.locator('[data-testid="audit-row"][data-action="vault.unlock_failed"]')).toHaveCount(2);
  });
});

test('export a backup, restore it on a second console without a keychain', async ({ page }) => {
  let backupPath = '';
  // Source: the default console (keychain mode in the test keyring session).
  await withConsole({}, async (c) => {
    await openConsole(page, c);
    await expect(page.getByTestId('vault-indicator')).toHaveAttribute('data-vault-state', 'unlocked');
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('workspace-name-input').fill('From the old machine');
    await page.getByTestId('workspace-create').click();
    await expect(page.getByTestId('workspace-item').filter({ hasText: 'From the old machine' })).toBeVisible();

    await page.getByTestId('settings-tab-vault').click();

    await page.getByTestId('vault-backup-passphrase').fill(BACKUP_PASS);
    await page.getByTestId('vault-backup-passphrase-confirm').fill(BACKUP_PASS);
    const downloading = page.waitForEvent('download');
    await page.getByTestId('vault-backup-export').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.p1vault$/);
    backupPath = `${c.dataDir}-backup.p1vault`;
    await download.saveAs(backupPath);
    await expect(page.getByTestId('vault-settings-notice')).toContainText('Backup saved');
  });

  try {
    await withConsole(NO_KEYCHAIN, async (c) => {
      await openConsole(page, c);
      await expect(page.getByTestId('vault-setup-screen')).toBeVisible();
      await page.getByTestId('vault-setup-restore').click();
      await page.getByTestId('vault-restore-file').setInputFiles(backupPath);
      await page.getByTestId('vault-restore-passphrase').fill('wrong backup passphrase');
      await page.getByTestId('vault-restore-mode-passphrase').check();
      await page.getByTestId('vault-restore-new-passphrase').fill(VAULT_PASS);
      await page.getByTestId('vault-restore-new-passphrase-confirm').fill(VAULT_PASS);
      await page.getByTestId('vault-restore-submit').click();
      await expect(page.getByTestId('vault-restore-error')).toContainText('wrong backup passphrase');
      await expect(page.getByTestId('vault-indicator')).toHaveAttribute('data-vault-state', 'uninitialized');

      await page.getByTestId('vault-restore-passphrase').fill(BACKUP_PASS);
      await page.getByTestId('vault-restore-submit').click();
      await expect(page.getByTestId('vault-indicator')).toHaveAttribute('data-vault-state', 'unlocked', { timeout: 30_000 });
      await expect(page.getByTestId('workspace-switcher').locator('option', { hasText: 'From the old machine' })).toHaveCount(1);
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('settings-tab-vault').click();
      await expect(page.getByTestId('vault-settings-status')).toContainText('a passphrase');
    });
  } finally {
    fs.rmSync(backupPath, { force: true });
  }
});
