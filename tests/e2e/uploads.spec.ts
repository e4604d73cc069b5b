import { test, expect, openConsole } from './fixtures';

/** Uploads tell the truth: a failure is red with its reason and Retry, and the queue belongs to its datastore. */

test('a failed upload is red with the reason and Retry; the panel is shown in its own datastore only; Retry uploads it', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-datastores').click();
  for (const name of ['Other', 'Drops']) {
    await page.getByTestId('datastore-new').click();
    await page.getByTestId('datastore-name').fill(name);
    await page.getByTestId('datastore-create').click();
    await expect(page.getByTestId('browser-title')).toHaveText(name);
  }

  // The server refuses the first PUT (as it answers a full disk); the request is answered, not dropped.
  const reason = 'the disk holding datastore "Drops" is full; free some space and upload again';
  let refused = 0;
  await page.route('**/console/datastores/*/objects?*', async (route) => {
    if (route.request().method() !== 'PUT' || refused > 0) return route.fallback();
    refused += 1;
    await route.fulfill({ status: 507, contentType: 'application/json', body: JSON.stringify({ ok: false, error: { code: 'STORAGE_FULL', message: reason } }) });
  });
  await page.getByTestId('upload-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('twenty bytes of text') });

  const panel = page.getByTestId('upload-panel');
  const row = panel.locator('[data-testid="upload-row"][data-key="notes.txt"]');
  await expect(row).toHaveAttribute('data-state', 'failed');
  await expect(row.getByTestId('upload-error')).toHaveText(reason);
  await expect(row.getByTestId('upload-state')).toHaveText('Failed');
  await expect(row.getByTestId('upload-state')).toHaveClass(/danger-text/);
  await expect(row.locator('.progress')).toHaveClass(/failed/);
  // Nothing was stored: the overall bar and text do not claim the bytes as sent.
  await expect(panel.getByTestId('upload-overall')).toHaveAttribute('aria-valuenow', '0');
  await expect(panel.getByTestId('upload-overall')).toHaveClass(/failed/);
  await expect(panel.getByTestId('upload-overall-text')).toHaveText('0 B of 20 B');
  await expect(panel.getByTestId('upload-summary')).toHaveText('0 uploaded · 0 skipped · 0 cancelled · 1 failed');

  // Another datastore's view has no upload panel; back in Drops, the failed upload is still there.
  await page.getByTestId('datastore-item').filter({ hasText: 'Other' }).click();
  await expect(page.getByTestId('browser-title')).toHaveText('Other');
  await expect(page.getByTestId('upload-panel')).toHaveCount(0);
  await page.getByTestId('datastore-item').filter({ hasText: 'Drops' }).click();
  await expect(row).toHaveAttribute('data-state', 'failed');

  // Retry sends the same file again, to the same datastore.
  await row.getByTestId('upload-retry').click();
  await expect(row).toHaveAttribute('data-state', 'done');
  await expect(panel.getByTestId('upload-summary')).toHaveText('1 uploaded · 0 skipped · 0 cancelled · 0 failed');
  await expect(panel.getByTestId('upload-overall')).toHaveAttribute('aria-valuenow', '100');
  await expect(page.locator('[data-key="notes.txt"]').first()).toBeVisible();
  await expect(page.getByTestId('datastore-item').filter({ hasText: 'Drops' })).toContainText('1 objects');
  expect(refused).toBe(1);
});
