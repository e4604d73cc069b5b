import { test, expect, openConsole } from './fixtures';
import { TEST_CLIENT, startOidcServer, type OidcServer } from '../fakes/oidc-server';

/** The OAuth wizard with no OAuth app registered yet: collected in place, then straight to consent (no Settings detour). */
let oidc: OidcServer;
test.beforeEach(async () => {
  oidc = await startOidcServer();
});
test.afterEach(async () => {
  await oidc.close();
});

test('no OAuth app yet: the wizard collects client id and secret, shows the redirect URI to copy, then goes straight to consent', async ({ page, context, console: c }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openConsole(page, c);
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('connection-new').click();
  await page.getByTestId('wizard-provider-okta').click();
  const wizard = page.getByTestId('connection-wizard');
  const appFields = wizard.getByTestId('wizard-oauth-app');
  await expect(appFields).toBeVisible();
  await expect(wizard.getByTestId('wizard-save')).toHaveText('Save and authorize');

  // The redirect URI to register at the provider, with a working Copy button.
  await expect(appFields.getByTestId('wizard-app-redirect-uri')).toHaveText('http://127.0.0.1/callback');
  await appFields.getByTestId('wizard-app-redirect-copy').click();
  await expect(appFields.getByTestId('wizard-app-redirect-copy')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('http://127.0.0.1/callback');

  // Missing values are named next to their fields, in plain words, and nothing is sent; no red banner stack.
  await wizard.getByTestId('wizard-field-name').fill('Okta in place');
  await wizard.getByTestId('wizard-save').click();
  await expect(wizard.getByTestId('wizard-error-orgUrl')).toHaveText('Enter the org URL, for example https://your-org.okta.com.');
  await expect(appFields.getByTestId('wizard-app-error-client-id')).toHaveText('Enter the client id of your OAuth app at Okta.');
  await expect(wizard.getByRole('alert')).toHaveCount(0);
  await wizard.getByTestId('wizard-field-orgUrl').fill(oidc.issuer);
  await expect(wizard.getByTestId('wizard-error-orgUrl')).toHaveCount(0);

  await appFields.getByTestId('wizard-app-client-id').fill(TEST_CLIENT.clientId);
  await expect(appFields.getByTestId('wizard-app-error-client-id')).toHaveCount(0);
  await appFields.getByTestId('wizard-app-client-secret').fill(TEST_CLIENT.clientSecret);
  await appFields.getByText('Advanced').click();
  await appFields.getByTestId('wizard-app-base-url').fill(oidc.issuer);

  // Save and authorize: the consent page opens at once; the test server approves and the connection is active.
  const popup = page.waitForEvent('popup');
  await wizard.getByTestId('wizard-save').click();
  const consent = await popup;
  await expect(consent.locator('h1')).toHaveText('Authorization complete');
  await consent.close();
  await expect(page.getByTestId('connection-wizard')).toHaveCount(0);
  const row = page.getByTestId('connection-row').filter({ hasText: 'Okta in place' });
  await expect(row).toHaveAttribute('data-status', 'active');
  const detail = page.getByTestId('connection-detail');
  await expect(detail.getByTestId('connection-authorize-done')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);

  // The app is now the workspace's, listed in Settings with its secret write-only.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-tab-oauth-apps').click();
  const appRow = page.getByTestId('oauth-app-row').filter({ hasText: TEST_CLIENT.clientId });
  await expect(appRow).toContainText('stored (write-only)');
  await expect(page.locator('body')).not.toContainText(TEST_CLIENT.clientSecret);
});

test('authorize later without an OAuth app: the detail asks for the app in place, then goes straight to consent', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('connection-new').click();
  await page.getByTestId('wizard-provider-okta').click();
  await page.getByTestId('wizard-field-name').fill('Okta later');
  await page.getByTestId('wizard-field-orgUrl').fill(oidc.issuer);
  await page.getByTestId('wizard-save-later').click();

  const row = page.getByTestId('connection-row').filter({ hasText: 'Okta later' });
  await expect(row.getByTestId('connection-status')).toHaveText('Not authorized yet');
  const detail = page.getByTestId('connection-detail');
  const missing = detail.getByTestId('oauth-missing-app');
  await expect(missing).toBeVisible();
  await expect(detail.getByTestId('connection-authorize')).toHaveCount(0);
  await expect(missing.getByTestId('missing-app-redirect-uri')).toHaveText('http://127.0.0.1/callback');
  await missing.getByTestId('missing-app-save').click();
  await expect(missing.getByTestId('missing-app-error-client-id')).toHaveText('Enter the client id of your OAuth app at Okta.');
  await expect(page.getByRole('alert')).toHaveCount(0);

  await missing.getByTestId('missing-app-client-id').fill(TEST_CLIENT.clientId);
  await missing.getByTestId('missing-app-client-secret').fill(TEST_CLIENT.clientSecret);
  await missing.getByText('Advanced').click();
  await missing.getByTestId('missing-app-base-url').fill(oidc.issuer);
  const popup = page.waitForEvent('popup');
  await missing.getByTestId('missing-app-save').click();
  const consent = await popup;
  await expect(consent.locator('h1')).toHaveText('Authorization complete');
  await consent.close();
  await expect(row).toHaveAttribute('data-status', 'active');
  await expect(detail.getByTestId('oauth-missing-app')).toHaveCount(0);
  await expect(detail.getByTestId('connection-authorize')).toHaveText('Re-authorize');
});
