import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE } from '@core/db/database';
import { SYSTEM_ACTOR } from '@core/index';
import type { Logger } from '@core/ports';
import { createSecretService } from '@core/secrets/secret-service';
import { createSecretStore } from '@core/secrets/secret-store';
import type { VaultPort } from '@core/vault/vault-port';
import { makeReadyCore, tempDir } from '../../helpers/test-core';

/**
 * The secret service's last gaps of issue #18's mutation run:
 * - the plaintext of every new version is zeroed once it is sealed (also when the seal fails): the service is built
 *   with a vault port that wraps the real vault and keeps each buffer it is handed;
 * - the scheduled rotation waits out another connection's write lock and says so in a debug line: a second connection
 *   holds the lock (busy timeout 0, so the first attempt meets it at once) until that line is logged.
 */
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).reverse().forEach((c) => c()));

const zeroed = (b: Buffer) => b.every((byte) => byte === 0);

async function setup(ports: Parameters<typeof makeReadyCore>[0] = {}) {
  let now = T0;
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const t = await makeReadyCore({ clock, ...ports }, tempDir());
  cleanup.push(t.close);
  return { ...t, ws: t.core.workspaces.defaultWorkspace().id, clock };
}

describe('secret service: the plaintext handed to the vault is zeroed once sealed', () => {
  it('create, rotate, rollback, a generated value and the scheduled rotation; a failed seal too', async () => {
    const t = await setup();
    const handed: Array<{ aad: string; bytes: Buffer; length: number }> = [];
    const vault: VaultPort = {
      isUnlocked: () => t.core.vault.isUnlocked(),
      seal: (plaintext, aad) => {
        handed.push({ aad, bytes: plaintext, length: plaintext.length });
        return t.core.vault.seal(plaintext, aad);
      },
      open: (sealed, aad) => t.core.vault.open(sealed, aad),
    };
    const s = createSecretService({
      store: createSecretStore(t.core.db),
      clock: t.clock,
      logger: t.core.logger,
      bus: t.core.bus,
      audit: t.core.audit,
      access: t.core.access,
      vault,
      references: t.core.references,
      systemActor: SYSTEM_ACTOR,
    });

    const typed = s.create({ workspaceId: t.ws, name: 'typed', value: 'first value' }, t.admin);
    s.rotate({ workspaceId: t.ws, id: typed.id, value: { second: 'value' } }, t.admin);
    s.rollback({ workspaceId: t.ws, id: typed.id, version: 1 }, t.admin);
    const gen = s.create({ workspaceId: t.ws, name: 'gen', generate: { length: 24, alphabet: 'hex' }, rotation: { everyDays: 1 } }, t.admin);
    t.clock.advance(DAY);
    await s.rotationJob.tick(t.clock.now());

    expect(handed.map((h) => [h.aad, h.length])).toEqual([
      [`secret:${typed.id}:v1`, 'first value'.length],
      [`secret:${typed.id}:v2`, '{"second":"value"}'.length],
      [`secret:${typed.id}:v3`, 'first value'.length],
      [`secret:${gen.id}:v1`, 24],
      [`secret:${gen.id}:v2`, 24],
    ]);
    expect(handed.every((h) => zeroed(h.bytes))).toBe(true);
    // Zeroed after sealing, not before: every version opens to its value.
    expect(s.reveal(t.ws, typed.id, t.admin)).toEqual({ value: 'first value', valueType: 'string', version: 3 });
    expect(s.reveal(t.ws, gen.id, t.admin)).toMatchObject({ version: 2, value: expect.stringMatching(/^[0-9a-f]{24}$/) });

    // A seal that fails (the vault locked meanwhile) still leaves no plaintext behind.
    t.core.vault.lock(t.admin);
    handed.length = 0;
    expect(() => s.rotate({ workspaceId: t.ws, id: typed.id, value: 'never stored' }, t.admin)).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }));
    expect(handed).toHaveLength(1);
    expect(handed[0]!.length).toBe('never stored'.length);
    expect(zeroed(handed[0]!.bytes)).toBe(true);
  });
});

describe('secret service: the scheduled rotation under another connection\'s write lock', () => {
  it('logs one debug line per wait, with the attempt, and rotates once the lock is released', async () => {
    const logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
    const holder: { db?: Database.Database } = {};
    const logger: Logger = {
      log: (level, message, fields) => {
        logs.push({ level, message, fields });
        // The lock is released only when the rotation says it is waiting: without that line, it would never be.
        if (message.startsWith('secrets rotation') && holder.db?.inTransaction) holder.db.exec('COMMIT');
      },
    };
    const t = await setup({ logger, busyTimeoutMs: 0 });
    const gen = t.core.secrets.create({ workspaceId: t.ws, name: 'gen', generate: { length: 16, alphabet: 'hex' }, rotation: { everyDays: 1 } }, t.admin);
    const db = new Database(path.join(t.dataDir, DB_FILE));
    cleanup.push(() => {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    });
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN IMMEDIATE');
    holder.db = db;
    logs.length = 0;

    t.clock.advance(DAY);
    await t.core.secrets.rotationJob.tick(t.clock.now());
    expect(db.inTransaction).toBe(false);
    expect(logs.filter((l) => l.message.startsWith('secrets rotation'))).toEqual([
      { level: 'debug', message: 'secrets rotation: database busy, waiting', fields: { attempt: 0 } },
    ]);
    expect(t.core.secrets.get(t.ws, gen.id, t.admin).secret).toMatchObject({ version: 2 });
    const rotated = t.core.db.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'secret.rotated'").get() as { n: number };
    expect(rotated.n).toBe(1);
  });
});
