import { test, expect, openConsole } from './fixtures';
import { consoleIpc as ipc } from './console-ipc';
import { startFakeProviders, type FakeProviders } from '../fakes/fake-providers';

let fake: FakeProviders;
test.beforeEach(async () => {
  fake = await startFakeProviders();
});
test.afterEach(async () => {
  await fake.close();
});

test('a connection shows its secret by name with a link; when the secret is force-deleted it turns error with a "choose a secret" fix', async ({ page, console: c }) => {
  await openConsole(page, c);
  const workspaceId = await page.getByTestId('workspace-switcher').inputValue();
  const secret = await ipc<{ id: string }>(page, c, 'secrets:create', { workspaceId, name: 'datadog-key-1', value: fake.good.datadog });
  await ipc(page, c, 'secrets:create', { workspaceId, name: 'datadog-key-2', value: fake.good.datadog });
  await ipc(page, c, 'connections:create', {
    workspaceId,
    name: 'Datadog via a secret',
    provider: 'datadog',
    authType: 'apikey',
    credentialSecretId: secret.id,
    settings: { site: 'datadoghq.com', baseUrl: fake.baseUrl('datadog') },
  });

  await page.getByTestId('nav-connections').click();
  await page.getByTestId('connection-row').filter({ hasText: 'Datadog via a secret' }).click();
  await page.getByTestId('connection-open-detail').click();
  const detail = page.getByTestId('connection-detail');
  const link = detail.getByTestId('connection-credential-secret');
  await expect(link).toHaveText('datadog-key-1');
  await expect(detail.getByTestId('connection-credential-source')).not.toContainText(secret.id);

  // The link opens the secret; there it is force-deleted, which clears the reference.
  await link.click();
  await expect(page.getByTestId('secret-detail-name')).toHaveText('datadog-key-1');
  await page.getByTestId('secret-delete').click();
  await page.getByTestId('secret-delete-force').check();
  await page.getByTestId('secret-delete-confirm').click();
  await expect(page.getByTestId('secret-detail')).toHaveCount(0);

  await page.getByTestId('nav-connections').click();
  const row = page.getByTestId('connection-row').filter({ hasText: 'Datadog via a secret' });
  await expect(row).toHaveAttribute('data-status', 'error');
  await row.click();
  await page.getByTestId('connection-open-detail').click();
  await expect(detail.getByTestId('connection-status')).toHaveAttribute('data-status', 'error');
  await expect(detail.getByTestId('connection-secret-deleted')).toContainText('Choose a secret');
  await expect(detail.getByTestId('connection-credential-source')).toHaveText('none');
  await detail.getByTestId('connection-choose-secret').click();
  await expect(detail.getByTestId('connection-credential-input')).toBeVisible();

  // Choosing another secret: tested at once, and the valid test brings it back to active.
  await detail.getByTestId('connection-credential-secret-select').selectOption({ label: 'datadog-key-2' });
  await detail.getByTestId('connection-credential-save').click();
  await expect(detail.getByTestId('connection-credential-secret')).toHaveText('datadog-key-2');
  await expect(detail.getByTestId('connection-last-test')).toHaveAttribute('data-outcome', 'valid');
  await expect(detail.getByTestId('connection-status')).toHaveAttribute('data-status', 'active');
  await expect(detail.getByTestId('connection-secret-deleted')).toHaveCount(0);
});
