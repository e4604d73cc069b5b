import { test, expect, openConsole } from './fixtures';

const SECTIONS = [
  ['general', 'workspace-create'],
  ['vault', 'vault-settings'],
  ['users', 'user-add'],
  ['api-keys', 'apikey-create'],
  ['oauth-apps', 'oauth-apps'],
  ['rest-api', 'rest-base-url'],
] as const;

test('Settings: one section at a time from the section list, by click or by arrow keys', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByRole('tablist', { name: 'Settings sections' })).toBeVisible();
  await expect(page.getByTestId('settings-tab-general')).toHaveAttribute('aria-selected', 'true');

  for (const [id, marker] of SECTIONS) {
    await page.getByTestId(`settings-tab-${id}`).click();
    await expect(page.getByTestId(`settings-section-${id}`)).toBeVisible();
    await expect(page.getByTestId(marker).first()).toBeVisible();
    // Beside the list, not under it: the hidden panels take no grid cell (an author display once undid `hidden`).
    const list = await page.getByRole('tablist', { name: 'Settings sections' }).boundingBox();
    const shown = await page.getByTestId(`settings-section-${id}`).boundingBox();
    expect(shown!.x).toBeGreaterThanOrEqual(list!.x + list!.width);
    expect(shown!.y).toBeLessThan(list!.y + list!.height);
    // Each section is its own view: the others are hidden and empty (their content is not rendered).
    for (const [other] of SECTIONS) {
      if (other === id) continue;
      await expect(page.getByTestId(`settings-section-${other}`)).toBeHidden();
      await expect(page.getByTestId(`settings-section-${other}`)).toBeEmpty();
    }
  }

  // The list is one Tab stop; the arrow keys move along it and show the section.
  await page.getByTestId('settings-tab-general').click();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('settings-tab-vault')).toBeFocused();
  await expect(page.getByTestId('settings-section-vault')).toBeVisible();

  // The section stays chosen when coming back to Settings.
  await page.getByTestId('nav-secrets').click();
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('settings-section-vault')).toBeVisible();
});
