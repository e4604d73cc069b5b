import { randomBytes } from 'node:crypto';
import { test, expect, openConsole, startConsole, stopConsole } from './fixtures';

test('create a secret, see it listed without its value, reveal it as admin, see secret.accessed in the audit log', async ({ page, console: c }) => {
  const value = `e2e-canary-${randomBytes(8).toString('hex')}`;
  await openConsole(page, c);
  await page.getByTestId('nav-secrets').click();
  await expect(page.getByTestId('secrets-empty')).toBeVisible();

  await page.getByTestId('secret-new').click();
  await page.getByTestId('secret-name-input').fill('stripe-live-key');
  await page.getByTestId('secret-value-input').fill(value);
  await page.getByTestId('secret-create-submit').click();
  await expect(page.getByTestId('secret-create-dialog')).toHaveCount(0);

  const row = page.getByTestId('secret-row').filter({ hasText: 'stripe-live-key' });
  await expect(row).toHaveCount(1);
  await expect(page.getByTestId('secret-detail-name')).toHaveText('stripe-live-key');
  await expect(page.locator('body')).not.toContainText(value);
  await expect(page.getByTestId('secret-last-access')).toHaveText('never revealed');

  await page.getByTestId('secret-reveal').click();
  await expect(page.getByTestId('secret-revealed-value')).toHaveText(value);
  await expect(page.getByTestId('secret-reveal-countdown')).toContainText('Hides in');
  await expect(page.getByTestId('secret-last-access')).toContainText('by ');
  await page.getByTestId('secret-hide').click();
  await expect(page.getByTestId('secret-revealed-value')).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText(value);

  await page.getByTestId('nav-audit').click();
  const accessed = page.getByTestId('audit-row').filter({ hasText: 'secret.accessed' });
  await expect(accessed).toHaveCount(1);
  await expect(accessed).toHaveAttribute('data-risk', 'high');
  await expect(accessed).toContainText('stripe-live-key');
  await expect(page.getByTestId('audit-row').filter({ hasText: 'secret.created' })).toHaveCount(1);
});

test('the JSON editor validates as you type, and a duplicate name is refused clearly', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-secrets').click();
  await page.getByTestId('secret-new').click();
  await page.getByTestId('secret-name-input').fill('db-creds');
  await page.getByTestId('value-mode-json').check();
  await page.getByTestId('secret-value-input').fill('{"user": "svc", "password": ');
  await expect(page.getByTestId('json-check')).toContainText('Not valid JSON');
  await page.getByTestId('secret-value-input').fill('["not", "an", "object"]');
  await expect(page.getByTestId('json-check')).toContainText('must be a JSON object');
  await page.getByTestId('secret-value-input').fill('{"user": "svc", "password": "p"}');
  await expect(page.getByTestId('json-check')).toContainText('Valid JSON object with 2 field(s)');
  await page.getByTestId('secret-create-submit').click();
  await expect(page.getByTestId('secret-row').filter({ hasText: 'db-creds' })).toContainText('JSON');

  await page.getByTestId('secret-new').click();
  await page.getByTestId('secret-name-input').fill('DB-CREDS');
  await page.getByTestId('value-mode-generate').check();
  await page.getByTestId('secret-create-submit').click();
  await expect(page.getByTestId('secret-create-error')).toContainText('already exists');
});

test('rotate, then delete with confirmation', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-secrets').click();
  await page.getByTestId('secret-new').click();
  await page.getByTestId('secret-name-input').fill('token');
  await page.getByTestId('value-mode-generate').check();
  await page.getByTestId('generate-length').fill('24');
  await page.getByTestId('secret-create-submit').click();
  await expect(page.getByTestId('secret-detail-name')).toHaveText('token');
  await page.getByTestId('secret-rotate').click();
  await page.getByTestId('value-mode-generate').check();
  await page.getByTestId('secret-rotate-submit').click();
  await expect(page.getByTestId('secret-version-row')).toHaveCount(2);
  await page.getByTestId('secret-delete').click();
  await page.getByTestId('secret-delete-confirm').click();
  await expect(page.getByTestId('secrets-empty')).toBeVisible();
});

test('with the vault locked, creating a secret says so and what to do', async ({ page }) => {
  // No reachable Secret Service: the console starts with its vault not unlocked.
  const c = await startConsole({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
  try {
    await openConsole(page, c);
    await page.getByTestId('nav-secrets').click();
    await page.getByTestId('secret-new').click();
    await page.getByTestId('secret-name-input').fill('blocked');
    await page.getByTestId('secret-value-input').fill('value');
    await page.getByTestId('secret-create-submit').click();
    await expect(page.getByTestId('vault-locked')).toContainText('VAULT_LOCKED');
    await expect(page.getByTestId('vault-locked')).toContainText('Settings → Vault');
  } finally {
    await stopConsole(c);
  }
});
