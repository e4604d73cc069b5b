import { test, expect, openConsole } from './fixtures';

test('create a workspace, switch to it, and see its creation in the audit log', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('workspace-name-input').fill('Payments team');
  await page.getByTestId('workspace-create').click();
  await expect(page.getByTestId('workspace-item').filter({ hasText: 'Payments team' })).toBeVisible();

  const switcher = page.getByTestId('workspace-switcher');
  await expect(switcher.locator('option:checked')).toHaveText('Payments team');
  await switcher.selectOption({ label: 'Default' });
  await expect(switcher.locator('option:checked')).toHaveText('Default');
  await switcher.selectOption({ label: 'Payments team' });

  await page.getByTestId('nav-audit').click();
  const row = page.locator('[data-testid="audit-row"][data-action="workspace.created"]');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Payments team');
});

test('a duplicate workspace name is refused with a clear error', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('workspace-name-input').fill('default');
  await page.getByTestId('workspace-create').click();
  await expect(page.getByTestId('workspace-error')).toContainText('already exists');
  await expect(page.getByTestId('workspace-item')).toHaveCount(1);
});

test('the console refuses to load without its token', async ({ page, console: c }) => {
  await page.goto(c.baseUrl);
  await expect(page.getByTestId('no-token')).toContainText('URL that npm run serve printed');
});
