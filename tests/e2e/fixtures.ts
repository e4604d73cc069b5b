import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';

export type Console = { url: string; baseUrl: string; token: string; dataDir: string; process: ChildProcess };

/** Starts `serve` (the built headless console) on a fresh temp data dir and waits for its printed URL. */
export async function startConsole(env: NodeJS.ProcessEnv = {}): Promise<Console> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'p1-e2e-'));
  const child = spawn(process.execPath, ['out/main/headless.js', '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /console ready: (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  const u = new URL(url);
  return { url, baseUrl: u.origin, token: u.hash.replace('#token=', ''), dataDir, process: child };
}

export async function stopConsole(c: Console): Promise<void> {
  if (c.process.exitCode === null) {
    const exited = new Promise((r) => c.process.once('exit', r));
    c.process.kill('SIGTERM');
    const timer = setTimeout(() => c.process.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  fs.rmSync(c.dataDir, { recursive: true, force: true });
}

/** Opens the console and waits for the app-ready marker (no sleeps). */
export async function openConsole(page: Page, c: Console): Promise<void> {
  await page.goto(c.url);
  await expect(page.locator('[data-app-state="loaded"]')).toBeVisible();
}

export const test = base.extend<{ console: Console }>({
  console: async ({}, use) => {
    const c = await startConsole();
    await use(c);
    await stopConsole(c);
  },
});
export { expect };
