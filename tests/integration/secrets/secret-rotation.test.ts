import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeReadyCore, makeTestCore, tempDir, unwrap } from '../../helpers/test-core';
import { createMemoryKeyStore } from '../../fakes/memory-key-store';
import { createFileKeyStore } from '../../fakes/file-key-store';
import { startCoreWorker } from '../../helpers/core-worker';

const DAY = 86_400_000;
const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((c) => c()));

function fakeClock(start = Date.parse('2026-01-01T00:00:00.000Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

async function setup(clock = fakeClock(), dataDir = tempDir(), keyStore = createMemoryKeyStore()) {
  const t = await makeReadyCore({ clock, keyStore }, dataDir);
  cleanup.push(() => t.core.close());
  const ws = t.core.workspaces.defaultWorkspace().id;
  const gen = unwrap(await t.invoke('secrets:create', { workspaceId: ws, name: 'gen', generate: { length: 32, alphabet: 'alphanumeric' }, rotation: { everyDays: 7 } }));
  const plain = unwrap(await t.invoke('secrets:create', { workspaceId: ws, name: 'plain', value: 'typed-by-hand', rotation: { everyDays: 7 } }));
  return { ...t, ws, gen, plain, clock, keyStore };
}

const detail = async (t: Awaited<ReturnType<typeof setup>>, id: string) => unwrap(await t.invoke('secrets:get', { workspaceId: t.ws, id })).secret;

describe('scheduled rotation', () => {
  it('rotates generated secrets itself and marks others "rotation due", once', async () => {
    const t = await setup();
    expect(t.gen.rotation?.nextRotationAt).toBe('2026-01-08T00:00:00.000Z');
    t.clock.advance(6 * DAY);
    await t.core.scheduler.runDue();
    expect((await detail(t, t.gen.id)).version).toBe(1);

    t.clock.advance(1 * DAY);
    const before = unwrap(await t.invoke('secrets:reveal', { workspaceId: t.ws, id: t.gen.id })).value;
    await t.core.scheduler.runDue();
    const gen = await detail(t, t.gen.id);
    expect(gen).toMatchObject({ version: 2, rotation: { nextRotationAt: '2026-01-15T00:00:00.000Z', dueSince: null } });
    const after = unwrap(await t.invoke('secrets:reveal', { workspaceId: t.ws, id: t.gen.id })).value;
    expect(after).not.toBe(before);
    const plain = await detail(t, t.plain.id);
    expect(plain).toMatchObject({ version: 1, rotation: { nextRotationAt: null, dueSince: '2026-01-08T00:00:00.000Z' } });

    const rotated = t.core.audit.list({ workspaceId: t.ws, action: 'secret.rotated' }, t.admin).items;
    expect(rotated).toHaveLength(1);
    expect(rotated[0]).toMatchObject({ actor: { kind: 'system' }, details: { scheduled: true, version: 2 } });

    // Ticking again at the same instant finds nothing: no second rotation, no second mark.
    await Promise.all([t.core.scheduler.runDue(), t.core.scheduler.runDue()]);
    await t.core.scheduler.runDue();
    expect((await detail(t, t.gen.id)).version).toBe(2);
    expect(t.core.audit.list({ workspaceId: t.ws, action: 'secret.updated' }, t.admin).items).toHaveLength(1);

    // A manual rotation clears the mark and restarts the schedule from now.
    unwrap(await t.invoke('secrets:rotate', { workspaceId: t.ws, id: t.plain.id, value: 'new-by-hand' }));
    expect(await detail(t, t.plain.id)).toMatchObject({ version: 2, rotation: { dueSince: null, nextRotationAt: '2026-01-15T00:00:00.000Z' } });
  });

  it('catches up after a restart: one rotation for a long-overdue secret, schedule counted from now', async () => {
    const dir = tempDir();
    const clock = fakeClock();
    const t = await setup(clock, dir);
    t.core.close();
    clock.advance(30 * DAY);
    const again = makeTestCore({ clock, keyStore: t.keyStore }, dir);
    cleanup.push(() => again.core.close());
    await again.core.start();
    await again.core.scheduler.runDue();
    const gen = again.core.secrets.get(t.ws, t.gen.id, again.admin);
    expect(gen.secret).toMatchObject({ version: 2, rotation: { nextRotationAt: '2026-02-07T00:00:00.000Z' } });
    expect(gen.versions.map((v) => v.source)).toEqual(['scheduled', 'create']);
  });

  it('two processes on one data dir never rotate the same due secret twice', async () => {
    const dir = tempDir();
    const clock = fakeClock();
    const t = await setup(clock, dir);
    const second = makeTestCore({ clock, keyStore: t.keyStore }, dir);
    cleanup.push(() => second.core.close());
    await second.core.start();
    clock.advance(8 * DAY);
    await Promise.all([t.core.scheduler.runDue(), second.core.scheduler.runDue(), t.core.scheduler.runDue()]);
    expect((await detail(t, t.gen.id)).version).toBe(2);
    expect(t.core.audit.list({ workspaceId: t.ws, action: 'secret.rotated' }, t.admin).items).toHaveLength(1);
  });

  it(
    'two real processes on one data dir, ticking together: exactly one rotation and one secret.rotated per due secret',
    { timeout: 120_000 },
    async () => {
      // In one Node process better-sqlite3's synchronous transactions never interleave, so only separate processes
      // can both be between reading a due row and writing its new version. 150 due secrets keep both busy at once.
      const dir = tempDir();
      const keyDir = tempDir('p1-keys-');
      cleanup.push(() => fs.rmSync(keyDir, { recursive: true, force: true }));
      const clock = fakeClock();
      const t = await setup(clock, dir, createFileKeyStore(keyDir));
      const gen = [t.gen.id];
      const plain = [t.plain.id];
      for (let i = 0; i < 120; i++) {
        gen.push(unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: `gen-${i}`, generate: { length: 16, alphabet: 'hex' }, rotation: { everyDays: 7 } })).id);
        if (i % 4 === 0) plain.push(unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: `plain-${i}`, value: 'v', rotation: { everyDays: 7 } })).id);
      }
      t.core.close(); // only the two workers touch the database now

      type Result = { done: true; problems: string[]; busyRetries: number };
      const cfg = { dataDir: dir, keyDir, now: new Date(clock.now().getTime() + 8 * DAY).toISOString(), ticks: 3 };
      const workers = await Promise.all([startCoreWorker<Result>('rotation-worker.ts', cfg), startCoreWorker<Result>('rotation-worker.ts', cfg)]);
      cleanup.push(() => workers.forEach((w) => w.kill()));
      for (const w of workers) expect(w.ready).toMatchObject({ unlocked: true });
      workers.forEach((w) => w.go());
      const results = await Promise.all(workers.map((w) => w.result()));
      for (const r of results) expect(r.problems).toEqual([]);
      // The claim takes the write lock before it reads (IMMEDIATE): the process that comes second waits for the lock
      // and then reads the committed rows. A deferred claim would read first and have its write refused (its
      // snapshot is stale: SQLITE_BUSY_SNAPSHOT, which no busy timeout waits out), and retry.
      expect(results.map((r) => r.busyRetries)).toEqual([0, 0]);

      const again = makeTestCore({ clock, keyStore: createFileKeyStore(keyDir) }, dir);
      cleanup.push(() => again.core.close());
      await again.core.start();
      const rotated = again.core.audit.list({ workspaceId: t.ws, action: 'secret.rotated', limit: 200 }, again.admin).items;
      expect(rotated.map((e) => e.target?.id).sort()).toEqual([...gen].sort());
      for (const id of gen) {
        const d = again.core.secrets.get(t.ws, id, again.admin);
        expect(d.secret.version).toBe(2);
        expect(d.versions.map((v) => v.source)).toEqual(['scheduled', 'create']);
      }
      const marked = again.core.audit.list({ workspaceId: t.ws, action: 'secret.updated', limit: 200 }, again.admin).items;
      expect(marked.map((e) => e.target?.id).sort()).toEqual([...plain].sort());
    },
  );

  it('while the vault is locked, generated secrets wait and others are still marked due', async () => {
    const t = await setup();
    t.core.vault.lock(t.admin);
    t.clock.advance(8 * DAY);
    await t.core.scheduler.runDue();
    expect((await detail(t, t.gen.id)).rotation?.nextRotationAt).toBe('2026-01-08T00:00:00.000Z');
    expect((await detail(t, t.plain.id)).rotation?.dueSince).toBe('2026-01-08T00:00:00.000Z');
    await t.core.vault.unlockWithKeychain(t.admin);
    await t.core.scheduler.runDue();
    expect((await detail(t, t.gen.id)).version).toBe(2);
  });

  it('removing a schedule clears the due mark', async () => {
    const t = await setup();
    t.clock.advance(8 * DAY);
    await t.core.scheduler.runDue();
    const u = unwrap(await t.invoke('secrets:update', { workspaceId: t.ws, id: t.plain.id, rotation: null }));
    expect(u.rotation).toBeNull();
    t.clock.advance(30 * DAY);
    await t.core.scheduler.runDue();
    expect((await detail(t, t.plain.id)).version).toBe(1);
  });
});
