import { test, expect, openConsole } from './fixtures';

// Issue #17's secrets items: search anywhere in the name, rollback that asks and says where it came from, Generate
// pre-selected when rotating a generated secret, a clipboard countdown that counts, rename and describe, Copy ID.

test('search finds a part of the name anywhere; rename keeps the id and refuses a taken name; Copy ID', async ({ page, console: c, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: c.baseUrl });
  await openConsole(page, c);
  await page.getByTestId('nav-secrets').click();
  for (const name of ['prod_db_password', 'staging-api-token', 'stripe-live-key']) {
    await page.getByTestId('secret-new').click();
    await page.getByTestId('secret-name-input').fill(name);
    await page.getByTestId('value-mode-generate').check();
    await page.getByTestId('secret-create-submit').click();
    await expect(page.getByTestId('secret-detail-name')).toHaveText(name);
  }

  // In the middle of the name, any case; two characters too.
  await page.getByTestId('secret-search').fill('DB_PASS');
  await expect(page.getByTestId('secret-row')).toHaveCount(1);
  await expect(page.getByTestId('secret-row')).toHaveAttribute('data-name', 'prod_db_password');
  await page.getByTestId('secret-search').fill('ke');
  await expect(page.getByTestId('secret-list')).toHaveAttribute('data-count', '2');
  await page.getByTestId('secret-search').fill('nothing-like-it');
  await expect(page.getByTestId('secrets-empty')).toContainText('No secret name contains');
  await page.getByTestId('secret-search').fill('');
  await expect(page.getByTestId('secret-list')).toHaveAttribute('data-count', '3');

  await page.getByTestId('secret-row').filter({ hasText: 'staging-api-token' }).click();
  const id = (await page.getByTestId('secret-detail-id').textContent())!;
  await page.getByTestId('secret-copy-id').click();
  await expect(page.getByTestId('secret-copy-id')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(id);

  // A taken name is refused in place; a free one renames, with the same id and a description.
  await page.getByTestId('secret-edit').click();
  await page.getByTestId('secret-edit-name').fill('STRIPE-LIVE-KEY');
  await page.getByTestId('secret-edit-submit').click();
  await expect(page.getByTestId('secret-edit-error')).toContainText('already exists');
  await page.getByTestId('secret-edit-name').fill('staging-api-token-v2');
  await page.getByTestId('secret-edit-description').fill('Used by the staging deploy');
  await page.getByTestId('secret-edit-submit').click();
  await expect(page.getByTestId('secret-edit-dialog')).toHaveCount(0);
  await expect(page.getByTestId('secret-detail-name')).toHaveText('staging-api-token-v2');
  await expect(page.getByTestId('secret-detail-description')).toHaveText('Used by the staging deploy');
  await expect(page.getByTestId('secret-detail-id')).toHaveText(id);
  await expect(page.getByTestId('secret-row').filter({ hasText: 'staging-api-token-v2' })).toHaveCount(1);

  await page.getByTestId('nav-audit').click();
  await expect(page.locator('[data-testid="audit-row"][data-action="secret.updated"]')).toHaveCount(1);
});

test('rotate a generated secret defaults to Generate; rollback asks first and says which version it came from; the clipboard countdown counts', async ({ page, console: c, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: c.baseUrl });
  await openConsole(page, c);
  await page.getByTestId('nav-secrets').click();
  await page.getByTestId('secret-new').click();
  await page.getByTestId('secret-name-input').fill('webhook-signing-key');
  await page.getByTestId('value-mode-generate').check();
  await page.getByTestId('secret-create-submit').click();
  await expect(page.getByTestId('secret-detail-name')).toHaveText('webhook-signing-key');

  await page.getByTestId('secret-rotate').click();
  await expect(page.getByTestId('value-mode-generate')).toBeChecked();
  await expect(page.getByTestId('generate-same-rules')).toContainText('32 characters');
  await page.getByTestId('secret-rotate-submit').click();
  await expect(page.getByTestId('secret-version-row')).toHaveCount(2);

  // Rollback asks first; Cancel changes nothing.
  const v1 = page.getByTestId('secret-version-row').filter({ hasText: 'v1' });
  await v1.getByTestId('secret-rollback').click();
  await expect(page.getByTestId('secret-rollback-dialog')).toContainText('v3');
  await page.getByTestId('secret-rollback-cancel').click();
  await expect(page.getByTestId('secret-version-row')).toHaveCount(2);
  await v1.getByTestId('secret-rollback').click();
  await page.getByTestId('secret-rollback-confirm').click();
  await expect(page.getByTestId('secret-version-row')).toHaveCount(3);
  const v3 = page.getByTestId('secret-version-row').first();
  await expect(v3).toContainText('v3 (current)');
  await expect(v3.getByTestId('secret-version-source')).toHaveText('rolled back from v1');

  // Copy: the clipboard countdown is visible and goes down.
  await page.getByTestId('secret-reveal').click();
  await expect(page.getByTestId('secret-revealed-value')).toBeVisible();
  await page.getByTestId('secret-copy').click();
  const countdown = page.getByTestId('secret-clipboard-countdown');
  await expect(countdown).toContainText('The clipboard clears in');
  const first = Number(await countdown.getAttribute('data-seconds'));
  expect(first).toBeGreaterThan(25);
  await expect.poll(async () => Number(await countdown.getAttribute('data-seconds')), { timeout: 5_000 }).toBeLessThan(first);

  await page.getByTestId('nav-audit').click();
  await expect(page.locator('[data-testid="audit-row"][data-action="secret.rolled_back"]')).toHaveCount(1);
});
