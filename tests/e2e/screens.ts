import { expect, type Page } from '@playwright/test';
import type { Console } from './fixtures';

/**
 * Shared by the accessibility, 900×700 layout and screenshot runs: the app's screens (the sidebar's entries) and a
 * little sample data so each screen shows a list, a detail and its actions rather than an empty state.
 */
export const SCREENS = ['connections', 'secrets', 'datastores', 'workflows', 'audit', 'settings'] as const;
export type ScreenName = (typeof SCREENS)[number];

/** The primary action of each screen that has one (the "new" shortcut's button). */
export const PRIMARY: Partial<Record<ScreenName, string>> = {
  connections: 'connection-new',
  secrets: 'secret-new',
  datastores: 'datastore-new',
  workflows: 'workflow-new',
};

/** The console bridge (the channels the UI calls), for setup the test is not about. */
export function bridgeOf(c: Console) {
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

/** Long names on purpose: they must shrink with an ellipsis, never push actions off-screen. */
export async function seedSampleData(c: Console): Promise<void> {
  const call = bridgeOf(c);
  const ws = (await call<Array<{ id: string }>>('workspaces:list'))[0]!.id;
  const unreachable = { baseUrl: 'http://127.0.0.1:9' };
  await call('connections:create', {
    workspaceId: ws,
    name: 'Datadog production monitoring for the payments platform (EU region)',
    provider: 'datadog',
    authType: 'apikey',
    credential: 'example-api-key-0000000000',
    settings: { site: 'datadoghq.eu', ...unreachable },
  });
  await call('connections:create', {
    workspaceId: ws,
    name: 'Jira service desk',
    provider: 'jira',
    authType: 'apikey',
    credential: 'example-token-000000',
    settings: { siteUrl: 'https://acme.atlassian.net', email: 'ops@acme.example', ...unreachable },
  });
  for (const name of ['stripe-live-key', 'warehouse-password-for-the-nightly-reporting-job-in-production', 'slack-signing-secret']) {
    await call('secrets:create', { workspaceId: ws, name, value: `example-${name}`, description: 'sample data' });
  }
  const ds = await call('datastores:create', { workspaceId: ws, name: 'Reports' });
  await call('datastores:objects:putText', {
    workspaceId: ws,
    datastoreId: ds.id,
    key: 'in/a-rather-long-folder-name-for-quarterly-exports/orders-2026-q4-final-reviewed.csv',
    content: 'id,amount\n1,120\n',
    contentType: 'text/csv',
  });
  await call('datastores:objects:putText', { workspaceId: ws, datastoreId: ds.id, key: 'summary.json', content: '{"total":120}', contentType: 'application/json' });
  await call('workflows:create', {
    workspaceId: ws,
    definition: {
      name: 'Daily order totals',
      description: "Reads the day's orders, totals them, writes a summary back",
      steps: [
        { id: 'read', kind: 'storage', config: { action: 'get', datastoreId: ds.id, key: 'summary.json' } },
        { id: 'total', kind: 'transform', needs: ['read'], config: { expression: '1 + 1' } },
      ],
    },
  });
}

/** Opens a screen from the sidebar and waits for its content. */
export async function openScreen(page: Page, screen: ScreenName): Promise<void> {
  await page.getByTestId(`nav-${screen}`).click();
  await expect(page.getByTestId(`screen-${screen}`)).toBeVisible();
  await expect(page.getByTestId(`nav-${screen}`)).toHaveAttribute('aria-current', 'page');
}

/** Selects the first item of the screen's list, so its detail panel is part of what is checked. */
export async function openFirstItem(page: Page, screen: ScreenName): Promise<void> {
  if (screen === 'connections') {
    await page.getByTestId('connection-row').first().click();
    await page.getByTestId('connection-open-detail').click();
    await expect(page.getByTestId('connection-detail')).toBeVisible();
  } else if (screen === 'secrets') {
    await page.getByTestId('secret-row').first().click();
    await expect(page.getByTestId('secret-detail')).toBeVisible();
  } else if (screen === 'datastores') {
    await page.getByTestId('datastore-item').first().click();
    await expect(page.getByTestId('object-list')).toBeVisible();
  }
}
