import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test, expect, openConsole, type Console } from './fixtures';

/**
 * Workflows end to end (issue #15): the example workflow imported, its placeholder ids replaced with the pickers,
 * saved, run against a fake Datadog served by this test, the steps followed live; then the connection paused, the
 * run failing at that step with the docs' message, the connection resumed, and the run replayed from the failed step.
 */

const EXAMPLE = path.resolve('examples/csv-to-provider.workflow.json');
const PLACEHOLDER_DS = '00000000-0000-4000-8000-000000000001';
const PLACEHOLDER_CONN = '00000000-0000-4000-8000-000000000002';
const CSV = 'service,version\napi,1.4.2\nweb,2.0.0\n';

/** A Datadog events endpoint: `POST /api/v1/events` with the good DD-API-KEY records the event and answers 202. */
async function startFakeDatadog() {
  const key = `dd-${randomBytes(8).toString('hex')}`;
  const events: Array<{ title?: string; text?: string }> = [];
  /** While set, event posts are accepted and never answered (a provider that hangs). */
  let hang = false;
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    void (async () => {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.headers['dd-api-key'] !== key) return send(403, { errors: ['Forbidden'] });
      if (req.method === 'GET' && req.url === '/api/v1/validate') return send(200, { valid: true });
      if (req.method === 'POST' && req.url === '/api/v1/events') {
        if (hang) return void hanging.add(res);
        const event = JSON.parse(body) as { title?: string; text?: string };
        events.push(event);
        return send(202, { status: 'ok', event: { id: events.length, title: event.title } });
      }
      return send(404, { errors: ['not found'] });
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    key,
    events,
    setHang: (on: boolean) => void (hang = on),
    close: () => {
      hanging.forEach((r) => r.destroy());
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
type FakeDatadog = Awaited<ReturnType<typeof startFakeDatadog>>;

/** The console bridge (the same channels the UI calls), for the setup the test is not about. */
function bridgeOf(c: Console) {
  return async <T = { id: string }>(channel: string, input?: unknown): Promise<T> => {
    const r = await fetch(`${c.baseUrl}/ipc/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-console-token': c.token },
      body: JSON.stringify({ input }),
    });
    const out = (await r.json()) as { ok: boolean; value: T; error?: unknown };
    expect(out.ok, `${channel}: ${JSON.stringify(out.error)}`).toBe(true);
    return out.value;
  };
}

/** A datastore holding input/deploys.csv and a Datadog connection pointed at the fake. */
async function seed(c: Console, fake: FakeDatadog) {
  const bridge = bridgeOf(c);
  const ws = (await bridge<Array<{ id: string }>>('workspaces:list'))[0]!.id;
  const ds = await bridge('datastores:create', { workspaceId: ws, name: 'Deploys' });
  await bridge('datastores:objects:putText', { workspaceId: ws, datastoreId: ds.id, key: 'input/deploys.csv', content: CSV });
  const conn = await bridge('connections:create', {
    workspaceId: ws,
    name: 'Datadog e2e',
    provider: 'datadog',
    authType: 'apikey',
    credential: fake.key,
    settings: { site: 'datadoghq.com', baseUrl: fake.url },
  });
  return { bridge, ws, dsId: ds.id, connId: conn.id };
}

let fake: FakeDatadog;
test.beforeEach(async () => {
  fake = await startFakeDatadog();
});
test.afterEach(async () => {
  await fake.close();
});

test('import the example: its placeholder ids are flagged, the pickers replace them by name, the DAG shows the steps, export round-trips', async ({ page, console: c }) => {
  const { dsId, connId } = await seed(c, fake);
  await openConsole(page, c);
  await page.getByTestId('nav-workflows').click();
  await page.getByTestId('workflow-import-file').setInputFiles(EXAMPLE);

  const detail = page.getByTestId('workflow-detail');
  await expect(detail.getByTestId('workflow-detail-name')).toHaveText('CSV to provider');
  await expect(detail.getByTestId('workflow-editor')).toContainText('input/deploys.csv');
  await expect(detail.getByTestId('dag-node')).toHaveCount(4);
  await expect(detail.locator('[data-testid="workflow-issue"][data-field="steps[0].config.datastoreId"]')).toContainText(PLACEHOLDER_DS);
  await expect(detail.locator('[data-testid="workflow-issue"][data-field="steps[2].config.connectionId"]')).toContainText(PLACEHOLDER_CONN);
  await expect(detail.locator('[data-testid="workflow-issue"][data-field="steps[2].config.connectionId"]')).toContainText('in this workspace');

  await pickReferences(page);
  await expect(detail.getByTestId('workflow-issue')).toHaveCount(0);
  await expect(detail.getByTestId('workflow-valid')).toHaveText('No problems found.');
  await expect(detail.getByTestId('workflow-editor')).toContainText(dsId);

  const download = page.waitForEvent('download');
  await detail.getByTestId('workflow-export').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('CSV to provider.workflow.json');
  const exported = JSON.parse(fs.readFileSync((await file.path())!, 'utf8')) as { steps: Array<{ config: Record<string, unknown> }> };
  expect(exported.steps.map((s) => s.config.datastoreId ?? s.config.connectionId)).toEqual([dsId, undefined, connId, dsId]);
});

/**
 * Needs the workflow core (definitions, runs, the http and storage steps): it runs against the contract and the
 * issue's behaviour, and passes once the core is merged.
 */
test('run the example live; a paused connection fails its step with "connection is paused" and sends nothing; resume, replay from the failed step succeeds', async ({
  page,
  console: c,
}) => {
  const { bridge, ws, dsId } = await seed(c, fake);
  await openConsole(page, c);
  await page.getByTestId('nav-workflows').click();
  await page.getByTestId('workflow-import-file').setInputFiles(EXAMPLE);
  const detail = page.getByTestId('workflow-detail');
  await pickReferences(page);
  await expect(detail.getByTestId('workflow-valid')).toHaveText('No problems found.');
  await detail.getByTestId('workflow-save').click();
  await expect(detail).toHaveAttribute('data-workflow-id', /^[0-9a-f-]{36}$/);
  await expect(detail).toHaveAttribute('data-dirty', 'false');

  // Run 1: every step completes, followed live (pushes; the page is never reloaded).
  await detail.getByTestId('workflow-run').click();
  const runView = page.getByTestId('run-view');
  await expect(runView).toHaveAttribute('data-status', 'succeeded');
  const firstRunId = await runView.getAttribute('data-run-id');
  const step = (id: string) => runView.locator(`[data-testid="run-step"][data-step="${id}"]`);
  for (const id of ['read', 'toEvent', 'post', 'write']) await expect(step(id)).toHaveAttribute('data-status', 'succeeded');
  await expect(step('post').getByTestId('run-step-connection')).toHaveText('Datadog e2e');
  await expect(runView.locator('[data-testid="run-dag"] [data-step="post"]')).toHaveAttribute('data-status', 'succeeded');
  expect(fake.events).toEqual([expect.objectContaining({ title: 'Deploys imported: 2', text: 'api 1.4.2\nweb 2.0.0' })]);
  const written = await bridge<{ size: number }>('datastores:objects:head', { workspaceId: ws, datastoreId: dsId, key: 'output/datadog-event.json' });
  expect(written.size).toBeGreaterThan(0);
  // The credential never reaches the page.
  await expect(page.locator('body')).not.toContainText(fake.key);

  // The connection lists the workflow under "Used by"; pause it there.
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('connection-row').filter({ hasText: 'Datadog e2e' }).getByTestId('connection-open').click();
  await page.getByTestId('connection-open-detail').click();
  const conn = page.getByTestId('connection-detail');
  await expect(conn.getByTestId('used-by-workflow')).toHaveText('CSV to provider');
  await expect(conn.getByTestId('used-by-steps')).toContainText('step post');
  await conn.getByTestId('connection-pause').click();
  await expect(conn.getByTestId('connection-status')).toHaveAttribute('data-status', 'paused');

  // Back to the workflow through the "Used by" link; run 2 fails at the http step, nothing sent.
  await conn.getByTestId('used-by-workflow').click();
  await expect(detail.getByTestId('workflow-detail-name')).toHaveText('CSV to provider');
  await detail.getByTestId('workflow-run').click();
  await expect(runView).toHaveAttribute('data-status', 'failed');
  expect(await runView.getAttribute('data-run-id')).not.toBe(firstRunId);
  await expect(step('post')).toHaveAttribute('data-status', 'failed');
  await expect(step('post').getByTestId('step-error-message')).toHaveText('connection is paused');
  await expect(step('post').getByTestId('step-error-advice')).toContainText('Resume the connection in Connections');
  await expect(step('read')).toHaveAttribute('data-status', 'succeeded');
  await expect(step('write')).not.toHaveAttribute('data-status', 'succeeded');
  expect(fake.events).toHaveLength(1);

  // The error links to the connection: resume it there.
  await step('post').getByTestId('step-fix-connection').click();
  await expect(conn.getByTestId('connection-detail-name')).toHaveText('Datadog e2e');
  await conn.getByTestId('connection-resume').click();
  await expect(conn.getByTestId('connection-status')).toHaveAttribute('data-status', 'active');

  // Replay from the failed step: the steps before it are reused, the rest run again.
  await page.getByTestId('nav-workflows').click();
  await expect(runView).toHaveAttribute('data-status', 'failed');
  const failedRunId = await runView.getAttribute('data-run-id');
  await runView.getByTestId('run-replay-failed').click();
  await expect(runView).not.toHaveAttribute('data-run-id', failedRunId!);
  await expect(runView).toHaveAttribute('data-status', 'succeeded');
  await expect(step('read')).toHaveAttribute('data-status', 'reused');
  await expect(step('toEvent')).toHaveAttribute('data-status', 'reused');
  await expect(step('post')).toHaveAttribute('data-status', 'succeeded');
  await expect(step('write')).toHaveAttribute('data-status', 'succeeded');
  expect(fake.events).toHaveLength(2);

  // The workflow's Runs list: the three runs, newest first.
  await runView.getByTestId('run-back').click();
  await expect(page.getByTestId('run-row')).toHaveCount(3);
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'succeeded');
  await expect(page.getByTestId('run-row').nth(1)).toHaveAttribute('data-status', 'failed');
});

test('versions: another save shows up live, an old version is read-only, a stale save says CONFLICT and reloads; a hanging run is cancelled; delete after typing the name', async ({
  page,
  console: c,
}) => {
  const { bridge, ws } = await seed(c, fake);
  await openConsole(page, c);
  await page.getByTestId('nav-workflows').click();
  await page.getByTestId('workflow-import-file').setInputFiles(EXAMPLE);
  const detail = page.getByTestId('workflow-detail');
  await pickReferences(page);
  await expect(detail.getByTestId('workflow-valid')).toHaveText('No problems found.');
  await detail.getByTestId('workflow-save').click();
  await expect(detail).toHaveAttribute('data-workflow-id', /^[0-9a-f-]{36}$/);
  const id = (await detail.getAttribute('data-workflow-id'))!;

  // Someone else saves version 2 (REST, another window): the open, unchanged editor follows.
  const saveElsewhere = async (description: string, expectedVersion: number) => {
    const w = await bridge<{ definition: Record<string, unknown> }>('workflows:get', { workspaceId: ws, id });
    await bridge('workflows:update', { workspaceId: ws, id, definition: { ...w.definition, description }, expectedVersion });
  };
  await saveElsewhere('second version', 1);
  await expect(detail.getByTestId('workflow-editor')).toContainText('second version');
  await expect(detail.getByTestId('workflow-version').locator('option')).toHaveCount(2);

  // Version 1, read-only.
  await detail.getByTestId('workflow-version').selectOption('1');
  await expect(detail.getByTestId('workflow-old-version')).toBeVisible();
  await expect(detail.getByTestId('workflow-editor')).toHaveAttribute('data-read-only', 'true');
  await expect(detail.getByTestId('workflow-editor')).not.toContainText('second version');
  await expect(detail.getByTestId('workflow-save')).toBeDisabled();
  await detail.getByTestId('workflow-version').selectOption('2');
  await expect(detail.getByTestId('workflow-editor')).toHaveAttribute('data-read-only', 'false');

  // An edit here while version 3 is saved elsewhere: Save says so and offers to reload.
  await detail.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' ');
  await expect(detail).toHaveAttribute('data-dirty', 'true');
  await saveElsewhere('third version', 2);
  await detail.getByTestId('workflow-save').click();
  await expect(detail.getByTestId('workflow-conflict')).toContainText('Someone else saved a newer version');
  await detail.getByTestId('workflow-conflict-reload').click();
  await expect(detail.getByTestId('workflow-editor')).toContainText('third version');
  await expect(detail).toHaveAttribute('data-dirty', 'false');

  // A run whose provider never answers: cancel it (confirmed).
  fake.setHang(true);
  await detail.getByTestId('workflow-run').click();
  const runView = page.getByTestId('run-view');
  await expect(runView.locator('[data-testid="run-step"][data-step="post"]')).toHaveAttribute('data-status', 'running');
  await runView.getByTestId('run-cancel').click();
  await page.getByTestId('run-cancel-dialog').getByTestId('run-cancel-confirm').click();
  await expect(runView).toHaveAttribute('data-status', 'cancelled');
  await expect(runView.getByTestId('run-cancel')).toHaveCount(0);

  // Delete: the name must be typed first.
  await detail.getByTestId('workflow-delete').click();
  const dialog = page.getByTestId('workflow-delete-dialog');
  await expect(dialog.getByTestId('workflow-delete-confirm')).toBeDisabled();
  await dialog.getByTestId('workflow-delete-name').fill('CSV to provider');
  await dialog.getByTestId('workflow-delete-confirm').click();
  await expect(page.getByTestId('workflows-empty')).toBeVisible();
});

/** Replaces the example's datastore and connection placeholders with the pickers, by name. */
async function pickReferences(page: import('@playwright/test').Page) {
  for (const [kind, name] of [
    ['datastore', 'Deploys'],
    ['connection', 'Datadog e2e'],
  ] as const) {
    await page.getByTestId(`insert-${kind}`).click();
    const picker = page.getByTestId('reference-picker');
    await expect(picker.getByTestId('reference-target-placeholder')).toBeChecked();
    await picker.getByTestId('reference-search').fill(name.slice(0, 4));
    await picker.locator(`[data-testid="reference-option"][data-name="${name}"]`).click();
    await expect(picker).toBeHidden();
  }
}
