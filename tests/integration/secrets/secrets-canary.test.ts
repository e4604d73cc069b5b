import { describe, expect, it } from 'vitest';
import type { Logger } from '@core/ports';
import { makeReadyCore, unwrap } from '../../helpers/test-core';
import { canary, scanForCanaries, textContainsCanary } from '../../helpers/canary';

describe('canary scan', () => {
  it('no secret value reaches the data dir (db, -wal, -shm), the audit table, logs or any non-reveal response', async () => {
    const logs: string[] = [];
    const logger: Logger = { log: (level, message, fields) => void logs.push(JSON.stringify({ level, message, fields })) };
    let now = Date.parse('2026-03-01T00:00:00.000Z');
    const t = await makeReadyCore({ logger, clock: { now: () => new Date(now) } });
    const ws = t.core.workspaces.defaultWorkspace().id;
    const canaries: string[] = [];
    const responses: string[] = [];
    const plant = (label: string) => {
      const c = canary(label);
      canaries.push(c);
      return c;
    };
    const keep = <T,>(v: T): T => (responses.push(JSON.stringify(v)), v);

    const a = keep(unwrap(await t.invoke('secrets:create', { workspaceId: ws, name: 'plain', value: plant('create') })));
    const j = keep(unwrap(await t.invoke('secrets:create', { workspaceId: ws, name: 'json', value: { token: plant('json'), n: 1 } })));
    const g = keep(unwrap(await t.invoke('secrets:create', { workspaceId: ws, name: 'gen', generate: { length: 48, alphabet: 'password' }, rotation: { everyDays: 1 } })));
    keep(unwrap(await t.invoke('secrets:rotate', { workspaceId: ws, id: a.id, value: plant('rotate') })));
    keep(unwrap(await t.invoke('secrets:rotate', { workspaceId: ws, id: j.id, value: { token: plant('json-rotate') } })));
    keep(unwrap(await t.invoke('secrets:rollback', { workspaceId: ws, id: a.id, version: 1 })));
    // A refused value (too large) must not linger either.
    keep(await t.invoke('secrets:rotate', { workspaceId: ws, id: a.id, value: plant('too-big') + 'x'.repeat(70_000) }));
    keep(await t.invoke('secrets:create', { workspaceId: ws, name: 'plain', value: plant('dup-name') }));
    now += 2 * 86_400_000;
    await t.core.scheduler.runDue();
    // Generated values are only known through reveal: collect them as canaries too.
    for (const id of [a.id, j.id, g.id]) {
      const r = unwrap(await t.invoke('secrets:reveal', { workspaceId: ws, id }));
      if (id === g.id) canaries.push(r.value as string);
    }
    keep(unwrap(await t.invoke('secrets:list', { workspaceId: ws })));
    for (const id of [a.id, j.id, g.id]) keep(unwrap(await t.invoke('secrets:get', { workspaceId: ws, id })));
    keep(unwrap(await t.invoke('secrets:delete', { workspaceId: ws, id: j.id })));
    expect(unwrap(await t.invoke('secrets:get', { workspaceId: ws, id: g.id })).secret.version).toBe(2);

    const audit = JSON.stringify(t.core.db.prepare('SELECT * FROM audit_events').all());
    expect(audit).toContain('secret.accessed');
    expect(textContainsCanary(audit, canaries)).toBeNull();
    expect(textContainsCanary(logs.join('\n'), canaries)).toBeNull();
    for (const r of responses) expect(textContainsCanary(r, canaries)).toBeNull();
    // While open (the WAL holds the recent pages), then after close (checkpointed into the main file).
    expect(scanForCanaries(canaries, t.dataDir)).toEqual([]);
    t.core.close();
    expect(scanForCanaries(canaries, t.dataDir)).toEqual([]);
    t.close();
  });
});
