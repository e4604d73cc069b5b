/// <reference lib="dom" />
import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, openConsole } from './fixtures';

const CSV = 'customer,amount\nacme,12\nglobex,7\n'.repeat(40_000); // ~1.2 MB: progress has something to show

/** Every URL the page requests, without its fragment (a fragment is never sent: `#token=` of the printed URL stays in the tab). */
function watchRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url().split('#')[0]!));
  return urls;
}

/** Issue 14, item 5: no URL the console requests holds a credential; links and the event stream carry tickets. */
function expectNoCredentialInUrls(urls: string[], secrets: string[]): void {
  expect(urls.some((u) => /\/ipc-events\?ticket=[\w-]+\.[\w-]+$/.test(u)), 'the event stream opens with a ticket').toBe(true);
  for (const u of urls) {
    for (const s of secrets) {
      expect(u).not.toContain(s);
      expect(u).not.toContain(encodeURIComponent(s));
    }
    expect(u).not.toMatch(/[?&](token|user)=/);
  }
}

test('drag two files and a folder onto a datastore, browse, download, delete and see it audited', async ({ page, console: c }) => {
  const urls = watchRequests(page);
  await openConsole(page, c);
  await page.getByTestId('nav-datastores').click();
  await expect(page.getByTestId('datastores-empty')).toBeVisible();
  await page.getByTestId('datastore-new').click();
  await page.getByTestId('datastore-name').fill('Drops');
  await page.getByTestId('datastore-create').click();
  await expect(page.getByTestId('browser-title')).toHaveText('Drops');
  await expect(page.getByTestId('objects-empty')).toBeVisible();

  // A drop as Chromium delivers it: two files from a real DataTransfer, plus a folder entry (photos/ with a
  // subfolder) of the File and Directory Entries API, which a script cannot put in a DataTransfer itself.
  await page.evaluate((csv) => {
    const real = new DataTransfer();
    real.items.add(new File([csv], 'report.csv', { type: 'text/csv' }));
    real.items.add(new File(['hello from a dropped file\n'], 'notes.txt', { type: 'text/plain' }));
    type E = { isFile: boolean; isDirectory: boolean; name: string; file?: (ok: (f: File) => void) => void; createReader?: () => unknown };
    const fileEntry = (f: File): E => ({ isFile: true, isDirectory: false, name: f.name, file: (ok) => ok(f) });
    const dirEntry = (name: string, children: E[]): E => ({
      isFile: false,
      isDirectory: true,
      name,
      createReader: () => {
        let given = false;
        return { readEntries: (ok: (e: E[]) => void) => ok(given ? [] : ((given = true), children)) };
      },
    });
    const folder = dirEntry('photos', [
      fileEntry(new File(['{"camera":"x100","iso":200}'], 'meta.json', { type: 'application/json' })),
      dirEntry('2026', [fileEntry(new File(['img'], 'one.txt', { type: 'text/plain' }))]),
    ]);
    const items = [...Array.from(real.items), { kind: 'file', webkitGetAsEntry: () => folder, getAsFile: () => null }];
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', { value: { items, files: real.files, types: ['Files'] } });
    document.querySelector('[data-testid="dropzone"]')!.dispatchEvent(drop);
  }, CSV);

  const panel = page.getByTestId('upload-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('upload-row')).toHaveCount(4);
  await expect(page.getByTestId('upload-summary')).toHaveText('4 uploaded · 0 skipped · 0 cancelled · 0 failed');
  await expect(page.getByTestId('upload-overall')).toHaveAttribute('aria-valuenow', '100');
  for (const key of ['report.csv', 'notes.txt', 'photos/meta.json', 'photos/2026/one.txt']) {
    await expect(panel.locator(`[data-testid="upload-row"][data-key="${key}"]`)).toHaveAttribute('data-state', 'done');
  }

  // Listed as folders and objects.
  await expect(page.getByTestId('object-row')).toHaveText(['notes.txt', 'report.csv']);
  await expect(page.getByTestId('folder-row')).toHaveText(['photos/']);
  await page.getByTestId('folder-row').click();
  await expect(page.getByTestId('object-row')).toHaveText(['meta.json']);
  await expect(page.getByTestId('folder-row')).toHaveText(['2026/']);
  await page.getByTestId('crumb-root').click();

  // Download one and compare bytes.
  const row = page.locator('.obj-row', { has: page.locator('[data-key="report.csv"]') });
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('object-download').click()]);
  expect(download.suggestedFilename()).toBe('report.csv');
  expect(fs.readFileSync((await download.path())!, 'utf8')).toBe(CSV);

  // Preview a text object.
  await page.locator('[data-key="notes.txt"]').first().click();
  await expect(page.getByTestId('preview-text')).toHaveText('hello from a dropped file\n');
  await page.keyboard.press('Escape');

  // Delete one, with confirmation, and find it in the audit log.
  await page.locator('.obj-row', { has: page.locator('[data-key="notes.txt"]') }).getByTestId('object-delete').click();
  await page.getByTestId('object-delete-confirm').click();
  await expect(page.getByTestId('object-row')).toHaveText(['report.csv']);
  await page.getByTestId('nav-audit').click();
  await expect(page.locator('[data-testid="audit-row"][data-action="datastore.object_deleted"]')).toHaveCount(1);

  // The download link carried a ticket; no URL carried the console token.
  expect(urls.filter((u) => u.includes('/console/datastores/') && u.includes('/object?')).every((u) => /&ticket=[\w-]+\.[\w-]+$/.test(u))).toBe(true);
  expectNoCredentialInUrls(urls, [c.token]);
});

test("as a signed-in viewer: the download and the pushes work, and neither the console token nor the viewer's JWT is ever in a URL", async ({ page, console: c }) => {
  const bridge = async (channel: string, input?: unknown) => {
    const r = await fetch(`${c.baseUrl}/ipc/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-console-token': c.token },
      body: JSON.stringify({ input }),
    });
    const out = (await r.json()) as { ok: boolean; value: { id: string }[] & { id: string } };
    expect(out.ok, channel).toBe(true);
    return out.value;
  };
  const ws = (await bridge('workspaces:list'))[0]!.id;
  await bridge('users:create', { workspaceId: ws, username: 'vera', password: 'viewer passphrase 2026', role: 'viewer' });
  const ds = await bridge('datastores:create', { workspaceId: ws, name: 'Shared' });
  await bridge('datastores:objects:putText', { workspaceId: ws, datastoreId: ds.id, key: 'notes/readme.txt', content: 'read me\n' });

  const urls = watchRequests(page);
  await openConsole(page, c);
  await page.getByTestId('sign-in-open').click();
  await page.getByTestId('sign-in-username').fill('vera');
  await page.getByTestId('sign-in-password').fill('viewer passphrase 2026');
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-role')).toHaveText('viewer');
  const jwt = (await page.evaluate(() => window.sessionStorage.getItem('provenance.userToken')))!;
  expect(jwt).toMatch(/^ey/);

  await page.getByTestId('nav-datastores').click();
  await page.getByTestId('datastore-item').filter({ hasText: 'Shared' }).click();
  await page.getByTestId('folder-row').click();
  const row = page.locator('.obj-row', { has: page.locator('[data-key="notes/readme.txt"]') });
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('object-download').click()]);
  expect(download.suggestedFilename()).toBe('readme.txt');
  expect(fs.readFileSync((await download.path())!, 'utf8')).toBe('read me\n');

  // A datastore created elsewhere appears without a reload: the push came over the ticket-opened event stream.
  await bridge('datastores:create', { workspaceId: ws, name: 'Pushed' });
  await expect(page.getByTestId('datastore-item').filter({ hasText: 'Pushed' })).toBeVisible();

  expectNoCredentialInUrls(urls, [c.token, jwt]);
});

test('a conflicting drop asks first, and “keep both” keeps both', async ({ page, console: c }) => {
  await openConsole(page, c);
  await page.getByTestId('nav-datastores').click();
  await page.getByTestId('datastore-new').click();
  await page.getByTestId('datastore-name').fill('Twice');
  await page.getByTestId('datastore-create').click();
  await expect(page.getByTestId('objects-empty')).toBeVisible();
  const dropOne = (text: string) =>
    page.evaluate((t) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], 'same.txt', { type: 'text/plain' }));
      const drop = new Event('drop', { bubbles: true, cancelable: true });
      Object.defineProperty(drop, 'dataTransfer', { value: dt });
      document.querySelector('[data-testid="dropzone"]')!.dispatchEvent(drop);
    }, text);
  await dropOne('first');
  await expect(page.getByTestId('object-row')).toHaveText(['same.txt']);
  await dropOne('second');
  await expect(page.getByTestId('conflict-dialog')).toContainText('same.txt');
  await page.getByTestId('conflict-keep-both').click();
  await expect(page.getByTestId('object-row')).toHaveText(['same (1).txt', 'same.txt']);
});

test('an admin picks a folder, and re-attaches it after typing the name; both audited', async ({ page, console: c }) => {
  const parent = fs.mkdtempSync(`${c.dataDir}-folders-`);
  try {
    await openConsole(page, c);
    await page.getByTestId('nav-datastores').click();
    await page.getByTestId('datastore-new').click();
    await page.getByTestId('datastore-name').fill('Chosen');
    await page.getByTestId('datastore-path').fill(`${parent}/chosen`);
    await page.getByTestId('datastore-create').click();
    await expect(page.getByTestId('browser-title')).toHaveText('Chosen');
    expect(JSON.parse(fs.readFileSync(`${parent}/chosen/.provenance-datastore`, 'utf8'))).toMatchObject({ datastoreId: expect.any(String) });

    // A folder that is not free is refused with a clear message, and nothing is created.
    await page.getByTestId('datastore-new').click();
    await page.getByTestId('datastore-name').fill('Adopter');
    await page.getByTestId('datastore-path').fill(`${parent}/chosen`);
    await page.getByTestId('datastore-create').click();
    await expect(page.getByTestId('datastore-path-error')).toContainText("another datastore's");
    await page.keyboard.press('Escape');

    await page.getByTestId('datastore-reattach').click();
    const confirm = page.getByTestId('datastore-reattach-confirm');
    await expect(confirm).toBeDisabled();
    await page.getByTestId('datastore-reattach-name').fill('Chosen');
    await confirm.click();
    await expect(page.getByTestId('datastore-reattach-dialog')).toHaveCount(0);
    await expect(page.getByTestId('datastore-problem')).toHaveCount(0);
    await page.getByTestId('nav-audit').click();
    await expect(page.locator('[data-testid="audit-row"][data-action="datastore.folder_reattached"]')).toHaveCount(1);
  } finally {
    fs.rmSync(parent, { recursive: true, force: true });
  }
});
