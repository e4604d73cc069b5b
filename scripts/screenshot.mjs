// Regenerates the README's pictures from the built app (`npm run build` first, with a keychain for the vault:
// `bash scripts/with-keyring.sh node scripts/screenshot.mjs [all|audit|workflows]`):
// - `all` (the default): every screen in light and dark, docs/screenshots/<screen>-<theme>.png (each screen with its
//   first item open, a finished workflow run, vault setup and the locked vault), then the two below;
// - `audit`: docs/screenshot.png (the audit screen); `workflows`: docs/screenshot-workflows.png (a finished run).
// It starts the headless console on a temp data dir, adds a little sample data through the UI's own channels, and
// captures the window in Debian's Chromium.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';

const mode = process.argv[2] ?? 'all';
const children = [];
// Whatever happens below, the consoles go with this script.
process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')));

/** A console on a fresh temp data dir; `env` e.g. points D-Bus nowhere for a passphrase vault. */
async function startConsole(env = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'p1-shot-'));
  const child = spawn(process.execPath, ['out/main/headless.js', '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
      const m = /console ready: (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
  });
}
const url = await startConsole();
const { origin, hash } = new URL(url);
const token = hash.replace('#token=', '');
const call = async (channel, input) =>
  (await fetch(`${origin}/ipc/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-console-token': token }, body: JSON.stringify({ input }) })).json();
for (const name of ['Payments', 'Data platform']) await call('workspaces:create', { name });
const ws = (await call('workspaces:list')).value[0].id;
const unreachable = { baseUrl: 'http://127.0.0.1:9' };
await call('connections:create', { workspaceId: ws, name: 'Datadog production', provider: 'datadog', authType: 'apikey', credential: 'example-api-key-0000000000', settings: { site: 'datadoghq.eu', ...unreachable } });
await call('connections:create', { workspaceId: ws, name: 'Jira service desk', provider: 'jira', authType: 'apikey', credential: 'example-token-000000', settings: { siteUrl: 'https://acme.atlassian.net', email: 'ops@acme.example', ...unreachable } });
const pd = await call('connections:create', { workspaceId: ws, name: 'PagerDuty on-call', provider: 'pagerduty', authType: 'apikey', credential: 'example-key-0000000000', settings: unreachable });
if (pd.ok) await call('connections:update', { workspaceId: ws, id: pd.value.id, status: 'paused' });
for (const name of ['stripe-live-key', 'warehouse-password', 'slack-signing-secret']) {
  await call('secrets:create', { workspaceId: ws, name, value: `example-${name}`, description: 'sample data' });
}

let workflowId = null;
{
  const ds = await call('datastores:create', { workspaceId: ws, name: 'Reports' });
  if (!ds.ok) throw new Error(`sample datastore refused: ${JSON.stringify(ds.error)}`);
  await call('datastores:objects:putText', { workspaceId: ws, datastoreId: ds.value.id, key: 'in/orders.csv', content: 'id,amount\n1,120\n2,80\n3,45\n', contentType: 'text/csv' });
  const wf = await call('workflows:create', {
    workspaceId: ws,
    definition: {
      name: 'Daily order totals',
      description: 'Reads the day\'s orders, totals them, writes a summary back',
      schedule: '0 6 * * *',
      steps: [
        { id: 'read', kind: 'storage', config: { action: 'get', datastoreId: ds.value.id, key: 'in/orders.csv' } },
        { id: 'total', kind: 'transform', needs: ['read'], config: { expression: '$sum($map($split(context.fileContent, "\n")[$ != "" and $ != "id,amount"], function($l){ $number($split($l, ",")[1]) }))' } },
        { id: 'summary', kind: 'transform', needs: ['total'], config: { expression: '{"orders": 3, "total": steps.total.output}' } },
        { id: 'write', kind: 'storage', needs: ['summary'], config: { action: 'put', datastoreId: ds.value.id, key: 'out/summary.json' } },
      ],
    },
  });
  if (!wf.ok) throw new Error(`sample workflow refused: ${JSON.stringify(wf.error)}`);
  workflowId = wf.value.id;
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
const VIEWPORT = { width: 1280, height: 760 };

/** A page in `theme` (the app follows the OS scheme unless Settings chose one) with the app loaded. */
async function openApp(appUrl, theme) {
  const page = await browser.newPage({ viewport: VIEWPORT, colorScheme: theme });
  await page.goto(appUrl);
  await page.waitForSelector('[data-app-state="loaded"]');
  return page;
}

/** A sidebar screen with its first item open (a finished run for workflows). */
async function showScreen(page, screen) {
  await page.getByTestId(`nav-${screen}`).click();
  await page.getByTestId(`screen-${screen}`).waitFor();
  if (screen === 'connections') {
    await page.getByTestId('connection-row').first().click();
    await page.getByTestId('connection-open-detail').click();
  }
  if (screen === 'secrets') await page.getByTestId('secret-row').first().click();
  if (screen === 'datastores') await page.getByTestId('datastore-item').first().click();
  if (screen === 'workflows' && workflowId) {
    await page.getByTestId('workflow-row').first().click();
    await page.getByTestId('workflow-detail').getByTestId('workflow-run').click();
    await page.locator('[data-testid="run-view"][data-status="succeeded"]').waitFor({ timeout: 20_000 });
  }
  await page.waitForTimeout(300); // let the screen's first load settle; this is a picture, not a test
}

async function shoot(page, file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  console.log(`wrote ${file}`);
}

if (mode === 'all') {
  for (const theme of ['light', 'dark']) {
    const page = await openApp(url, theme);
    for (const screen of ['connections', 'secrets', 'datastores', 'workflows', 'audit', 'settings']) {
      await showScreen(page, screen);
      await shoot(page, `docs/screenshots/${screen}-${theme}.png`);
    }
    // Settings' other sections, each its own view.
    for (const section of ['vault', 'users', 'api-keys', 'oauth-apps', 'rest-api']) {
      await page.getByTestId(`settings-tab-${section}`).click();
      await page.waitForTimeout(200); // a picture, not a test
      await shoot(page, `docs/screenshots/settings-${section}-${theme}.png`);
    }
    // The creation dialog every "New …" follows, and an audit event opened in full.
    await page.getByTestId('nav-connections').click();
    await page.getByTestId('connection-new').click();
    await page.getByTestId('connection-wizard').waitFor();
    await shoot(page, `docs/screenshots/new-connection-${theme}.png`);
    await page.keyboard.press('Escape');
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-row').first().click();
    await page.locator('.modal').waitFor();
    await page.waitForTimeout(200);
    await shoot(page, `docs/screenshots/audit-event-${theme}.png`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await page.getByTestId('shortcuts-dialog').waitFor();
    await shoot(page, `docs/screenshots/shortcuts-${theme}.png`);
    await page.close();
  }
  // The vault's own screens, on a console without a keychain: setup (passphrase), then locked.
  const passphraseUrl = await startConsole({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/p1-shot-bus' });
  for (const theme of ['light', 'dark']) {
    const page = await openApp(passphraseUrl, theme);
    await page.getByTestId('vault-setup-screen').waitFor();
    await page.waitForTimeout(300);
    await shoot(page, `docs/screenshots/vault-setup-${theme}.png`);
    await page.close();
  }
  {
    const page = await openApp(passphraseUrl, 'light');
    const pass = 'screenshot passphrase 1';
    await page.getByTestId('vault-setup-mode-passphrase').check();
    await page.getByTestId('vault-setup-passphrase').fill(pass);
    await page.getByTestId('vault-setup-passphrase-confirm').fill(pass);
    await page.getByTestId('vault-setup-submit').click();
    await page.locator('[data-testid="vault-indicator"][data-vault-state="unlocked"]').waitFor({ timeout: 60_000 });
    const { origin, hash } = new URL(passphraseUrl);
    await fetch(`${origin}/ipc/vault:lock`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-console-token': hash.replace('#token=', '') }, body: '{}' });
    await page.close();
  }
  for (const theme of ['light', 'dark']) {
    const page = await openApp(passphraseUrl, theme);
    await page.getByTestId('vault-unlock-screen').waitFor();
    await page.waitForTimeout(300);
    await shoot(page, `docs/screenshots/vault-locked-${theme}.png`);
    await page.close();
  }
}
for (const screen of mode === 'all' ? ['audit', 'workflows'] : [mode]) {
  const page = await openApp(url, 'light');
  await showScreen(page, screen);
  await shoot(page, screen === 'audit' ? 'docs/screenshot.png' : `docs/screenshot-${screen}.png`);
  await page.close();
}
await browser.close();
children.forEach((c) => c.kill('SIGTERM'));
