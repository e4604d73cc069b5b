import { test, expect, startConsole, stopConsole, openConsole, type Console } from './fixtures';
import type { Page } from '@playwright/test';

// A D-Bus address that leads nowhere: no keychain, so the vault gets a passphrase and can be locked and unlocked here.
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/p1-locked-bus' };
const VAULT_PASS = 'locked e2e passphrase 1';

// Each test runs scrypt derivations (N = 2^17) on 2 shared CPUs.
test.slow();

/** A passphrase vault with one secret in it, then locked and browsed without unlocking. */
async function lockedWithASecret(page: Page, c: Console): Promise<void> {
  await openConsole(page, c);
  await page.getByTestId('vault-setup-mode-passphrase').check();
  await page.getByTestId('vault-setup-passphrase').fill(VAULT_PASS);
  await page.getByTestId('vault-setup-passphrase-confirm').fill(VAULT_PASS);
  await page.getByTestId('vault-setup-submit').click();
  await expect(page.getByTestId('vault-indicator')).toHaveAttribute('data-vault-state', 'unlocked', { timeout: 30_000 });
  await page.getByTestId('nav-secrets').click();
  await page.getByTestId('secret-new').click();
  await page.getByTestId('secret-name-input').fill('api-token');
  await page.getByTestId('secret-value-input').fill('token value 1');
  await page.getByTestId('secret-create-submit').click();
  await expect(page.getByTestId('secret-detail-name')).toHaveText('api-token');

  await page.getByTestId('vault-lock-now-sidebar').click();
  await expect(page.getByTestId('vault-unlock-screen')).toBeVisible();
  await page.getByTestId('vault-browse-locked').click();
  await expect(page.getByTestId('vault-indicator')).toHaveAttribute('data-vault-state', 'locked');
}

async function unlockOnScreen(page: Page): Promise<void> {
  await expect(page.getByTestId('vault-unlock-screen')).toBeVisible();
  await page.getByTestId('vault-unlock-passphrase').fill(VAULT_PASS);
  await page.getByTestId('vault-unlock-submit').click();
  await expect(page.getByTestId('vault-indicator')).toHaveAttribute('data-vault-state', 'unlocked', { timeout: 30_000 });
}

test('locked: value actions are disabled with an inline Unlock; the sidebar Unlock brings the unlock screen back', async ({ page }) => {
  const c = await startConsole(NO_KEYCHAIN);
  try {
    await lockedWithASecret(page, c);

    // Secrets: New secret, Reveal and Rotate are disabled, each screen says why with the way out beside it.
    await page.getByTestId('nav-secrets').click();
    await expect(page.getByTestId('secret-new')).toBeDisabled();
    await expect(page.getByTestId('secret-new-unlock')).toBeVisible();
    await page.getByTestId('secret-row').filter({ hasText: 'api-token' }).click();
    await expect(page.getByTestId('secret-reveal')).toBeDisabled();
    await expect(page.getByTestId('secret-rotate')).toBeDisabled();
    await expect(page.getByTestId('secret-actions-unlock')).toBeVisible();
    // Delete needs no value: it stays usable.
    await expect(page.getByTestId('secret-delete')).toBeEnabled();

    // Connections and datastores: creating one needs the vault.
    await page.getByTestId('nav-connections').click();
    await expect(page.getByTestId('connection-new')).toBeDisabled();
    await expect(page.getByTestId('connection-new-unlock')).toBeVisible();
    await page.getByTestId('nav-datastores').click();
    await expect(page.getByTestId('datastore-new')).toBeDisabled();
    await expect(page.getByTestId('datastore-new-unlock')).toBeVisible();

    // The inline Unlock leads to the unlock screen; browsing again, the sidebar badge's Unlock does too.
    await page.getByTestId('datastore-new-unlock').click();
    await expect(page.getByTestId('vault-unlock-screen')).toBeVisible();
    await page.getByTestId('vault-browse-locked').click();
    await expect(page.getByTestId('screen-datastores')).toBeVisible();
    await page.getByTestId('vault-unlock-sidebar').click();
    await unlockOnScreen(page);
    await expect(page.getByTestId('vault-unlock-sidebar')).toHaveCount(0);

    // Unlocked: the same actions work again.
    await expect(page.getByTestId('datastore-new')).toBeEnabled();
    await expect(page.getByTestId('datastore-new-unlock')).toHaveCount(0);
    await page.getByTestId('nav-secrets').click();
    await expect(page.getByTestId('secret-new')).toBeEnabled();
    await page.getByTestId('secret-row').filter({ hasText: 'api-token' }).click();
    await expect(page.getByTestId('secret-rotate')).toBeEnabled();
    await page.getByTestId('secret-reveal').click();
    await expect(page.getByTestId('secret-revealed-value')).toHaveText('token value 1');
  } finally {
    await stopConsole(c);
  }
});

test('locked: Settings → Vault has Unlock', async ({ page }) => {
  const c = await startConsole(NO_KEYCHAIN);
  try {
    await lockedWithASecret(page, c);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-tab-vault').click();
    await expect(page.getByTestId('vault-settings-status')).toContainText('locked');
    await expect(page.getByTestId('vault-lock-now')).toHaveCount(0);
    await page.getByTestId('vault-settings-unlock').click();
    await unlockOnScreen(page);
    await expect(page.getByTestId('screen-settings')).toBeVisible();
    await expect(page.getByTestId('vault-lock-now')).toBeVisible();
    await expect(page.getByTestId('vault-settings-unlock')).toHaveCount(0);
  } finally {
    await stopConsole(c);
  }
});
