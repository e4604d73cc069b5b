import { test, expect, openConsole } from './fixtures';
import { TEST_CLIENT, startOidcServer, type OidcServer } from '../fakes/oidc-server';

let oidc: OidcServer;
test.beforeEach(async () => {
  oidc = await startOidcServer();
});
test.afterEach(async () => {
  await oidc.close();
});

test('OAuth: register the app, authorize through the console, revoke at the server → error, re-authorize → active', async ({ page, console: c }) => {
  await openConsole(page, c);

  // Settings → OAuth apps: the Okta-shaped authorization server on loopback.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-tab-oauth-apps').click();
  await expect(page.getByTestId('oauth-apps-empty')).toBeVisible();
  await page.getByTestId('oauth-app-add').click();
  await page.getByTestId('oauth-app-provider').selectOption('okta');
  await page.getByTestId('oauth-app-client-id').fill(TEST_CLIENT.clientId);
  await page.getByTestId('oauth-app-client-secret').fill(TEST_CLIENT.clientSecret);
  await page.getByTestId('oauth-app-scopes').fill('openid profile');
  await page.getByTestId('oauth-app-base-url').fill(oidc.issuer);
  await page.getByTestId('oauth-app-save').click();
  const appRow = page.getByTestId('oauth-app-row').filter({ hasText: TEST_CLIENT.clientId });
  await expect(appRow).toContainText('stored (write-only)');
  await expect(appRow).not.toContainText(TEST_CLIENT.clientSecret);

  // Connections → New → Okta; saved, it waits for authorization.
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('connection-new').click();
  await page.getByTestId('wizard-provider-okta').click();
  await page.getByTestId('wizard-field-name').fill('Okta e2e');
  await page.getByTestId('wizard-field-orgUrl').fill(oidc.issuer);
  // The app is registered: the wizard says so and asks for nothing more. Authorize later, from the detail.
  await expect(page.getByTestId('wizard-oauth-app-registered')).toContainText(TEST_CLIENT.clientId);
  await page.getByTestId('wizard-save-later').click();
  const row = page.getByTestId('connection-row').filter({ hasText: 'Okta e2e' });
  await expect(row).toHaveAttribute('data-status', 'error');
  // Nothing failed yet: a neutral "Not authorized yet", not a red error nor the API-key wording.
  await expect(row.getByTestId('connection-status')).toHaveText('Not authorized yet');
  await expect(row.getByTestId('connection-status')).toHaveClass(/status-awaiting/);
  await row.click();
  await page.getByTestId('connection-open-detail').click();
  const detail = page.getByTestId('connection-detail');
  await expect(detail.getByTestId('oauth-not-authorized')).toBeVisible();
  await expect(detail.getByTestId('connection-status')).toHaveText('Not authorized yet');
  await expect(detail.getByTestId('connection-last-test-none')).toContainText('authorize it first');
  await expect(detail).not.toContainText('saved without validation');

  // Authorize: the consent page opens in a new tab, the test server approves, the loopback callback answers.
  const popup1 = page.waitForEvent('popup');
  await detail.getByTestId('connection-authorize').click();
  const consent1 = await popup1;
  await expect(consent1.locator('h1')).toHaveText('Authorization complete');
  await expect(consent1.locator('body')).toContainText('return to ProvenanceOne');
  await consent1.close();
  await expect(row).toHaveAttribute('data-status', 'active');
  await expect(row.getByTestId('connection-status')).toHaveText('active');
  await expect(detail.getByTestId('connection-authorize-done')).toBeVisible();
  await expect(detail.getByTestId('oauth-token-info')).toHaveAttribute('data-refresh-state', 'ok');
  await expect(page.getByTestId('oauth-health-row').filter({ hasText: 'Okta' })).toBeVisible();

  // The user removes the app at the provider: the next use of the token fails and the status turns to error.
  oidc.revokeAll();
  await detail.getByTestId('connection-test').click();
  await expect(row).toHaveAttribute('data-status', 'error');
  // A real failure after consent is the red error again.
  await expect(row.getByTestId('connection-status')).toHaveClass(/status-error/);
  await expect(detail.getByTestId('connection-last-error')).toBeVisible();

  // Re-authorize keeps the connection and brings it back to active.
  const popup2 = page.waitForEvent('popup');
  await detail.getByTestId('connection-authorize').click();
  const consent2 = await popup2;
  await expect(consent2.locator('h1')).toHaveText('Authorization complete');
  await consent2.close();
  await expect(row).toHaveAttribute('data-status', 'active');
  await expect(page.getByTestId('connection-row')).toHaveCount(1);
  await detail.getByTestId('connection-test').click();
  await expect(detail.getByTestId('connection-last-test')).toHaveAttribute('data-outcome', 'valid');
});

test('OAuth: denied consent is explained in the console and nothing changes', async ({ page, console: c }) => {
  oidc.setConsent('deny');
  await openConsole(page, c);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-tab-oauth-apps').click();
  await page.getByTestId('oauth-app-add').click();
  await page.getByTestId('oauth-app-provider').selectOption('okta');
  await page.getByTestId('oauth-app-client-id').fill(TEST_CLIENT.clientId);
  await page.getByTestId('oauth-app-client-secret').fill(TEST_CLIENT.clientSecret);
  await page.getByTestId('oauth-app-base-url').fill(oidc.issuer);
  await page.getByTestId('oauth-app-save').click();
  await expect(page.getByTestId('oauth-app-row')).toHaveCount(1);
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('connection-new').click();
  await page.getByTestId('wizard-provider-okta').click();
  await page.getByTestId('wizard-field-name').fill('Okta denied');
  await page.getByTestId('wizard-field-orgUrl').fill(oidc.issuer);
  // The app is registered: the wizard says so and asks for nothing more. Authorize later, from the detail.
  await expect(page.getByTestId('wizard-oauth-app-registered')).toContainText(TEST_CLIENT.clientId);
  await page.getByTestId('wizard-save-later').click();
  const row = page.getByTestId('connection-row').filter({ hasText: 'Okta denied' });
  await row.click();
  await page.getByTestId('connection-open-detail').click();
  const detail = page.getByTestId('connection-detail');
  const popup = page.waitForEvent('popup');
  await detail.getByTestId('connection-authorize').click();
  const consent = await popup;
  await expect(consent.locator('h1')).toHaveText('Authorization denied');
  await expect(detail.getByTestId('connection-authorize-error')).toHaveAttribute('data-code', 'access_denied');
  await expect(row).toHaveAttribute('data-status', 'error');
  await expect(detail.getByTestId('oauth-not-authorized')).toBeVisible();
});
