import { test, expect, openConsole } from './fixtures';

// Forms outside connections: errors in plain words next to their field, before submit where the form can tell,
// cleared as soon as the field changes, and never twice (banner and field).

test('add user: a short password and a bad username are caught next to their fields before submit, and clear on retry', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-tab-users').click();
  const password = page.getByTestId('user-password');
  const passwordError = page.getByTestId('user-password-error');

  // Leaving a password that is too short says so at once, in words.
  await password.fill('short');
  await page.getByTestId('user-username').focus();
  await expect(passwordError).toHaveText('Use at least 12 characters.');
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await password.fill('long enough passphrase');
  await expect(passwordError).toHaveCount(0);

  await page.getByTestId('user-username').fill('two words');
  await page.getByTestId('user-add').click();
  await expect(page.getByTestId('user-username-error')).toHaveText('Use only letters, digits and . _ @ - (no spaces).');
  await expect(page.getByTestId('users-error')).toHaveCount(0);
  await expect(page.getByTestId('users-empty')).toBeVisible();

  await page.getByTestId('user-username').fill('nora');
  await expect(page.getByTestId('user-username-error')).toHaveCount(0);
  await page.getByTestId('user-add').click();
  await expect(page.getByTestId('user-row').filter({ hasText: 'nora' })).toBeVisible();

  // The server's refusal (a taken name) also shows next to the field, once, and goes when the name changes.
  await page.getByTestId('user-username').fill('nora');
  await page.getByTestId('user-password').fill('another long passphrase');
  await page.getByTestId('user-add').click();
  await expect(page.getByTestId('user-username-error')).toContainText('already has a role in this workspace');
  await expect(page.getByTestId('users-error')).toHaveCount(0);
  await page.getByTestId('user-username').fill('nora2');
  await expect(page.getByTestId('user-username-error')).toHaveCount(0);
});

test('API key: a missing name and scope are named next to their fields, and clear as they are given', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-tab-api-keys').click();
  await page.getByTestId('apikey-create').click();
  await expect(page.getByTestId('apikey-name-error')).toHaveText('Enter a name, e.g. what the script does.');
  await expect(page.getByTestId('apikey-scopes-error')).toHaveText('Choose at least one scope.');
  await expect(page.getByTestId('apikeys-error')).toHaveCount(0);

  await page.getByTestId('apikey-name').fill('report script');
  await expect(page.getByTestId('apikey-name-error')).toHaveCount(0);
  await page.getByTestId('apikey-scope-audit:read').check();
  await expect(page.getByTestId('apikey-scopes-error')).toHaveCount(0);
  await page.getByTestId('apikey-create').click();
  await expect(page.getByTestId('apikey-value')).toBeVisible();
});

test('workspace: an empty or taken name is explained next to the field, and the message goes when it is edited', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('workspace-create').click();
  await expect(page.getByTestId('workspace-error')).toHaveText('Enter a name for the workspace.');
  await page.getByTestId('workspace-name-input').fill('DEFAULT');
  await expect(page.getByTestId('workspace-error')).toHaveCount(0);
  await page.getByTestId('workspace-create').click();
  await expect(page.getByTestId('workspace-error')).toHaveCount(1);
  await expect(page.getByTestId('workspace-error')).toContainText('already exists');
  await expect(page.getByTestId('workspace-error')).not.toContainText('name:');
  await page.getByTestId('workspace-name-input').fill('Finance');
  await expect(page.getByTestId('workspace-error')).toHaveCount(0);
});

test('new S3 datastore: missing settings are named next to their fields before anything is sent', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-datastores').click();
  await page.getByTestId('datastore-new').click();
  await page.getByTestId('datastore-name').fill('Reports bucket');
  await page.getByTestId('datastore-backend').selectOption('s3');
  await page.getByTestId('datastore-s3-bucket').fill('ab');
  await page.getByTestId('datastore-s3-region').fill('EU-West');
  await page.getByTestId('datastore-create').click();
  await expect(page.getByTestId('datastore-s3-bucket-error')).toHaveText('A bucket name has 3 to 63 characters.');
  await expect(page.getByTestId('datastore-s3-region-error')).toHaveText('Use lowercase letters, digits and dashes, e.g. us-east-1.');
  await expect(page.getByTestId('datastore-s3-accessKeyId-error')).toHaveText('Enter the access key id.');
  await expect(page.getByTestId('datastore-s3-secretAccessKey-error')).toHaveText('Enter the secret access key.');
  await expect(page.getByTestId('datastore-create-error')).toHaveCount(0);
  await expect(page.getByTestId('datastore-create-dialog')).toBeVisible();

  await page.getByTestId('datastore-s3-bucket').fill('reports');
  await expect(page.getByTestId('datastore-s3-bucket-error')).toHaveCount(0);
  await page.getByTestId('datastore-s3-region').fill('eu-west-1');
  await expect(page.getByTestId('datastore-s3-region-error')).toHaveCount(0);
});
