import type { Page } from '@playwright/test';
import { test, expect, openConsole } from './fixtures';
import { openFirstItem, openScreen, PRIMARY, SCREENS, seedSampleData } from './screens';

// The app at 900×700 (the smallest window the docs support): no sideways scroll anywhere, every action on screen,
// the sidebar collapsed to icons; and the keyboard: focus back to the opener of a dialog, arrow keys in a list,
// the shortcuts and their "?" sheet.

const VIEWPORT = { width: 900, height: 700 };
test.use({ viewport: VIEWPORT });

/** The document, <body>, <main> and every scrolling pane inside it: nothing wider than its box. */
async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const over = await page.evaluate(() => {
    const panes = [document.documentElement, document.body, ...document.querySelectorAll<HTMLElement>('main, main *')].filter(
      (el) => el === document.documentElement || el === document.body || el.tagName === 'MAIN' || /auto|scroll/.test(getComputedStyle(el).overflowX),
    );
    return panes
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}: ${el.scrollWidth} > ${el.clientWidth}`);
  });
  expect(over, `${where}: sideways scroll`).toEqual([]);
}

/** Every visible control in the sidebar and the screen lies inside the window's width (none cut off at the right). */
async function expectControlsOnScreen(page: Page, where: string): Promise<void> {
  const off = await page.evaluate((width) => {
    const controls = [...document.querySelectorAll<HTMLElement>('nav button, main button, main a, main input, main select, main textarea')];
    return controls
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && el.closest('.obj-scroll, .virtual-list') === null)
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.left < -0.5 || r.right > width + 0.5))
      .map(({ el, r }) => `${el.dataset.testid ?? el.textContent?.trim().slice(0, 30)}: ${Math.round(r.left)}..${Math.round(r.right)}`);
  }, VIEWPORT.width);
  expect(off, `${where}: controls off-screen`).toEqual([]);
}

test('at 900×700 every screen fits: no sideways scroll, every action on screen and clickable', async ({ page, console: c }) => {
  test.slow();
  await seedSampleData(c);
  await openConsole(page, c);
  // Narrow: the sidebar starts collapsed to icons; each entry keeps its name for assistive tech.
  await expect(page.getByTestId('sidebar')).toHaveClass(/collapsed/);
  await expect(page.getByRole('button', { name: 'Secrets' })).toBeVisible();

  for (const screen of SCREENS) {
    await openScreen(page, screen);
    await openFirstItem(page, screen);
    await expectNoSidewaysScroll(page, screen);
    await expectControlsOnScreen(page, screen);
    const primary = PRIMARY[screen];
    if (primary) {
      await expect(page.getByTestId(primary)).toBeInViewport();
      await page.getByTestId(primary).click({ trial: true }); // visible, enabled, not covered
    }
  }
  // Detail actions stay reachable beside a long name.
  await openScreen(page, 'connections');
  await page.getByTestId('connection-row').first().click();
  await page.getByTestId('connection-open-detail').click();
  await expect(page.getByTestId('connection-detail-close')).toBeInViewport();
  await page.getByTestId('connection-detail-close').click({ trial: true });

  // The sidebar opened by its toggle: still nothing scrolls sideways, and it collapses again.
  await page.getByTestId('sidebar-toggle').click();
  await expect(page.getByTestId('sidebar')).not.toHaveClass(/collapsed/);
  await expect(page.getByTestId('workspace-switcher')).toBeVisible();
  for (const screen of SCREENS) {
    await openScreen(page, screen);
    await openFirstItem(page, screen);
    await expectNoSidewaysScroll(page, `${screen} with the sidebar open`);
    await expectControlsOnScreen(page, `${screen} with the sidebar open`);
  }
  await page.getByTestId('sidebar-toggle').click();
  await expect(page.getByTestId('sidebar')).toHaveClass(/collapsed/);
});

test('focus returns to the control that opened a dialog (Escape and Cancel)', async ({ page, console: c }) => {
  await seedSampleData(c);
  await openConsole(page, c);
  await openScreen(page, 'secrets');
  await page.getByTestId('secret-new').click();
  await expect(page.getByTestId('secret-name-input')).toBeFocused();
  // Radio buttons sit beside their labels (one line), not above them.
  const radio = page.getByTestId('value-mode-generate');
  const [rb, lb] = [await radio.boundingBox(), await page.locator('label', { has: radio }).boundingBox()];
  expect(lb!.height).toBeLessThan(rb!.height * 2);
  expect(lb!.width).toBeGreaterThan(rb!.width * 3);
  await page.keyboard.press('Escape');
  await expect(page.locator('.modal')).toHaveCount(0);
  await expect(page.getByTestId('secret-new')).toBeFocused();

  await openFirstItem(page, 'secrets');
  await page.getByTestId('secret-delete').click();
  await expect(page.getByTestId('confirm-cancel')).toBeFocused();
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('secret-delete')).toBeFocused();
});

test('a list is one Tab stop and arrow keys move in it', async ({ page, console: c }) => {
  await seedSampleData(c);
  await openConsole(page, c);
  await openScreen(page, 'secrets');
  const rows = page.getByTestId('secret-row');
  await expect(rows).toHaveCount(3);
  // Tab from the search box lands on the list once (the first row), not on each row.
  await page.getByTestId('secret-search').focus();
  await page.keyboard.press('Tab');
  await expect(rows.nth(0)).toBeFocused();
  await expect(page.locator('[data-testid="secret-row"][tabindex="0"]')).toHaveCount(1);
  await page.keyboard.press('ArrowDown');
  await expect(rows.nth(1)).toBeFocused();
  await page.keyboard.press('End');
  await expect(rows.nth(2)).toBeFocused();
  await page.keyboard.press('Home');
  await expect(rows.nth(0)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('secret-detail-name')).toHaveText(await rows.nth(1).getAttribute('data-name') ?? '');
  // Tab leaves the list (the next control is not another row).
  await page.keyboard.press('Shift+Tab');
  await expect(rows.nth(1)).not.toBeFocused();
  await expect(page.locator('[data-testid="secret-row"]:focus')).toHaveCount(0);

  // The connections table: rows are not buttons, Enter opens the focused one.
  await openScreen(page, 'connections');
  const crow = page.getByTestId('connection-row');
  await crow.first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(crow.nth(1)).toBeFocused();
  await page.keyboard.press('Enter');
  // Enter selects the row: its summary (reading the audited detail record takes "Open details").
  await expect(page.getByTestId('connection-summary-name')).toHaveText('Jira service desk');
});

test('shortcuts: N opens "new", / goes to search, ? lists them all', async ({ page, console: c }) => {
  await seedSampleData(c);
  await openConsole(page, c);
  await openScreen(page, 'secrets');
  await page.locator('body').press('n');
  await expect(page.getByTestId('secret-create-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('secret-create-dialog')).toHaveCount(0);
  // Typing "n" in a field is a letter, not a shortcut.
  await page.getByTestId('secret-search').fill('');
  await page.getByTestId('secret-search').press('n');
  await expect(page.getByTestId('secret-create-dialog')).toHaveCount(0);
  await expect(page.getByTestId('secret-search')).toHaveValue('n');

  await openScreen(page, 'connections');
  await page.locator('body').press('/');
  await expect(page.getByTestId('connections-search')).toBeFocused();

  // The tooltip of the primary action names its shortcut.
  await page.getByTestId('connection-new').hover();
  await expect(page.getByRole('tooltip')).toContainText('N');

  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.locator('body').press('?');
  const sheet = page.getByTestId('shortcuts-dialog');
  await expect(sheet).toBeVisible();
  for (const key of ['Ctrl+N', '/', 'Ctrl+F', 'Ctrl+L', '?', 'Home']) await expect(sheet.locator('kbd', { hasText: key }).first()).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);
});
