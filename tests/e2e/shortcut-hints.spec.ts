import type { Page } from '@playwright/test';
import { test, expect, openConsole } from './fixtures';
import { openScreen, SCREENS } from './screens';

// The shortcuts are shown where they act (issue #17: "shown in tooltips and a ? sheet"): every search box says its
// keys (title + aria-keyshortcuts) and both Lock now buttons say theirs (tooltip + aria-keyshortcuts). Each shown key
// is pressed here, so a hint that drifts from the key handler fails.

/** aria-keyshortcuts ("/ Control+F") as the keys Playwright presses. */
const keysOf = (aria: string) => aria.split(' ').map((k) => k.replace(/\+([A-Z])$/, (_m, c: string) => `+${c.toLowerCase()}`));
const blur = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

test('every search box shows its shortcut, and each key it shows focuses that box', async ({ page, console: c }) => {
  await openConsole(page, c);
  let boxes = 0;
  for (const screen of SCREENS) {
    await openScreen(page, screen);
    if (screen === 'workflows') await page.getByTestId('workflows-tab-list').click();
    const search = page.locator('main input[type="search"]');
    const n = await search.count();
    expect(n, `${screen}: at most one search box (the shortcut focuses the first)`).toBeLessThanOrEqual(1);
    if (n === 0) continue;
    boxes++;
    const box = search.first();
    const aria = await box.getAttribute('aria-keyshortcuts');
    expect(aria, screen).toBe('/ Control+F');
    await expect(box).toHaveAttribute('title', 'Shortcut: / or Ctrl+F');
    for (const key of keysOf(aria!)) {
      await blur(page);
      await expect(box).not.toBeFocused();
      await page.keyboard.press(key);
      await expect(box, `${screen}: ${key}`).toBeFocused();
    }
  }
  // Connections, secrets and workflows have one.
  expect(boxes).toBe(3);
});

test('both Lock now buttons show Ctrl+L in their tooltip; pressing it locks the vault', async ({ page, console: c }) => {
  await openConsole(page, c);
  await openScreen(page, 'settings');
  await page.getByTestId('settings-tab-vault').click();
  for (const id of ['vault-lock-now', 'vault-lock-now-sidebar']) {
    const button = page.getByTestId(id);
    await expect(button).toHaveAttribute('aria-keyshortcuts', 'Control+L');
    await button.hover();
    const tip = page.getByRole('tooltip');
    await expect(tip).toContainText('Lock the vault');
    await expect(page.locator('.tooltip kbd')).toHaveText('Ctrl+L');
    await page.keyboard.press('Escape');
    await expect(tip).toHaveCount(0);
  }
  const aria = await page.getByTestId('vault-lock-now-sidebar').getAttribute('aria-keyshortcuts');
  await blur(page);
  await page.keyboard.press(keysOf(aria!)[0]!);
  await expect(page.getByTestId('vault-unlock-screen')).toBeVisible();
});
