import { test, expect, openConsole } from './fixtures';

const PASSWORD = 'viewer passphrase 2026';

test('create a viewer in Settings, sign in as them in the console, and find write actions unavailable', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-tab-users').click();

  // As the computer's admin: add a viewer.
  await expect(page.getByTestId('users-empty')).toBeVisible();
  await page.getByTestId('user-username').fill('vera');
  await page.getByTestId('user-password').fill(PASSWORD);
  await page.getByTestId('user-new-role').selectOption('viewer');
  await page.getByTestId('user-add').click();
  const row = page.getByTestId('user-row').filter({ hasText: 'vera' });
  await expect(row).toBeVisible();
  await expect(row.getByTestId('user-role')).toHaveValue('viewer');
  await page.getByTestId('settings-tab-general').click();
  await expect(page.getByTestId('workspace-create')).toBeVisible();

  // Sign in as the viewer.
  await page.getByTestId('sign-in-open').click();
  await page.getByTestId('sign-in-username').fill('vera');
  await page.getByTestId('sign-in-password').fill(PASSWORD);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toHaveText('vera');
  await expect(page.getByTestId('session-role')).toHaveText('viewer');

  // Write actions are gone; the admin-only sections say why.
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('screen-settings')).toBeVisible();
  await expect(page.getByTestId('settings-section-general')).toBeVisible();
  await expect(page.getByTestId('workspace-create')).toHaveCount(0);
  await expect(page.getByTestId('workspace-rename')).toHaveCount(0);
  await page.getByTestId('settings-tab-users').click();
  await expect(page.getByTestId('users-not-allowed')).toBeVisible();
  await expect(page.getByTestId('user-add')).toHaveCount(0);
  await page.getByTestId('settings-tab-api-keys').click();
  await expect(page.getByTestId('apikeys-not-allowed')).toBeVisible();
  await page.getByTestId('nav-audit').click();
  await expect(page.getByTestId('audit-not-allowed')).toBeVisible();

  // A reload keeps the sign-in; signing out returns to the admin's console.
  await page.reload();
  await expect(page.getByTestId('session-role')).toHaveText('viewer');
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('session-role')).toHaveText('admin');
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('workspace-create')).toBeVisible();
});

test('a wrong password is refused with a clear message', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('sign-in-open').click();
  await page.getByTestId('sign-in-username').fill('nobody');
  await page.getByTestId('sign-in-password').fill('not the password');
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('sign-in-error')).toContainText('username or password is wrong');
  await expect(page.getByTestId('session-role')).toHaveText('admin');
});

test('create an API key (shown once), see it used, and revoke it after confirming', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-tab-rest-api').click();
  await expect(page.getByTestId('rest-always-on')).toBeVisible();
  await expect(page.getByTestId('rest-base-url')).toHaveText(c.baseUrl);

  await page.getByTestId('settings-tab-api-keys').click();
  await page.getByTestId('apikey-name').fill('backup script');
  await page.getByTestId('apikey-scope-audit:read').check();
  await page.getByTestId('apikey-create').click();
  const key = (await page.getByTestId('apikey-value').textContent())!;
  expect(key).toMatch(/^p1k_/);
  const row = page.getByTestId('apikey-row').filter({ hasText: 'backup script' });
  await expect(row.getByTestId('apikey-last-used')).toHaveText('never');

  const res = await fetch(`${c.baseUrl}/audit-events?limit=1`, { headers: { 'x-api-key': key } });
  expect(res.status).toBe(200);
  await page.getByTestId('apikey-dismiss').click();
  await expect(page.getByTestId('apikey-value')).toHaveCount(0);
  await page.getByTestId('nav-audit').click();
  await page.getByTestId('nav-settings').click();
  await expect(row.getByTestId('apikey-last-used')).not.toHaveText('never');

  await row.getByTestId('apikey-revoke').click();
  await page.getByTestId('apikey-revoke-dialog').getByTestId('confirm-ok').click();
  await expect(page.getByTestId('apikeys-empty')).toBeVisible();
  expect((await fetch(`${c.baseUrl}/audit-events`, { headers: { 'x-api-key': key } })).status).toBe(401);
});
