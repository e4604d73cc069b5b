import { test, expect, openConsole } from './fixtures';

/** The page background as the browser paints it, i.e. the theme in effect. */
const background = (page: import('@playwright/test').Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const DARK = 'rgb(17, 20, 24)';
const LIGHT = 'rgb(246, 247, 249)';

test('the theme follows the system until one is chosen in Settings, and the choice survives a reload', async ({ page, console: c }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openConsole(page, c);
  expect(await background(page)).toBe(DARK);

  await page.getByTestId('nav-settings').click();
  const select = page.getByTestId('theme-select');
  await expect(select).toHaveValue('system');
  await select.selectOption('light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await background(page)).toBe(LIGHT);

  await page.reload();
  await expect(page.locator('[data-app-state="loaded"]')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await background(page)).toBe(LIGHT);

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('theme-select').selectOption('system');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  expect(await background(page)).toBe(DARK);
});

test('the workspace switcher restores the workspace chosen last', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('workspace-name-input').fill('Payments team');
  await page.getByTestId('workspace-create').click();
  const switcher = page.getByTestId('workspace-switcher');
  await expect(switcher.locator('option:checked')).toHaveText('Payments team');

  await page.reload();
  await expect(page.locator('[data-app-state="loaded"]')).toBeVisible();
  await expect(page.getByTestId('workspace-switcher').locator('option:checked')).toHaveText('Payments team');

  await page.getByTestId('workspace-switcher').selectOption({ label: 'Default' });
  await page.reload();
  await expect(page.locator('[data-app-state="loaded"]')).toBeVisible();
  await expect(page.getByTestId('workspace-switcher').locator('option:checked')).toHaveText('Default');
});
