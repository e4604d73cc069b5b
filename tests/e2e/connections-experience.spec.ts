import { test, expect, openConsole } from './fixtures';
import { consoleIpc } from './console-ipc';

/** The Connections screen as a new admin meets it: one creation pattern, and no audited read on a mere selection. */

test('New connection is a dialog like every other "New …" action; Escape and Cancel close it', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('connection-new').click();
  const wizard = page.getByRole('dialog', { name: 'New connection' });
  await expect(wizard).toBeVisible();
  await expect(wizard).toHaveAttribute('data-testid', 'connection-wizard');
  await wizard.getByTestId('wizard-provider-pagerduty').click();
  await expect(page.getByRole('dialog', { name: 'New connection: PagerDuty' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('connection-wizard')).toHaveCount(0);
  await page.getByTestId('connection-new').click();
  await page.getByTestId('wizard-cancel').click();
  await expect(page.getByTestId('connection-wizard')).toHaveCount(0);
});

test('selecting rows shows the list fields and logs no connection.accessed; opening the detail logs exactly one', async ({ page, console: c }) => {
  await openConsole(page, c);
  const workspaceId = await page.getByTestId('workspace-switcher').inputValue();
  for (const name of ['PD one', 'PD two', 'PD three']) {
    await consoleIpc(page, c, 'connections:create', { workspaceId, name, provider: 'pagerduty', authType: 'apikey', credential: 'pd-key' });
  }
  const accessed = async () =>
    (await consoleIpc<{ items: unknown[] }>(page, c, 'audit:list', { workspaceId, action: 'connection.accessed' })).items.length;

  await page.getByTestId('nav-connections').click();
  const rows = page.getByTestId('connection-row');
  await expect(rows).toHaveCount(3);
  const summary = page.getByTestId('connection-summary');
  for (const i of [0, 1, 2, 1, 0]) {
    const row = rows.nth(i);
    await row.click();
    await expect(row).toHaveAttribute('data-selected', 'true');
    await expect(summary.getByTestId('connection-summary-name')).toHaveText((await row.getByTestId('connection-open').textContent()) ?? '');
  }
  await expect(summary.getByTestId('connection-status')).toHaveText('active');
  await expect(page.getByTestId('connection-detail')).toHaveCount(0);
  expect(await accessed()).toBe(0);

  await summary.getByTestId('connection-open-detail').click();
  const detail = page.getByTestId('connection-detail');
  await expect(detail.getByTestId('connection-detail-name')).toHaveText('PD one');
  await expect(detail.getByTestId('connection-history')).toBeVisible();
  expect(await accessed()).toBe(1);

  // Closing the detail goes back to the summary without another read.
  await detail.getByTestId('connection-detail-close').click();
  await expect(summary).toBeVisible();
  await rows.nth(2).click();
  expect(await accessed()).toBe(1);
});
