import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore, localActor } from '@core/index';
import { tempDir } from '../../helpers/test-core';
import { spawnHeadless } from '../../helpers/headless-app';

/**
 * Crash safety against the real app: the headless console, run from this checkout's sources
 * (tests/helpers/headless-app.ts), in a child process receives uploads over HTTP and is SIGKILLed at random moments, again and again, until 100 uploads
 * have been attempted. After a final restart: no partial object is visible, no row lacks its bytes, no stored
 * bytes lack a row, and every upload that was acknowledged is there, intact. Uses the OS keychain for the vault
 * (the suite runs inside a keyring session).
 */
const UPLOADS = 100;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Deterministic content per upload, 20 KiB–1.2 MiB, so a kill can land anywhere in a body. */
function content(i: number): Buffer {
  const size = 20 * 1024 + ((i * 7919) % 40) * 30 * 1024;
  const b = Buffer.alloc(size);
  for (let o = 0; o < size; o += 4) b.writeUInt32LE((i * 2654435761 + o) >>> 0, Math.min(o, size - 4));
  return b;
}

function startApp(dataDir: string): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawnHeadless(['--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /console ready: (\S+)\/#token=(\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]!, token: m[2]! });
    });
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => reject(new Error(`app exited (${code}) before it was ready: ${out}`)));
  });
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

const dataDir = tempDir('p1-crash-');
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('crash safety of uploads', () => {
  it('SIGKILL at random points during 100 uploads leaves only whole objects, each with its row', { timeout: 240_000 }, async () => {
    // Set up: the vault and a datastore, in the app itself.
    let app = await startApp(dataDir);
    const ipc = async (channel: string, input: unknown) => {
      const r = await fetch(`${app.url}/ipc/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-console-token': app.token }, body: JSON.stringify({ input }) });
      return (await r.json()) as { ok: boolean; value: { id: string } };
    };
    const workspaceId = ((await ipc('workspaces:list', undefined)) as unknown as { value: Array<{ id: string }> }).value[0]!.id;
    const created = await ipc('datastores:create', { workspaceId, name: 'Crashy' });
    expect(created.ok).toBe(true);
    const datastoreId = created.value.id;

    const t0 = performance.now();
    const acknowledged = new Map<string, string>();
    let next = 0;
    let rounds = 0;
    while (next < UPLOADS) {
      rounds += 1;
      if (rounds > 1) app = await startApp(dataDir);
      const current = app;
      // Kill after a random delay while uploads stream in, two at a time; or, on a machine fast enough to finish
      // them all before that, as soon as a random number more of them has started, so every run has several rounds
      // and each kill lands while uploads are in flight.
      const timer = new Promise<void>((r) => setTimeout(r, 150 + Math.random() * 900));
      const cap = next + 10 + Math.floor(Math.random() * 30);
      const { promise: capReached, resolve: reachCap } = deferred();
      let dead = false;
      const killer = Promise.race([timer, capReached]).then(async () => {
        dead = true;
        await killed(current.child);
      });
      const worker = async () => {
        while (!dead && next < UPLOADS) {
          const i = next++;
          if (next >= cap) reachCap();
          const key = `crash/${String(i).padStart(3, '0')}.bin`;
          const body = content(i);
          const q = new URLSearchParams({ workspaceId, key });
          try {
            const r = await fetch(`${current.url}/console/datastores/${datastoreId}/objects?${q}`, {
              method: 'PUT',
              headers: { 'x-console-token': current.token, 'content-type': 'application/octet-stream' },
              body: Readable.toWeb(Readable.from([body.subarray(0, body.length >> 1), body.subarray(body.length >> 1)])) as ReadableStream,
              duplex: 'half',
            } as RequestInit);
            if (r.status === 200) acknowledged.set(key, sha(body));
          } catch {
            // the app died mid-request: this upload may or may not have completed
          }
        }
      };
      await Promise.all([worker(), worker()]);
      await killer;
    }
    expect(rounds).toBeGreaterThan(1);
    console.log(`crash test: ${rounds} kills, ${acknowledged.size} acknowledged uploads, ${(performance.now() - t0) / 1000}s`);

    // Restart: the core sweeps crash leftovers when it opens, then everything must be consistent.
    const core = createCore({ dataDir, mode: 'headless', version: 'test', localUser: 'tester' });
    await core.start();
    try {
      const root = path.join(dataDir, 'datastores', datastoreId);
      const rows = core.db.prepare('SELECT key, locator, sha256, size FROM datastore_objects WHERE datastore_id = ?').all(datastoreId) as Array<{
        key: string;
        locator: string;
        sha256: string;
        size: number;
      }>;
      const files = fs.readdirSync(path.join(root, 'objects'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
      const locators = new Set(rows.map((r) => r.locator));
      expect(fs.readdirSync(path.join(root, '.tmp'))).toEqual([]); // no partial temp file survives
      expect(files.filter((f) => !locators.has(f))).toEqual([]); // 0 objects without a row
      expect(rows.filter((r) => !files.includes(r.locator))).toEqual([]); // 0 rows without an object
      for (const r of rows) {
        // 0 partial objects visible: every object reads back whole, matching its row and what the client sent.
        const { stream } = await core.datastores.read(localActor(core.config), workspaceId, datastoreId, r.key);
        const chunks: Buffer[] = [];
        for await (const c of stream) chunks.push(c as Buffer);
        const got = Buffer.concat(chunks);
        expect(got.length).toBe(r.size);
        expect(sha(got)).toBe(r.sha256);
        expect(r.sha256).toBe(sha(content(Number(r.key.slice(6, 9)))));
      }
      for (const [key, digest] of acknowledged) expect(rows.find((r) => r.key === key)?.sha256, key).toBe(digest);
      expect(acknowledged.size).toBeGreaterThan(0);
    } finally {
      core.close();
    }
  });
});
