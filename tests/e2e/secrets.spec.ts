import { randomBytes } from 'node:crypto';
import { test, expect, openConsole } from './fixtures';

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
  const accessed = page.locator('[data-testid="audit-row"][data-action="secret.accessed"]');
  await expect(accessed).toHaveCount(1);
  await expect(accessed).toHaveAttribute('data-risk', 'high');
  await expect(accessed).toContainText('stripe-live-key');
  await expect(page.locator('[data-testid="audit-row"][data-action="secret.created"]')).toHaveCount(1);
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

test('10 000 secrets: the list renders only what is visible and pages in as it scrolls', async ({ page, console: c }) => {
  // Seeded straight into the console's database (metadata is what the list shows; values are never listed).
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(`${c.dataDir}/provenance.db`);
  db.pragma('busy_timeout = 5000');
  const ws = (db.prepare('SELECT id FROM workspaces ORDER BY created_at LIMIT 1').get() as { id: string }).id;
  const now = new Date().toISOString();
  // name_key is nameKey(name); for these ASCII names that is lower(name).
  const ins = db.prepare(`INSERT INTO secrets (id, workspace_id, name, name_key, description, value_type, version, created_at, updated_at)
    VALUES (?, ?, ?, lower(?), '', 'string', 1, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < 10_000; i++) {
      const name = `bulk-${String(i).padStart(5, '0')}`;
      ins.run(crypto.randomUUID(), ws, name, name, now, now);
    }
  })();
  db.close();

  await openConsole(page, c);
  await page.getByTestId('nav-secrets').click();
  const list = page.getByTestId('secret-list');
  await expect(page.getByTestId('secret-row').first()).toHaveAttribute('data-name', 'bulk-00000');
  expect(await page.getByTestId('secret-row').count()).toBeLessThan(60);
  // Scroll to the end repeatedly: each time the list nears its end the next keyset page is appended.
  let loaded = Number(await list.getAttribute('data-count'));
  while (loaded < 10_000) {
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(async () => Number(await list.getAttribute('data-count'))).toBeGreaterThan(loaded);
    loaded = Number(await list.getAttribute('data-count'));
  }
  expect(loaded).toBe(10_000);
  await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.getByTestId('secret-row').last()).toHaveAttribute('data-name', 'bulk-09999');
  expect(await page.getByTestId('secret-row').count()).toBeLessThan(60);

  await page.getByTestId('secret-search').fill('bulk-0999');
  await expect(list).toHaveAttribute('data-count', '10');
});
