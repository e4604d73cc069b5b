import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, openConsole, startConsole, stopConsole } from './fixtures';
import { openFirstItem, openScreen, PRIMARY, SCREENS, seedSampleData } from './screens';

// axe over every screen, its detail panel, the main dialogs, vault setup and the locked vault, in light and dark:
// no serious or critical violation (WCAG 2.1 A/AA rules, colour contrast included).

// A D-Bus address that leads nowhere: no keychain, so the vault is set up with a passphrase and can be locked.
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/p1-a11y-bus' };
const VAULT_PASS = 'a11y e2e passphrase 1';
const THEMES = ['light', 'dark'] as const;

async function expectNoSeriousViolations(page: Page, where: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ')}`).join('\n    ')}`);
  expect(serious, `${where}:\n${serious.join('\n')}`).toEqual([]);
}

/** The page really is in the scheme asked for (light-dark() follows the emulated preference). */
async function expectScheme(page: Page, theme: (typeof THEMES)[number]): Promise<void> {
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r] = /\d+/.exec(bg)!.map(Number);
  expect(theme === 'dark' ? r! < 60 : r! > 200, `body background ${bg} in ${theme}`).toBe(true);
}

for (const theme of THEMES) {
  test(`axe (${theme}): every screen, its detail and the main dialogs`, async ({ page, console: c }) => {
    test.slow();
    await seedSampleData(c);
    await page.emulateMedia({ colorScheme: theme });
    await openConsole(page, c);
    await expectScheme(page, theme);

    for (const screen of SCREENS) {
      await openScreen(page, screen);
      await openFirstItem(page, screen);
      await expectNoSeriousViolations(page, `${screen} (${theme})`);
      const primary = PRIMARY[screen];
      if (primary) {
        // The screen's "new" dialog (the connection wizard is an inline panel): checked open, then closed with Escape.
        await page.getByTestId(primary).click();
        const dialog = page.locator('.modal, [data-testid="connection-wizard"]');
        await expect(dialog.first()).toBeVisible();
        await expectNoSeriousViolations(page, `${screen}: new (${theme})`);
        if (screen === 'connections') await page.getByTestId('wizard-cancel').click();
        else await page.keyboard.press('Escape');
        await expect(dialog).toHaveCount(0);
      }
    }
    // Settings' sections, where it has sub-navigation (tabs or a section list).
    await openScreen(page, 'settings');
    const sections = page.getByTestId('screen-settings').getByRole('tab');
    for (let i = 0; i < (await sections.count()); i++) {
      await sections.nth(i).click();
      await expectNoSeriousViolations(page, `settings section ${i + 1} (${theme})`);
    }

    // A confirmation dialog (delete a secret) and the keyboard-shortcut sheet.
    await openScreen(page, 'secrets');
    await openFirstItem(page, 'secrets');
    await page.getByTestId('secret-delete').click();
    await expect(page.getByTestId('secret-delete-dialog')).toBeVisible();
    await expectNoSeriousViolations(page, `delete confirmation (${theme})`);
    await page.getByTestId('confirm-cancel').click();
    await page.getByTestId('shortcuts-open').click();
    await expect(page.getByTestId('shortcuts-dialog')).toBeVisible();
    await expectNoSeriousViolations(page, `shortcuts sheet (${theme})`);
  });

  test(`axe (${theme}): vault setup and the locked vault`, async ({ page }) => {
    test.slow(); // scrypt derivations on shared CPUs
    const c = await startConsole(NO_KEYCHAIN);
    try {
      await page.emulateMedia({ colorScheme: theme });
      await openConsole(page, c);
      await expect(page.getByTestId('vault-setup-screen')).toBeVisible();
      await expectNoSeriousViolations(page, `vault setup (${theme})`);
      await page.getByTestId('vault-setup-mode-passphrase').check();
      await page.getByTestId('vault-setup-passphrase').fill(VAULT_PASS);
      await page.getByTestId('vault-setup-passphrase-confirm').fill(VAULT_PASS);
      await page.getByTestId('vault-setup-submit').click();
      await expect(page.getByTestId('vault-indicator')).toHaveAttribute('data-vault-state', 'unlocked', { timeout: 30_000 });
      await expectNoSeriousViolations(page, `after vault setup (${theme})`);
      await bridgeLock(c.baseUrl, c.token);
      await expect(page.getByTestId('vault-unlock-screen')).toBeVisible();
      await expectNoSeriousViolations(page, `locked vault (${theme})`);
      await page.getByTestId('vault-browse-locked').click();
      await openScreen(page, 'secrets');
      await expectNoSeriousViolations(page, `secrets while locked (${theme})`);
    } finally {
      await stopConsole(c);
    }
  });
}

async function bridgeLock(baseUrl: string, token: string): Promise<void> {
  const r = await fetch(`${baseUrl}/ipc/vault:lock`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-console-token': token }, body: '{}' });
  expect(r.ok).toBe(true);
}
