import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnHeadless } from '../../helpers/headless-app';

/**
 * Issue 17, "Headless first run": with no OS keychain reachable but PROVENANCE_VAULT_PASSPHRASE_FILE given, the
 * console sets the vault up in passphrase mode with that passphrase (before: it stayed uninitialised and the REST API
 * answered VAULT_LOCKED until someone opened the console), and says in one line at start which mode it chose.
 */
const OWNER = 'owner-key-for-first-run-tests';
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/p1-no-bus' };
const PASSPHRASE = 'correct horse battery staple 42';
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** Starts the app; resolves with its URL and everything it printed up to "console ready". */
function start(dataDir: string, env: NodeJS.ProcessEnv): Promise<{ url: string; out: string; child: ChildProcess }> {
  const child = spawnHeadless(['--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...NO_KEYCHAIN, PROVENANCE_ADMIN_API_KEY: OWNER, ...env } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /console ready: (http:\/\/[^/\s]+)/.exec(out);
      if (m) resolve({ url: m[1]!, out, child });
    });
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => reject(new Error(`app exited (${code}) before it was ready: ${out}`)));
  });
}
async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
const api = (url: string, method: string, p: string, body?: unknown) =>
  fetch(`${url}${p}`, {
    method,
    headers: { 'x-api-key': OWNER, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });

describe('headless first run without an OS keychain', () => {
  it('sets up a passphrase vault from PROVENANCE_VAULT_PASSPHRASE_FILE, says so, and unlocks from it next time', { timeout: 90_000 }, async () => {
    const dataDir = tmp('p1-first-run-');
    const file = path.join(tmp('p1-pass-'), 'passphrase');
    fs.writeFileSync(file, `${PASSPHRASE}\n`, { mode: 0o600 });

    const first = await start(dataDir, { PROVENANCE_VAULT_PASSPHRASE_FILE: file });
    expect(first.out).toMatch(/^vault: passphrase mode \(set up now from the passphrase file, no OS keychain reachable\), unlocked$/m);
    expect(first.out).not.toContain(PASSPHRASE);
    const created = await api(first.url, 'POST', '/secrets', { name: 'first-run-secret', value: 'canary-first-run-value' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await stop(first.child);

    const second = await start(dataDir, { PROVENANCE_VAULT_PASSPHRASE_FILE: file });
    expect(second.out).toMatch(/^vault: passphrase mode, unlocked$/m);
    const revealed = await api(second.url, 'POST', `/secrets/${id}/reveal`);
    expect(revealed.status).toBe(200);
    expect(((await revealed.json()) as { value: string }).value).toBe('canary-first-run-value');
    await stop(second.child);
  });

  it('without a passphrase file it stays not set up, says what to do, and the REST API answers VAULT_LOCKED', { timeout: 90_000 }, async () => {
    const dataDir = tmp('p1-first-run-');
    const app = await start(dataDir, { PROVENANCE_VAULT_PASSPHRASE_FILE: '' });
    expect(app.out).toMatch(/^vault: not set up: no OS keychain is reachable .* no passphrase file was given; open the console to set it up$/m);
    const created = await api(app.url, 'POST', '/secrets', { name: 'x', value: 'y' });
    expect(created.status).toBe(423);
    await stop(app.child);
  });

  it('a passphrase file with a too-short passphrase sets nothing up and says why', { timeout: 90_000 }, async () => {
    const dataDir = tmp('p1-first-run-');
    const file = path.join(tmp('p1-pass-'), 'passphrase');
    fs.writeFileSync(file, 'zq9x-pass\n', { mode: 0o600 });
    const app = await start(dataDir, { PROVENANCE_VAULT_PASSPHRASE_FILE: file });
    expect(app.out).toMatch(/^vault: not set up: the passphrase file's passphrase is too short or too long \(use at least 12 characters\); open the console to set it up$/m);
    expect(app.out).not.toContain('zq9x-pass'); // the passphrase itself is never printed
    await stop(app.child);
  });
});
