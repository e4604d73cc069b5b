import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeytarKeyStore } from '@core/vault/keytar-key-store';
import { accountOf, type Meta } from '@core/vault/vault-service';
import { makeTestCore, tempDir } from '../../helpers/test-core';

// Child processes run the real core (TypeScript through jiti) against the real OS keychain of the test session.
const CHILD = path.resolve('tests/helpers/vault-child.mjs');
const keyStore = createKeytarKeyStore('ProvenanceOne-test');
const FAST = { N: 2 ** 12, r: 8, p: 1 };
const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

type Line = { event: string; n?: number; status?: { state: string; mode: string }; error?: { code: string; message: string } };

function child(args: string[], env: NodeJS.ProcessEnv = process.env): { proc: ChildProcess; lines: Line[]; next: (pred: (l: Line) => boolean) => Promise<Line>; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [CHILD, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  const waiters: Array<{ pred: (l: Line) => boolean; resolve: (l: Line) => void }> = [];
  let buf = '';
  let stderr = '';
  proc.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  proc.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, i)) as Line;
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (w.pred(line)) w.resolve(line);
        else waiters.push(w);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const next = (pred: (l: Line) => boolean) =>
    new Promise<Line>((resolve, reject) => {
      const hit = lines.find(pred);
      if (hit) return resolve(hit);
      waiters.push({ pred, resolve });
      void exited.then((code) => reject(new Error(`child exited (${code}) before the expected line: ${stderr.slice(-2000)}`)));
    });
  cleanup.push(() => void (proc.exitCode === null && proc.kill('SIGKILL')));
  return { proc, lines, next, exited };
}

describe('crash safety of master-key rotation', () => {
  it('SIGKILL during rotations: after restart the vault opens and every acknowledged value decrypts', async () => {
    const dir = tempDir();
    const acked = new Set<number>();
    let from = 0;
    const collect = (lines: Line[]) => {
      for (const l of lines) if (l.event === 'ack') acked.add(l.n!);
      from = Math.max(-1, ...acked) + 1;
    };
    // Killed from outside at a different point of the rotation loop each round: after 1..3 rotations plus 0..25 ms.
    for (let round = 0; round < 3; round++) {
      const c = child(['rotate-loop', dir, String(from)]);
      await c.next((l) => l.event === 'ready');
      const target = from + 1 + (round % 3);
      await c.next((l) => l.event === 'rotated' && (l.n ?? 0) >= target);
      await new Promise((r) => setTimeout(r, (round * 11) % 26));
      c.proc.kill('SIGKILL');
      await c.exited;
      collect(c.lines);
    }
    // And killing itself at each step of the protocol, so every window is hit for sure.
    for (const point of ['after-keychain-set', 'in-transaction', 'before-old-delete']) {
      const c = child(['rotate-loop', dir, String(from), point]);
      expect(await c.next((l) => l.event === 'dying')).toEqual({ event: 'dying', where: point });
      await c.exited;
      expect(c.lines.filter((l) => l.event === 'rotated')).toHaveLength(1); // the crashed rotation never finished
      collect(c.lines);
    }
    expect(acked.size).toBeGreaterThanOrEqual(8);

    const t = makeTestCore({ keyStore, vaultKdf: FAST }, dir);
    cleanup.push(() => t.core.close());
    await t.core.start();
    expect(t.core.vault.status().state).toBe('unlocked');
    const rows = t.core.db.prepare("SELECT key, value FROM settings WHERE key LIKE 'crash-test:%'").all() as Array<{ key: string; value: string }>;
    const stored = new Map(rows.map((r) => [r.key, r.value]));
    for (const n of acked) {
      const key = `crash-test:${n}`;
      expect(stored.has(key)).toBe(true);
      expect(t.core.vault.open(Buffer.from(stored.get(key)!, 'base64'), key).toString()).toBe(`value-${n}`);
    }
    // Every row that exists (acked or committed just before the kill) decrypts too.
    for (const [key, value] of stored) expect(t.core.vault.open(Buffer.from(value, 'base64'), key).toString()).toBe(`value-${key.split(':')[1]}`);
    const m = t.core.db.prepare('SELECT * FROM vault_meta').get() as Meta;
    cleanup.push(async () => void (await keyStore.delete(accountOf(m))));
  }, 180_000);
});

describe('no Secret Service reachable', () => {
  it('keychain setup fails in plain words; the passphrase path works; headless start unlocks from PROVENANCE_VAULT_PASSPHRASE_FILE', async () => {
    const dir = tempDir();
    const env = { ...process.env };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    delete env.DISPLAY;
    const setup = child(['setup', dir, 'a passphrase for a box without keyring'], env);
    const err = await setup.next((l) => l.event === 'keychain-error');
    expect(err.error).toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect(err.error!.message).toMatch(/no D-Bus session bus.*Use a vault passphrase instead/);
    expect((await setup.next((l) => l.event === 'passphrase')).status).toMatchObject({ state: 'unlocked', mode: 'passphrase' });
    await setup.exited;
    // nothing of the key in the data dir in plaintext is covered by the canary suite; here: no keychain was used
    expect(fs.readdirSync(dir)).toContain('provenance.db');

    const file = path.join(tempDir(), 'pass');
    fs.writeFileSync(file, 'a passphrase for a box without keyring\n', { mode: 0o600 });
    const started = child(['start', dir], { ...env, PROVENANCE_VAULT_PASSPHRASE_FILE: file });
    expect((await started.next((l) => l.event === 'started')).status).toMatchObject({ state: 'unlocked', mode: 'passphrase' });

    fs.writeFileSync(file, 'the wrong passphrase\n');
    const wrong = child(['start', dir], { ...env, PROVENANCE_VAULT_PASSPHRASE_FILE: file });
    expect((await wrong.next((l) => l.event === 'started')).status).toMatchObject({ state: 'locked', mode: 'passphrase' });

    const noSource = child(['start', dir], env); // stdin is not a TTY: no prompt, stays locked
    expect((await noSource.next((l) => l.event === 'started')).status).toMatchObject({ state: 'locked' });
  }, 120_000);
});
