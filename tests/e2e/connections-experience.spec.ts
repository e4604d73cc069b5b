import { test, expect, openConsole } from './fixtures';
import { consoleIpc } from './console-ipc';
import { startFakeProviders } from '../fakes/fake-providers';

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

test('one opening of the detail logs one connection.accessed, whatever it reloads: Test, Edit and save, a change pushed from elsewhere', async ({ page, console: c }) => {
  const fake = await startFakeProviders();
  try {
    await openConsole(page, c);
    const workspaceId = await page.getByTestId('workspace-switcher').inputValue();
    const created = await consoleIpc<{ id: string }>(page, c, 'connections:create', {
      workspaceId,
      name: 'PD live',
      provider: 'pagerduty',
      authType: 'apikey',
      credential: fake.good.pagerduty,
      settings: fake.settings('pagerduty'),
    });
    const accessed = async () =>
      (await consoleIpc<{ items: unknown[] }>(page, c, 'audit:list', { workspaceId, action: 'connection.accessed' })).items.length;

    await page.getByTestId('nav-connections').click();
    await page.getByTestId('connection-row').first().click();
    await page.getByTestId('connection-summary').getByTestId('connection-open-detail').click();
    const detail = page.getByTestId('connection-detail');
    await expect(detail.getByTestId('connection-detail-name')).toHaveText('PD live');

    await detail.getByTestId('connection-test').click();
    await expect(detail.getByTestId('connection-last-test')).toHaveAttribute('data-outcome', 'valid');

    await detail.getByTestId('connection-edit').click();
    await detail.getByTestId('edit-field-name').fill('PD renamed');
    await detail.getByTestId('connection-edit-save').click();
    await expect(detail.getByTestId('connection-detail-name')).toHaveText('PD renamed');

    // Another client renames it: the push reloads the open detail, still the same opening.
    await consoleIpc(page, c, 'connections:update', { workspaceId, id: created.id, name: 'PD pushed' });
    await expect(detail.getByTestId('connection-detail-name')).toHaveText('PD pushed');
    expect(await accessed()).toBe(1);

    // Closing and opening again is a new opening: one more row.
    await detail.getByTestId('connection-detail-close').click();
    await page.getByTestId('connection-summary').getByTestId('connection-open-detail').click();
    await expect(detail.getByTestId('connection-detail-name')).toHaveText('PD pushed');
    expect(await accessed()).toBe(2);
  } finally {
    await fake.close();
  }
});

test('form problems are in plain words next to the field, shown on leaving it, cleared on retry; never twice; hints fit the provider', async ({ page, console: c }) => {
  await openConsole(page, c);
  const workspaceId = await page.getByTestId('workspace-switcher').inputValue();
  await consoleIpc(page, c, 'connections:create', { workspaceId, name: 'Jira prod', provider: 'pagerduty', authType: 'apikey', credential: 'pd-key' });
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('connection-new').click();
  await page.getByTestId('wizard-provider-jira').click();
  const wizard = page.getByTestId('connection-wizard');

  // Leaving a field with a wrong value says so before Save; typing again clears it.
  await wizard.getByTestId('wizard-field-siteUrl').fill('jira.example.com');
  await wizard.getByTestId('wizard-field-email').focus();
  const siteError = wizard.getByTestId('wizard-error-siteUrl');
  await expect(siteError).toHaveText('Enter a full address starting with https://, for example https://your-site.atlassian.net.');
  await wizard.getByTestId('wizard-field-siteUrl').fill('https://acme.atlassian.net');
  await expect(siteError).toHaveCount(0);

  // Save with the rest missing: each problem once, beside its field, in the words of the form.
  await wizard.getByTestId('wizard-save').click();
  await expect(wizard.getByTestId('wizard-error-email')).toHaveText('Enter the account email, for example you@example.com.');
  await expect(wizard.getByTestId('wizard-error-credential')).toHaveText('Enter the API token.');
  await expect(wizard).not.toContainText('settings.');
  await expect(wizard).not.toContainText('is required for Jira');

  // The base URL hint is Jira's own: no "GitHub Enterprise" example here.
  await wizard.getByText('Advanced').click();
  await expect(wizard).toContainText('Empty uses the site URL above.');
  await expect(wizard).not.toContainText('GitHub Enterprise');

  // A refusal from the core about a field (the name is taken) is shown there only, not again in a banner.
  await wizard.getByTestId('wizard-field-name').fill('Jira prod');
  await wizard.getByTestId('wizard-field-email').fill('me@acme.example');
  await wizard.getByTestId('wizard-field-credential').fill('jira-token');
  await wizard.getByTestId('wizard-save').click();
  await expect(wizard.getByTestId('wizard-error-name')).toContainText('A connection named "Jira prod" already exists');
  await expect(wizard.getByRole('alert')).toHaveCount(0);
  await expect(wizard.getByText('already exists')).toHaveCount(1);
  await wizard.getByTestId('wizard-field-name').fill('Jira staging');
  await expect(wizard.getByTestId('wizard-error-name')).toHaveCount(0);
  await wizard.getByTestId('wizard-cancel').click();

  // Snowflake: a wrong key is one message, beside the key.
  await page.getByTestId('connection-new').click();
  await page.getByTestId('wizard-provider-snowflake').click();
  await wizard.getByTestId('wizard-field-account').fill('myorg-acct');
  await wizard.getByTestId('wizard-field-user').fill('svc');
  await wizard.getByTestId('wizard-field-credential').fill('not a key');
  await wizard.getByTestId('wizard-save').click();
  const keyError = wizard.getByTestId('wizard-error-credential');
  await expect(keyError).toHaveText('Paste the whole private key, from -----BEGIN PRIVATE KEY----- (or ENCRYPTED PRIVATE KEY) to its END line.');
  await expect(wizard.getByText('Paste the whole private key')).toHaveCount(1);
  await expect(wizard.getByRole('alert')).toHaveCount(0);

  // GitHub's hint does name GitHub Enterprise Server.
  await wizard.getByTestId('wizard-change-provider').click();
  await wizard.getByTestId('wizard-provider-github').click();
  await wizard.getByText('Advanced: API address').click();
  await expect(wizard).toContainText('For GitHub Enterprise Server');
});
