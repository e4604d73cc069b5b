import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { count, makeTestCore, unwrap } from '../../helpers/test-core';

let t: ReturnType<typeof makeTestCore>;
beforeEach(() => (t = makeTestCore()));
afterEach(() => t.close());

describe('workspaces', () => {
  it('creates a Default workspace on first run, once', () => {
    expect(t.core.workspaces.list(t.admin).map((w) => w.name)).toEqual(['Default']);
    t.core.workspaces.ensureDefault(t.admin);
    expect(t.core.workspaces.list(t.admin)).toHaveLength(1);
  });

  it('creates, lists and renames workspaces over the contract', async () => {
    const ws = unwrap(await t.invoke('workspaces:create', { name: 'Ops' }));
    expect(unwrap(await t.invoke('workspaces:list', undefined)).map((w) => w.name)).toEqual(['Default', 'Ops']);
    const renamed = unwrap(await t.invoke('workspaces:rename', { id: ws.id, name: 'Operations' }));
    expect(renamed).toMatchObject({ id: ws.id, name: 'Operations' });
  });

  it('refuses a duplicate name (case-insensitive) with CONFLICT naming the field, and writes nothing', async () => {
    const before = [count(t.core.db, 'workspaces'), count(t.core.db, 'audit_events')];
    const r = await t.invoke('workspaces:create', { name: 'DEFAULT' });
    expect(r).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'name' } });
    expect([count(t.core.db, 'workspaces'), count(t.core.db, 'audit_events')]).toEqual(before);
  });

  it('refuses renaming a workspace that does not exist', async () => {
    const r = await t.invoke('workspaces:rename', { id: '00000000-0000-4000-8000-000000000000', name: 'x' });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('audit log', () => {
  it('records workspace.created with actor, origin and target, atomically with the change', async () => {
    const ws = unwrap(await t.invoke('workspaces:create', { name: 'Audited' }));
    const page = unwrap(await t.invoke('audit:list', { workspaceId: ws.id }));
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      action: 'workspace.created',
      risk: 'medium',
      actor: { kind: 'local', name: 'tester' },
      origin: 'ipc',
      target: { type: 'workspace', id: ws.id, name: 'Audited' },
      outcome: 'success',
      workspaceId: ws.id,
    });
  });

  it('a change that fails after its audit row is written leaves neither', () => {
    const before = [count(t.core.db, 'workspaces'), count(t.core.db, 'audit_events')];
    expect(() =>
      t.core.audit.withAudit(
        () => {
          t.core.db.prepare("INSERT INTO settings (key, value) VALUES ('x', '1')").run();
          t.core.audit.record({ workspaceId: null, action: 'settings.updated', actor: t.admin, target: { type: 'settings', id: 'x' } });
          throw new Error('change failed');
        },
        () => ({ workspaceId: null, action: 'settings.updated', actor: t.admin, target: { type: 'settings', id: 'x' } }),
      ),
    ).toThrow('change failed');
    expect([count(t.core.db, 'workspaces'), count(t.core.db, 'audit_events')]).toEqual(before);
    expect(count(t.core.db, 'settings')).toBe(0);
  });

  it('an audit row that cannot be written undoes the change it describes', () => {
    const before = count(t.core.db, 'settings');
    expect(() =>
      t.core.audit.withAudit(
        () => t.core.db.prepare("INSERT INTO settings (key, value) VALUES ('y', '1')").run(),
        // An unknown action has no risk: the insert violates the CHECK constraint and must roll back the change.
        () => ({ workspaceId: null, action: 'no.such' as never, actor: t.admin, target: { type: 'settings', id: 'y' } }),
      ),
    ).toThrow();
    expect(count(t.core.db, 'settings')).toBe(before);
  });

  it('is append-only: UPDATE and DELETE are refused by the database', () => {
    expect(() => t.core.db.prepare("UPDATE audit_events SET action = 'x'").run()).toThrow(/append-only/);
    expect(() => t.core.db.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
  });

  it('redacts secret-looking keys in details', () => {
    const ws = t.core.workspaces.defaultWorkspace();
    t.core.audit.record({
      workspaceId: ws.id,
      action: 'settings.updated',
      actor: t.admin,
      target: { type: 'settings', id: 's' },
      details: { field: 'theme', password: 'hunter2', nested: { apiKey: 'k-123', ok: 1 } },
    });
    const row = t.core.audit.list({ workspaceId: ws.id, action: 'settings.updated' }, t.admin).items[0]!;
    expect(row.details).toEqual({ field: 'theme', password: '[redacted]', nested: { apiKey: '[redacted]', ok: 1 } });
    expect(JSON.stringify(row)).not.toContain('hunter2');
  });

  it('filters by action, risk, actor and time and pages by keyset without gaps or repeats', async () => {
    const ws = unwrap(await t.invoke('workspaces:create', { name: 'Paged' }));
    for (let i = 0; i < 23; i++) unwrap(await t.invoke('workspaces:rename', { id: ws.id, name: `Paged ${i}` }));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = unwrap(await t.invoke('audit:list', { workspaceId: ws.id, limit: 10, ...(cursor ? { cursor } : {}) }));
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(24);
    expect(unwrap(await t.invoke('audit:list', { workspaceId: ws.id, action: 'workspace.created' })).items).toHaveLength(1);
    expect(unwrap(await t.invoke('audit:list', { workspaceId: ws.id, risk: 'low' })).items).toHaveLength(23);
    expect(unwrap(await t.invoke('audit:list', { workspaceId: ws.id, actor: 'nobody' })).items).toHaveLength(0);
    expect(unwrap(await t.invoke('audit:list', { workspaceId: ws.id, from: '2999-01-01T00:00:00.000Z' })).items).toHaveLength(0);
  });

  it('answers from the lookup index even before it has caught up, and the index catches up by itself', async () => {
    const ws = t.core.workspaces.defaultWorkspace();
    const indexed = () => count(t.core.db, 'audit_index');
    const before = indexed();
    t.core.audit.withAudit(() => 1, () => ({ workspaceId: ws.id, action: 'workspace.renamed', actor: t.admin, target: { type: 'workspace', id: ws.id } }));
    // Written with its change; the index lags until after the commit, yet a query sees the event at once.
    expect(indexed()).toBe(before);
    expect(unwrap(await t.invoke('audit:list', { workspaceId: ws.id, action: 'workspace.renamed' })).items).toHaveLength(1);
    expect(indexed()).toBe(count(t.core.db, 'audit_events'));
    t.core.audit.withAudit(() => 1, () => ({ workspaceId: ws.id, action: 'workspace.renamed', actor: t.admin, target: { type: 'workspace', id: ws.id } }));
    await expect.poll(indexed).toBe(count(t.core.db, 'audit_events'));
  });

  it('pushes audit:appended after the transaction ends, for committed events only, in order', async () => {
    const ws = t.core.workspaces.defaultWorkspace();
    const entry = (action: 'workspace.renamed' | 'settings.updated' | 'workspace.created') =>
      ({ workspaceId: ws.id, action, actor: t.admin, target: { type: 'workspace', id: ws.id } }) as const;
    const pushed: string[] = [];
    const unsubscribe = t.core.bus.subscribe((event, payload) => {
      if (event === 'audit:appended') pushed.push((payload as { action: string }).action);
    });
    try {
      t.core.audit.withAudit(() => 1, () => entry('workspace.renamed'));
      expect(() =>
        t.core.db.transaction(() => {
          t.core.audit.record(entry('workspace.created'));
          throw new Error('roll back');
        })(),
      ).toThrow('roll back');
      t.core.audit.withAudit(() => 1, () => entry('settings.updated'));
      // Nothing is pushed while the synchronous run that wrote them goes on.
      expect(pushed).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(pushed).toEqual(['workspace.renamed', 'settings.updated']);
      // Outside a transaction the row is committed when record returns: pushed at once.
      t.core.audit.record(entry('workspace.renamed'));
      expect(pushed).toEqual(['workspace.renamed', 'settings.updated', 'workspace.renamed']);
    } finally {
      unsubscribe();
    }
  });

  it('rejects a forged cursor with INVALID_INPUT', async () => {
    const ws = t.core.workspaces.defaultWorkspace();
    const r = await t.invoke('audit:list', { workspaceId: ws.id, cursor: 'not-a-cursor!!' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'cursor' } });
  });
});

describe('reference index', () => {
  it('lists who references a resource, updates names, and forgets a deleted referrer', () => {
    const ws = t.core.workspaces.defaultWorkspace().id;
    const refs = t.core.references;
    refs.set(ws, { type: 'connection', id: 'c1', name: 'Slack prod' }, { type: 'secret', id: 's1' });
    refs.set(ws, { type: 'connection', id: 'c2', name: 'Jira' }, { type: 'secret', id: 's1' });
    refs.set(ws, { type: 'connection', id: 'c1', name: 'Slack (renamed)' }, { type: 'secret', id: 's1' });
    expect(refs.referencesTo({ type: 'secret', id: 's1' })).toEqual([
      { fromType: 'connection', fromId: 'c2', fromName: 'Jira' },
      { fromType: 'connection', fromId: 'c1', fromName: 'Slack (renamed)' },
    ]);
    refs.clearFrom({ type: 'connection', id: 'c2' });
    expect(refs.referencesTo({ type: 'secret', id: 's1' }).map((r) => r.fromId)).toEqual(['c1']);
  });
});
