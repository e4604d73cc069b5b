import type { Page } from '@playwright/test';
import type { Console } from './fixtures';

/** Calls a channel the way the console's bridge does (the console token in a header): set-up and checks beside the UI. */
export async function consoleIpc<T>(page: Page, c: Console, channel: string, input: unknown): Promise<T> {
  const res = await page.request.post(`${c.baseUrl}/ipc/${encodeURIComponent(channel)}`, { headers: { 'x-console-token': c.token }, data: { input } });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: unknown };
  if (!body.ok) throw new Error(`${channel}: ${JSON.stringify(body.error)}`);
  return body.value as T;
}
