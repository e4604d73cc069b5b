import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@shared/domain/audit';
import { createAuditService } from '@core/audit/audit-service';
import { createAuditStore } from '@core/audit/audit-store';
import { createEventBus } from '@core/events/event-bus';
import { makeTestCore, unwrap } from '../../helpers/test-core';
import { parseCsv } from '../../helpers/csv-parse';

let t: ReturnType<typeof makeTestCore>;
beforeEach(() => (t = makeTestCore()));
afterEach(() => t.close());

/** Every event the filters match, by paging audit:list: what an export must hold. */
async function allPages(q: Record<string, unknown>): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = unwrap(await t.invoke('audit:list', { workspaceId: String(q.workspaceId), ...q, limit: 500, ...(cursor ? { cursor } : {}) }));
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

describe('audit:export', () => {
  it('holds every matching event (past one read batch, not just a page), newest first, in CSV and in JSON', async () => {
    const ws = unwrap(await t.invoke('workspaces:create', { name: 'Export' }));
    for (let i = 0; i < 1005; i++) t.core.workspaces.rename(ws.id, `Export ${i}`, t.admin);
    const q = { workspaceId: ws.id, action: 'workspace.renamed' as const };
    const expected = await allPages(q);
    expect(expected).toHaveLength(1005);

    const json = unwrap(await t.invoke('audit:export', { ...q, format: 'json' }));
    expect(json).toMatchObject({ format: 'json', count: 1005, contentType: 'application/json; charset=utf-8' });
    expect(json.filename).toMatch(/^provenanceone-audit-.*\.json$/);
    expect(JSON.parse(json.content)).toEqual(expected);

    const csv = unwrap(await t.invoke('audit:export', { ...q, format: 'csv' }));
    expect(csv).toMatchObject({ format: 'csv', count: 1005, contentType: 'text/csv; charset=utf-8' });
    const rows = parseCsv(csv.content);
    expect(rows).toHaveLength(1006);
    expect(rows[0]!.slice(0, 3)).toEqual(['time (UTC)', 'action', 'event']);
    expect(rows.slice(1).map((r) => r[13])).toEqual(expected.map((e) => e.id));
    expect(rows[1]!.slice(1, 5)).toEqual(['workspace.renamed', 'Workspace renamed', 'low', 'success']);
  });

  it('applies the same filters as the list (action, risk, actor, dates)', async () => {
    const ws = unwrap(await t.invoke('workspaces:create', { name: 'Filters' }));
    t.core.workspaces.rename(ws.id, 'Filters 2', t.admin);
    for (const q of [
      { risk: 'medium' as const },
      { actor: t.admin.name },
      { actor: 'nobody' },
      { from: '2999-01-01T00:00:00.000Z' },
      { to: '2000-01-01T00:00:00.000Z' },
      { action: 'workspace.created' as const },
    ]) {
      const expected = await allPages({ workspaceId: ws.id, ...q });
      const out = unwrap(await t.invoke('audit:export', { workspaceId: ws.id, format: 'json', ...q }));
      expect(JSON.parse(out.content)).toEqual(expected);
      expect(out.count).toBe(expected.length);
    }
  });

  it('keeps a name that looks like a formula as text in the CSV, and its commas and quotes in one cell', async () => {
    const name = '=HYPERLINK("http://example.invalid", "click"), +1';
    const ws = unwrap(await t.invoke('workspaces:create', { name }));
    const csv = unwrap(await t.invoke('audit:export', { workspaceId: ws.id, format: 'csv', action: 'workspace.created' }));
    const rows = parseCsv(csv.content);
    expect(rows).toHaveLength(2);
    expect(rows[1]![10]).toBe(`'${name}`);
  });

  it('refuses an export over the limit with what to do, instead of building a file too big to use', () => {
    const ws = t.core.workspaces.defaultWorkspace().id;
    for (let i = 0; i < 4; i++) t.core.workspaces.rename(ws, `Default ${i}`, t.admin);
    // The same log, read by a service whose limit is 3 (the access check is the gate suite's subject).
    const small = createAuditService({ store: createAuditStore(t.core.db), clock: { now: () => new Date() }, bus: createEventBus(), access: { assert: () => undefined }, exportMax: 3 });
    expect(() => small.exportLog({ workspaceId: ws, format: 'csv' }, t.admin)).toThrow(/^More than 3 events match\. Narrow the filters/);
    expect(small.exportLog({ workspaceId: ws, format: 'csv', action: 'workspace.created' }, t.admin).count).toBeLessThanOrEqual(3);
  });

  it('refuses an unknown format or a page-size field (strict input)', async () => {
    const ws = t.core.workspaces.defaultWorkspace().id;
    const bad = await t.invoke('audit:export', { workspaceId: ws, format: 'xlsx' } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const paged = await t.invoke('audit:export', { workspaceId: ws, format: 'csv', limit: 5 } as never);
    expect(paged).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
