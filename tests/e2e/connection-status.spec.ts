import { test, expect, openConsole } from './fixtures';
import type { Page } from '@playwright/test';
import { startFakeProviders, type FakeProviders } from '../fakes/fake-providers';

let fake: FakeProviders;
test.beforeEach(async () => {
  fake = await startFakeProviders();
});
test.afterEach(async () => {
  await fake.close();
});

/** Fills the Datadog wizard (against the fake provider) up to the credential. */
async function datadogDraft(page: Page, name: string, credential: string): Promise<void> {
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('connection-new').click();
  await page.getByTestId('wizard-provider-datadog').click();
  await page.getByTestId('wizard-field-name').fill(name);
  await page.getByText('Advanced').click();
  await page.getByTestId('wizard-field-baseUrl').fill(fake.baseUrl('datadog'));
  await page.getByTestId('wizard-field-credential').fill(credential);
}

test('a Valid test before saving becomes the saved connection’s last test; a changed draft is marked untested', async ({ page, console: c }) => {
  await openConsole(page, c);
  await datadogDraft(page, 'Tested before save', fake.bad.datadog);
  await page.getByTestId('wizard-test').click();
  await expect(page.getByTestId('wizard-test-result')).toHaveAttribute('data-outcome', 'invalid_credential');
  // The credential changes after the test: that result no longer speaks for the draft.
  await page.getByTestId('wizard-field-credential').fill(fake.good.datadog);
  await expect(page.getByTestId('wizard-test-stale')).toBeVisible();
  await page.getByTestId('wizard-test').click();
  await expect(page.getByTestId('wizard-test-result')).toHaveAttribute('data-outcome', 'valid');
  await expect(page.getByTestId('wizard-test-stale')).toHaveCount(0);
  await page.getByTestId('wizard-save').click();

  const detail = page.getByTestId('connection-detail');
  await expect(detail.getByTestId('connection-detail-name')).toHaveText('Tested before save');
  await expect(detail.getByTestId('connection-last-test')).toHaveAttribute('data-outcome', 'valid');
  await expect(detail.getByTestId('connection-last-test-none')).toHaveCount(0);
  await expect(page.getByTestId('connection-row').filter({ hasText: 'Tested before save' })).toHaveAttribute('data-status', 'active');
});

test('new credentials are tested at once: error stays error on a bad one, and only a valid test makes it active', async ({ page, console: c }) => {
  await openConsole(page, c);
  // Saved without a test: never tested, as before.
  await datadogDraft(page, 'Credential swap', fake.bad.datadog);
  await page.getByTestId('wizard-save').click();
  const detail = page.getByTestId('connection-detail');
  await expect(detail.getByTestId('connection-last-test-none')).toBeVisible();
  await detail.getByTestId('connection-test').click();
  await expect(detail.getByTestId('connection-last-test')).toHaveAttribute('data-outcome', 'invalid_credential');
  await expect(detail.getByTestId('connection-status')).toHaveAttribute('data-status', 'error');

  // Another bad credential: tested right after saving, still error (not active on trust).
  const lastTest = detail.getByTestId('connection-last-test');
  const before = await lastTest.getAttribute('data-tested-at');
  await detail.getByTestId('connection-update-credentials').click();
  await detail.getByTestId('connection-credential-input').fill(`${fake.bad.datadog}-2`);
  await detail.getByTestId('connection-credential-save').click();
  await expect(lastTest).not.toHaveAttribute('data-tested-at', before ?? '');
  await expect(lastTest).toHaveAttribute('data-outcome', 'invalid_credential');
  await expect(detail.getByTestId('connection-status')).toHaveAttribute('data-status', 'error');

  // The good one: the automatic test says valid, and that is what makes it active.
  await detail.getByTestId('connection-update-credentials').click();
  await detail.getByTestId('connection-credential-input').fill(fake.good.datadog);
  await detail.getByTestId('connection-credential-save').click();
  await expect(lastTest).toHaveAttribute('data-outcome', 'valid');
  await expect(detail.getByTestId('connection-status')).toHaveAttribute('data-status', 'active');
  await expect(page.getByTestId('connection-row').filter({ hasText: 'Credential swap' })).toHaveAttribute('data-status', 'active');
});
