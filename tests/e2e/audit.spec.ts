import fs from 'node:fs';
import { test, expect, openConsole } from './fixtures';
import type { Page } from '@playwright/test';

// A fixed zone, so "local time with its zone" is checkable: Berlin is CET in winter and CEST in summer.
test.use({ timezoneId: 'Europe/Berlin' });

const LOCAL = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (CET|CEST)$/;
const UTC = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/;

/** A wrong sign-in: a failed event (user.login_failed) in the log. */
async function failSignIn(page: Page) {
  await page.getByTestId('sign-in-open').click();
  await page.getByTestId('sign-in-username').fill('mallory');
  await page.getByTestId('sign-in-password').fill('not the password');
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('sign-in-error')).toBeVisible();
  await page.keyboard.press('Escape');
}

async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const waiting = page.waitForEvent('download');
  await page.getByTestId(testId).click();
  const d = await waiting;
  const file = await d.path();
  return { name: d.suggestedFilename(), text: fs.readFileSync(file, 'utf8') };
}

test('the audit log names events in words, marks failures, opens an event in full and links to its target', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-secrets').click();
  await page.getByTestId('secret-new').click();
  await page.getByTestId('secret-name-input').fill('payroll-db');
  await page.getByTestId('secret-value-input').fill('e2e-audit-value');
  await page.getByTestId('secret-create-submit').click();
  await expect(page.getByTestId('secret-detail-name')).toHaveText('payroll-db');
  await page.getByTestId('secret-reveal').click();
  await expect(page.getByTestId('secret-revealed-value')).toBeVisible();
  await page.getByTestId('secret-hide').click();
  await failSignIn(page);

  await page.getByTestId('nav-audit').click();
  const reveal = page.locator('[data-testid="audit-row"][data-action="secret.accessed"]');
  await expect(reveal).toHaveCount(1);
  await expect(reveal.getByTestId('audit-open')).toHaveText('Secret revealed');
  await expect(page.getByTestId('audit-table')).not.toContainText('secret.accessed');

  // A failed event stands out: its row is marked and its outcome says so in words.
  const failed = page.locator('[data-testid="audit-row"][data-action="user.login_failed"]');
  await expect(failed).toHaveCount(1);
  await expect(failed).toHaveClass(/row-failed/);
  await expect(failed).toContainText('Sign-in failed');
  await expect(failed).toContainText('Failed');
  await expect(reveal).not.toHaveClass(/row-failed/);

  // Local time with its zone in the table, UTC on hover.
  const when = reveal.locator('time');
  await expect(when).toHaveText(LOCAL);
  await expect(when).toHaveAttribute('title', UTC);
  await expect(page.getByTestId('audit-table').locator('th').first()).toHaveText(/When \((CET|CEST)\)/);

  // The event in full: actor, origin, target as a link, details pretty-printed.
  await reveal.getByTestId('audit-open').click();
  const dialog = page.getByTestId('audit-event-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('audit-event-action')).toHaveText('secret.accessed');
  await expect(dialog.getByTestId('audit-event-outcome')).toHaveText('Succeeded');
  await expect(dialog.getByTestId('audit-event-origin')).not.toBeEmpty();
  await expect(dialog.getByTestId('audit-event-actor')).not.toBeEmpty();
  await expect(dialog.getByTestId('audit-event-when').locator('time')).toHaveText(LOCAL);
  await expect(dialog).not.toContainText('e2e-audit-value');
  await dialog.getByTestId('audit-event-close').click();
  await expect(dialog).toHaveCount(0);

  await failed.click();
  await expect(dialog.getByTestId('audit-event-outcome')).toHaveText('Failed');
  // Pretty-printed: one key per line, indented.
  await expect(dialog.getByTestId('audit-event-details')).toContainText('"reason":');
  expect(await dialog.getByTestId('audit-event-details').textContent()).toContain('\n  "reason"');
  await dialog.getByTestId('audit-event-close').click();

  await reveal.getByTestId('audit-open').click();
  await dialog.getByTestId('audit-event-target-link').click();
  await expect(page.getByTestId('screen-secrets')).toBeVisible();
  await expect(page.getByTestId('secret-detail-name')).toHaveText('payroll-db');
});

test('export the filtered view as CSV and JSON, and filter by dates in the table\'s convention', async ({ page, console: c }) => {
  await openConsole(page, c);
  await failSignIn(page);
  await failSignIn(page);
  await page.getByTestId('nav-audit').click();
  await expect(page.locator('[data-testid="audit-row"][data-action="user.login_failed"]')).toHaveCount(2);

  await page.getByTestId('audit-filter-action').selectOption({ label: 'Sign-in failed' });
  await page.getByTestId('audit-apply').click();
  await expect(page.getByTestId('audit-row')).toHaveCount(2);

  const csv = await download(page, 'audit-export-csv');
  expect(csv.name).toMatch(/^provenanceone-audit-.*\.csv$/);
  const lines = csv.text.trimEnd().split('\r\n');
  expect(lines[0]).toContain('"time (UTC)","action","event"');
  expect(lines).toHaveLength(3);
  for (const line of lines.slice(1)) expect(line).toContain('"user.login_failed","Sign-in failed"');
  await expect(page.getByTestId('audit-export-done')).toContainText('2 events');

  const json = await download(page, 'audit-export-json');
  const events = JSON.parse(json.text) as Array<{ action: string; outcome: string }>;
  expect(events.map((e) => [e.action, e.outcome])).toEqual([
    ['user.login_failed', 'failure'],
    ['user.login_failed', 'failure'],
  ]);

  // The date filter takes local times, named like the table's: from far in the future nothing matches.
  await expect(page.getByText(/From \((CET|CEST)\)/)).toBeVisible();
  await page.getByTestId('audit-filter-from').fill('2099-01-01T00:00');
  await page.getByTestId('audit-apply').click();
  await expect(page.getByText('No events match')).toBeVisible();
  await expect(page.getByTestId('audit-filter-from')).toHaveValue('2099-01-01T00:00');
  const empty = await download(page, 'audit-export-json');
  expect(JSON.parse(empty.text)).toEqual([]);
});

test('one date convention on a second screen: the users table shows local time with its zone, UTC on hover', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-tab-users').click();
  await page.getByTestId('user-username').fill('dora');
  await page.getByTestId('user-password').fill('a long enough password');
  await page.getByTestId('user-add').click();
  const created = page.getByTestId('user-row').filter({ hasText: 'dora' }).locator('time');
  await expect(created).toHaveText(LOCAL);
  await expect(created).toHaveAttribute('title', UTC);
});
