import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createKeytarKeyStore } from '@core/vault/keytar-key-store';
import { accountOf } from '@core/vault/vault-service';
import { canary, scanForCanaries, textContainsCanary } from '../../helpers/canary';
import { makeTestCore, tempDir, unwrap } from '../../helpers/test-core';

// The real OS keychain of the test session, under a test service name.
const keyStore = createKeytarKeyStore('ProvenanceOne-test');
const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

/** Files under the roots that contain any of the raw byte strings (keys are binary, not text). */
function scanRaw(needles: Buffer[], ...roots: string[]): string[] {
  const hits: string[] = [];
  const walk = (p: string) => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return;
    if (st.isDirectory()) return fs.readdirSync(p).forEach((e) => walk(path.join(p, e)));
    const data = fs.readFileSync(p);
    if (needles.some((n) => data.includes(n))) hits.push(p);
  };
  roots.forEach(walk);
  return hits;
}

it('canary scan: no value, passphrase or master key on disk across every vault operation', async () => {
  const vaultPass = canary('vaultpass');
  const backupPass = canary('backuppass');
  const values = Array.from({ length: 5 }, (_, i) => canary(`value${i}`));
  const keks: string[] = []; // base64, as the keychain holds them
  const rawKeks: Buffer[] = [];
  const backupDir = tempDir('p1-backups-');
  const holdKek = (t: { core: { vault: { internals: { currentKek(): Buffer | null } } } }) => {
    const k = Buffer.from(t.core.vault.internals.currentKek()!);
    rawKeks.push(k);
    keks.push(k.toString('base64'));
  };

  // Machine A: keychain mode on the real OS keychain.
  const a = makeTestCore({ keyStore });
  cleanup.push(() => a.core.close());
  unwrap(await a.invoke('vault:initialize', { mode: 'keychain' }));
  holdKek(a);
  const put = (t: typeof a, i: number, v: string) =>
    t.core.db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(`canary:${i}`, t.core.vault.seal(Buffer.from(v), `canary:${i}`).toString('base64'));
  values.slice(0, 3).forEach((v, i) => put(a, i, v));
  unwrap(await a.invoke('vault:lock', undefined));
  unwrap(await a.invoke('vault:unlock', {}));
  unwrap(await a.invoke('vault:rotateDataKey', undefined));
  put(a, 3, values[3]!);
  unwrap(await a.invoke('vault:rotateMasterKey', {}));
  holdKek(a);
  const account = accountOf(a.core.vault.internals.meta()!);
  cleanup.push(async () => void (await keyStore.delete(account)));
  expect(await keyStore.get(account)).toBe(keks.at(-1));
  const exported = unwrap(await a.invoke('vault:exportBackup', { passphrase: backupPass }));
  const backupFile = path.join(backupDir, exported.fileName);
  fs.writeFileSync(backupFile, Buffer.from(exported.data, 'base64'));

  // Machine B: restore under a passphrase, then lock/unlock, rotate, back up again.
  const b = makeTestCore({ keyStore, vaultKdf: { N: 2 ** 12, r: 8, p: 1 } });
  cleanup.push(() => b.core.close());
  unwrap(await b.invoke('vault:restoreBackup', { data: exported.data, passphrase: backupPass, protect: { mode: 'passphrase', passphrase: vaultPass } }));
  const read = (t: typeof a, i: number) => {
    const row = t.core.db.prepare('SELECT value FROM settings WHERE key = ?').get(`canary:${i}`) as { value: string };
    return t.core.vault.open(Buffer.from(row.value, 'base64'), `canary:${i}`).toString();
  };
  expect([0, 1, 2, 3].map((i) => read(b, i))).toEqual(values.slice(0, 4));
  unwrap(await b.invoke('vault:lock', undefined));
  expect((await b.invoke('vault:unlock', { passphrase: `${vaultPass}x` })).ok).toBe(false);
  unwrap(await b.invoke('vault:unlock', { passphrase: vaultPass }));
  put(b, 4, values[4]!);
  unwrap(await b.invoke('vault:rotateMasterKey', { passphrase: vaultPass }));
  holdKek(b);
  const second = unwrap(await b.invoke('vault:exportBackup', { passphrase: backupPass }));
  fs.writeFileSync(path.join(backupDir, `b-${second.fileName}`), Buffer.from(second.data, 'base64'));
  expect(read(b, 4)).toBe(values[4]);

  const needles = [...values, vaultPass, backupPass, ...keks];
  const auditRows = [a, b].map((t) => JSON.stringify(t.core.db.prepare('SELECT * FROM audit_events').all())).join('\n');
  a.core.close();
  b.core.close();
  expect(scanForCanaries(needles, a.dataDir, b.dataDir, backupDir)).toEqual([]);
  expect(scanRaw(rawKeks, a.dataDir, b.dataDir, backupDir)).toEqual([]);
  expect(textContainsCanary(auditRows, needles)).toBeNull();
  // Sanity: the scan does find what is there (the backup's own header is in the file in clear).
  const file = Buffer.from(exported.data, 'base64');
  const header = (JSON.parse(file.subarray(12, 12 + file.readUInt32BE(8)).toString()) as { nonce: string }).nonce;
  expect(scanForCanaries([header], backupDir).length).toBeGreaterThan(0);
}, 60_000);
