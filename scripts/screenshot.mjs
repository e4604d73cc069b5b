// Regenerates docs/screenshot.png (`node scripts/screenshot.mjs`, the audit screen) and docs/screenshot-workflows.png
// (`node scripts/screenshot.mjs workflows`: a finished run of a sample workflow): starts the headless console on a temp
// data dir, adds a little sample data through the UI's own channels, and captures the window in Debian's Chromium.
// Run after `npm run build`, with a keychain for the vault: `bash scripts/with-keyring.sh node scripts/screenshot.mjs`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';

const screen = process.argv[2] ?? 'audit';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'p1-shot-'));
const child = spawn(process.execPath, ['out/main/headless.js', '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
// Whatever happens below, the console goes with this script.
process.on('exit', () => child.kill('SIGTERM'));
const url = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (b) => {
    out += b;
    const m = /console ready: (\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  child.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
});
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
if (screen === 'workflows') {
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
const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'light' });
await page.goto(url);
await page.waitForSelector('[data-app-state="loaded"]');
await page.getByTestId(`nav-${screen}`).click();
if (workflowId) {
  await page.getByTestId('workflow-row').first().click();
  await page.getByTestId('workflow-detail').getByTestId('workflow-run').click();
  await page.locator('[data-testid="run-view"][data-status="succeeded"]').waitFor({ timeout: 20_000 });
}
await page.waitForTimeout(300); // let the screen's first load settle; this is a picture, not a test
fs.mkdirSync('docs', { recursive: true });
const file = screen === 'audit' ? 'docs/screenshot.png' : `docs/screenshot-${screen}.png`;
await page.screenshot({ path: file });
await browser.close();
child.kill('SIGTERM');
console.log(`wrote ${file}`);
