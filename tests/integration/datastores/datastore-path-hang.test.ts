import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/test-core';
import { spawnHeadless } from '../../helpers/headless-app';

/**
 * Issue 14, item 2, against the real app: the headless console, run from this checkout's sources
 * (tests/helpers/headless-app.ts), in a child process, so that a request that froze the event loop (a recursive mkdirSync under /proc never returns) fails this test by a
 * timeout instead of freezing the test runner. A path under /proc is a quick 400, and /health and SIGTERM still work.
 */
const OWNER = 'owner-key-for-path-tests';
const dataDir = tempDir('p1-hang-');
let child: ChildProcess | null = null;
afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function startApp(): Promise<string> {
  const c = spawnHeadless(['--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PROVENANCE_ADMIN_API_KEY: OWNER } });
  child = c;
  return new Promise((resolve, reject) => {
    let out = '';
    c.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /console ready: (http:\/\/[^/\s]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    c.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    c.on('exit', (code) => reject(new Error(`app exited (${code}) before it was ready: ${out}`)));
  });
}

describe('a datastore path never hangs the server', () => {
  it('/proc/self/x is a quick 400; /health answers and SIGTERM stops the app', { timeout: 60_000 }, async () => {
    const url = await startApp();
    const post = (body: unknown) =>
      fetch(`${url}/datastores`, {
        method: 'POST',
        headers: { 'x-api-key': OWNER, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
    for (const p of ['/proc/self/x', '/proc/self/task/x/y', '/sys/p1-x', '/dev/p1-x', `${dataDir}/nul\u0000x`]) {
      const t0 = performance.now();
      const r = await post({ name: `bad ${Math.random()}`, backend: { type: 'filesystem', path: p } });
      expect(r.status, p).toBe(400);
      expect(await r.json()).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'backend.path' } });
      expect(performance.now() - t0).toBeLessThan(3000);
    }
    const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    expect(health.status).toBe(200);
    const list = (await (await fetch(`${url}/datastores`, { headers: { 'x-api-key': OWNER }, signal: AbortSignal.timeout(2000) })).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child!.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
    expect(code).not.toBe('hung');
  });
});
