import { test, expect, openConsole } from './fixtures';
import { startFakeProviders, type FakeProviders } from '../fakes/fake-providers';

let fake: FakeProviders;
test.beforeEach(async () => {
  fake = await startFakeProviders();
});
test.afterEach(async () => {
  await fake.close();
});

test('Datadog: create against the fake provider, test, pause, bad credentials, test shows the reason, delete after confirming', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-connections').click();
  await expect(page.getByTestId('connections-empty')).toBeVisible();

  await page.getByTestId('connection-new').click();
  await page.getByTestId('wizard-provider-datadog').click();
  await expect(page.getByTestId('wizard-docs-link')).toHaveAttribute('href', /docs\.datadoghq\.com/);
  // Field validation before anything is sent.
  await page.getByTestId('wizard-save').click();
  await expect(page.getByTestId('wizard-error-credential')).toHaveText('Enter the API key.');

  await page.getByTestId('wizard-field-name').fill('Datadog e2e');
  await page.getByText('Advanced').click();
  await page.getByTestId('wizard-field-baseUrl').fill(fake.baseUrl('datadog'));
  await page.getByTestId('wizard-field-credential').fill(fake.good.datadog);
  await page.getByTestId('wizard-test').click();
  await expect(page.getByTestId('wizard-test-result')).toHaveAttribute('data-outcome', 'valid');
  await page.getByTestId('wizard-save').click();

  const row = page.getByTestId('connection-row').filter({ hasText: 'Datadog e2e' });
  await expect(row).toHaveAttribute('data-status', 'active');
  await expect(row.getByTestId('provider-icon-datadog')).toBeVisible();
  const detail = page.getByTestId('connection-detail');
  await expect(detail.getByTestId('connection-detail-name')).toHaveText('Datadog e2e');

  await detail.getByTestId('connection-test').click();
  await expect(detail.getByTestId('connection-last-test')).toHaveAttribute('data-outcome', 'valid');
  await expect(detail.getByTestId('connection-last-test')).toContainText('HTTP 200');

  await detail.getByTestId('connection-pause').click();
  await expect(detail.getByTestId('connection-status')).toHaveAttribute('data-status', 'paused');
  await expect(row).toHaveAttribute('data-status', 'paused');

  await detail.getByTestId('connection-update-credentials').click();
  await detail.getByTestId('connection-credential-input').fill(fake.bad.datadog);
  await detail.getByTestId('connection-credential-save').click();
  await expect(detail.getByTestId('connection-credential-input')).toBeHidden();

  await detail.getByTestId('connection-test').click();
  const result = detail.getByTestId('connection-last-test');
  await expect(result).toHaveAttribute('data-outcome', 'invalid_credential');
  await expect(result).toContainText('Invalid credential');
  await expect(result).toContainText('HTTP 403');
  await expect(detail.getByTestId('connection-fix-credentials')).toBeVisible();
  await expect(page.locator('body')).not.toContainText(fake.bad.datadog);

  await detail.getByTestId('connection-delete').click();
  const dialog = page.getByTestId('connection-delete-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('connection-delete-cancel').click();
  await expect(dialog).toBeHidden();
  await expect(row).toHaveCount(1);
  await detail.getByTestId('connection-delete').click();
  await page.getByTestId('connection-delete-dialog').getByTestId('connection-delete-confirm').click();
  await expect(page.getByTestId('connection-row')).toHaveCount(0);
  await expect(page.getByTestId('connections-empty')).toBeVisible();
});

test('filters and search narrow the list; validation errors name the field', async ({ page, console: c }) => {
  await openConsole(page, c);
  for (const name of ['PagerDuty on-call', 'PagerDuty staging']) {
    await page.getByTestId('connection-new').click();
    await page.getByTestId('wizard-provider-pagerduty').click();
    await page.getByTestId('wizard-field-name').fill(name);
    await page.getByTestId('wizard-field-credential').fill('pd-key');
    await page.getByTestId('wizard-save').click();
    await expect(page.getByTestId('connection-row').filter({ hasText: name })).toBeVisible();
  }
  await page.getByTestId('connection-new').click();
  await page.getByTestId('wizard-provider-jira').click();
  await page.getByTestId('wizard-field-siteUrl').fill('http://jira.example.com');
  await page.getByTestId('wizard-field-credential').fill('t');
  await page.getByTestId('wizard-save').click();
  await expect(page.getByTestId('wizard-error-siteUrl')).toHaveText('Use an https:// address (http:// works only for this machine).');
  await expect(page.getByTestId('wizard-error-email')).toHaveText('Enter the account email, for example you@example.com.');
  await page.getByTestId('wizard-cancel').click();

  await page.getByTestId('connections-search').fill('staging');
  await expect(page.getByTestId('connection-row')).toHaveCount(1);
  await page.getByTestId('connections-search').fill('');
  await expect(page.getByTestId('connection-row')).toHaveCount(2);
  await page.getByTestId('connections-filter-status').selectOption('paused');
  await expect(page.getByTestId('connections-empty')).toContainText('No connections match');
  await page.getByTestId('connections-filter-status').selectOption('');
  await page.getByTestId('connections-filter-provider').selectOption('slack');
  await expect(page.getByTestId('connection-row')).toHaveCount(0);
  await page.getByTestId('connections-filter-provider').selectOption('pagerduty');
  await expect(page.getByTestId('connection-row')).toHaveCount(2);

  // Edit name and settings: a bad base URL is refused naming the field; a good one is saved.
  await page.getByTestId('connection-row').filter({ hasText: 'PagerDuty staging' }).click();
  await page.getByTestId('connection-open-detail').click();
  const detail = page.getByTestId('connection-detail');
  await detail.getByTestId('connection-edit').click();
  await detail.getByTestId('edit-field-name').fill('PagerDuty test');
  await detail.getByTestId('edit-field-baseUrl').fill('ftp://pd.example.com');
  await detail.getByTestId('connection-edit-save').click();
  await expect(detail.getByTestId('edit-error-baseUrl')).toHaveText('Use an https:// address (http:// works only for this machine).');
  await detail.getByTestId('edit-field-baseUrl').fill(fake.baseUrl('pagerduty'));
  await detail.getByTestId('connection-edit-save').click();
  await expect(detail.getByTestId('connection-detail-name')).toHaveText('PagerDuty test');
  await expect(detail.getByTestId('connection-settings')).toContainText(fake.baseUrl('pagerduty'));
  await expect(page.getByTestId('connection-row').filter({ hasText: 'PagerDuty test' })).toHaveCount(1);
});
