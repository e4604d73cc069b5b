import { afterEach, describe, expect, it } from 'vitest';
import { secretAad } from '@core/secrets/secret-service';
import { count, makeReadyCore, makeTestCore, unwrap } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';
import { canary, textContainsCanary } from '../../helpers/canary';

const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((c) => c()));

async function ready() {
  const t = await makeReadyCore();
  cleanup.push(t.close);
  const ws = t.core.workspaces.defaultWorkspace().id;
  return { ...t, ws };
}

describe('secrets: create, list, get', () => {
  it('creates a secret whose value appears in no response, and lists it by name', async () => {
    const t = await ready();
    const value = canary('create');
    const created = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'stripe-key', value, description: 'live key' }));
    expect(created).toMatchObject({ name: 'stripe-key', description: 'live key', version: 1, valueType: 'string', generator: null, rotation: null, lastRotatedAt: null });
    const listed = unwrap(await t.invoke('secrets:list', { workspaceId: t.ws }));
    const detail = unwrap(await t.invoke('secrets:get', { workspaceId: t.ws, id: created.id }));
    expect(listed.items.map((s) => s.id)).toEqual([created.id]);
    expect(detail.versions).toHaveLength(1);
    expect(detail.lastAccess).toBeNull();
    for (const out of [created, listed, detail]) expect(textContainsCanary(JSON.stringify(out), [value])).toBeNull();
  });

  it('accepts a JSON object value and round-trips it through reveal', async () => {
    const t = await ready();
    const obj = { user: 'svc', password: canary('json'), nested: { port: 5432 } };
    const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'db', value: obj }));
    expect(s.valueType).toBe('json');
    expect(unwrap(await t.invoke('secrets:reveal', { workspaceId: t.ws, id: s.id }))).toEqual({ value: obj, valueType: 'json', version: 1 });
  });

  it.each([
    [{ name: '' , value: 'x' }, 'name'],
    [{ name: 'a' }, 'value'],
    [{ name: 'a', value: '' }, 'value'],
    [{ name: 'a', value: 42 }, 'value'],
    [{ name: 'a', value: ['x'] }, 'value'],
    [{ name: 'a', value: 'x', generate: { length: 20, alphabet: 'hex' } }, 'generate'],
    [{ name: 'a', generate: { length: 4, alphabet: 'hex' } }, 'generate.length'],
    [{ name: 'a', value: 'x', extra: 1 }, 'extra'],
  ])('rejects bad input %j naming the field %s, and writes nothing', async (input, field) => {
    const t = await ready();
    const r = await t.invoke('secrets:create', { workspaceId: t.ws, ...input } as never);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'INVALID_INPUT', field });
    expect(count(t.core.db, 'secrets')).toBe(0);
  });

  it('refuses a value over 64 KiB with PAYLOAD_TOO_LARGE and no trace of it', async () => {
    const t = await ready();
    const big = canary('big') + 'x'.repeat(64 * 1024);
    const r = await t.invoke('secrets:create', { workspaceId: t.ws, name: 'big', value: big });
    expect(r).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE', field: 'value' } });
    expect(JSON.stringify(r)).not.toContain('canary');
    expect(count(t.core.db, 'secrets')).toBe(0);
    expect(unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'just-fits', value: 'y'.repeat(64 * 1024) })).version).toBe(1);
  });

  it('names are unique per workspace regardless of case, but may repeat across workspaces', async () => {
    const t = await ready();
    unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'API_KEY', value: 'a' }));
    const dup = await t.invoke('secrets:create', { workspaceId: t.ws, name: 'api_key', value: 'b' });
    expect(dup).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'name' } });
    const other = unwrap(await t.invoke('workspaces:create', { name: 'Other' }));
    expect(unwrap(await t.invoke('secrets:create', { workspaceId: other.id, name: 'API_KEY', value: 'c' })).name).toBe('API_KEY');
    expect(unwrap(await t.invoke('secrets:list', { workspaceId: other.id })).items).toHaveLength(1);
  });

  it('ids are case-sensitive, and a secret is invisible from another workspace', async () => {
    const t = await ready();
    const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'x', value: 'v' }));
    expect(await t.invoke('secrets:get', { workspaceId: t.ws, id: s.id.toUpperCase() })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const other = unwrap(await t.invoke('workspaces:create', { name: 'Other' }));
    expect(await t.invoke('secrets:get', { workspaceId: other.id, id: s.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await t.invoke('secrets:reveal', { workspaceId: other.id, id: s.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('pages through the list with a keyset cursor and searches by part of the name', async () => {
    const t = await ready();
    const names = Array.from({ length: 25 }, (_, i) => `svc-${String(i).padStart(2, '0')}`).concat(['Alpha', 'beta', 'SVC-extra']);
    for (const name of names) unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name, value: 'v' }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = unwrap(await t.invoke('secrets:list', { workspaceId: t.ws, limit: 7, ...(cursor ? { cursor } : {}) }));
      seen.push(...page.items.map((s) => s.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(names.length);
    expect(seen.slice(0, 2)).toEqual(['Alpha', 'beta']);
    const found = unwrap(await t.invoke('secrets:list', { workspaceId: t.ws, search: 'svc-1' })).items.map((s) => s.name);
    expect(found).toEqual(Array.from({ length: 10 }, (_, i) => `svc-1${i}`));
    expect(unwrap(await t.invoke('secrets:list', { workspaceId: t.ws, search: 'SVC-E' })).items.map((s) => s.name)).toEqual(['SVC-extra']);
    expect(await t.invoke('secrets:list', { workspaceId: t.ws, cursor: 'garbage!' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'cursor' } });
  });

  it('a rename keeps the id and what references it, finds it by the new name only, and refuses a taken name', async () => {
    const t = await ready();
    const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'slack-token', value: 'v' }));
    unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'taken', value: 'v' }));
    t.core.references.set(t.ws, { type: 'connection', id: 'c1', name: 'Slack prod' }, { type: 'secret', id: s.id });
    expect(await t.invoke('secrets:update', { workspaceId: t.ws, id: s.id, name: 'TAKEN' })).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'name' } });
    const renamed = unwrap(await t.invoke('secrets:update', { workspaceId: t.ws, id: s.id, name: 'slack-bot-token', description: 'the bot' }));
    expect(renamed).toMatchObject({ id: s.id, name: 'slack-bot-token', description: 'the bot', version: 1 });
    const d = unwrap(await t.invoke('secrets:get', { workspaceId: t.ws, id: s.id }));
    expect(d.references).toEqual([{ fromType: 'connection', fromId: 'c1', fromName: 'Slack prod' }]);
    expect(unwrap(await t.invoke('secrets:list', { workspaceId: t.ws, search: 'bot-tok' })).items.map((x) => x.id)).toEqual([s.id]);
    expect(unwrap(await t.invoke('secrets:list', { workspaceId: t.ws, search: 'slack-token' })).items).toEqual([]);
    expect(unwrap(await t.invoke('secrets:reveal', { workspaceId: t.ws, id: s.id })).value).toBe('v');
  });

  it('updates name, description and schedule, with secret.updated', async () => {
    const t = await ready();
    const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'old', value: 'v' }));
    const u = unwrap(await t.invoke('secrets:update', { workspaceId: t.ws, id: s.id, name: 'new', description: 'd', rotation: { everyDays: 30 } }));
    expect(u).toMatchObject({ name: 'new', description: 'd', version: 1, rotation: { everyDays: 30, dueSince: null } });
    const ev = t.core.audit.list({ workspaceId: t.ws, action: 'secret.updated' }, t.admin).items[0]!;
    expect(ev.details).toMatchObject({ fields: ['name', 'description', 'rotation'], from: 'old' });
  });
});

describe('secrets: rotate, versions, rollback', () => {
  it('rotates to a new version, keeps only the last 10, and rolls back to a kept one', async () => {
    const t = await ready();
    const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'k', value: 'v1' }));
    for (let i = 2; i <= 12; i++) unwrap(await t.invoke('secrets:rotate', { workspaceId: t.ws, id: s.id, value: `v${i}` }));
    const d = unwrap(await t.invoke('secrets:get', { workspaceId: t.ws, id: s.id }));
    expect(d.secret.version).toBe(12);
    expect(d.versions.map((v) => v.version)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(count(t.core.db, 'secret_versions')).toBe(10);
    expect(t.core.audit.list({ workspaceId: t.ws, action: 'secret.rotated' }, t.admin).items).toHaveLength(11);

    expect(await t.invoke('secrets:rollback', { workspaceId: t.ws, id: s.id, version: 2 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'version' } });
    const rolled = unwrap(await t.invoke('secrets:rollback', { workspaceId: t.ws, id: s.id, version: 5 }));
    expect(rolled.version).toBe(13);
    expect(unwrap(await t.invoke('secrets:reveal', { workspaceId: t.ws, id: s.id })).value).toBe('v5');
    const ev = t.core.audit.list({ workspaceId: t.ws, action: 'secret.rolled_back' }, t.admin).items[0]!;
    expect(ev.details).toMatchObject({ restoredVersion: 5, version: 13, previousVersion: 12 });
    // The new version says which version it came from; the others say nothing of the kind.
    const after = unwrap(await t.invoke('secrets:get', { workspaceId: t.ws, id: s.id }));
    expect(after.versions.slice(0, 2)).toMatchObject([
      { version: 13, source: 'rollback', restoredFrom: 5 },
      { version: 12, source: 'rotate', restoredFrom: null },
    ]);
  });

  it('a generated secret rotates without a value; a plain one needs one', async () => {
    const t = await ready();
    const g = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'gen', generate: { length: 40, alphabet: 'hex' } }));
    expect(g.generator).toEqual({ length: 40, alphabet: 'hex' });
    const first = unwrap(await t.invoke('secrets:reveal', { workspaceId: t.ws, id: g.id })).value as string;
    expect(first).toMatch(/^[0-9a-f]{40}$/);
    unwrap(await t.invoke('secrets:rotate', { workspaceId: t.ws, id: g.id }));
    const second = unwrap(await t.invoke('secrets:reveal', { workspaceId: t.ws, id: g.id })).value as string;
    expect(second).toMatch(/^[0-9a-f]{40}$/);
    expect(second).not.toBe(first);
    const p = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'plain', value: 'x' }));
    expect(await t.invoke('secrets:rotate', { workspaceId: t.ws, id: p.id })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'value' } });
  });
});

describe('secrets: reveal is audited and cannot be suppressed', () => {
  it('writes secret.accessed (high) with actor, time and IP, and shows it as last access', async () => {
    const t = await ready();
    const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'r', value: 'top' }));
    const actor = { ...t.admin, origin: '10.1.2.3' };
    expect(unwrap(await t.invoke('secrets:reveal', { workspaceId: t.ws, id: s.id }, actor)).value).toBe('top');
    const ev = t.core.audit.list({ workspaceId: t.ws, action: 'secret.accessed' }, t.admin).items;
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ risk: 'high', origin: '10.1.2.3', outcome: 'success', actor: { name: 'tester' }, target: { id: s.id, name: 'r' } });
    expect(unwrap(await t.invoke('secrets:get', { workspaceId: t.ws, id: s.id })).lastAccess).toMatchObject({ actorName: 'tester', origin: '10.1.2.3' });
  });

  it('fails, returning no value, when the audit row cannot be written', async () => {
    const t = await ready();
    const value = canary('noaudit');
    const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'r', value }));
    t.core.db.exec(`CREATE TRIGGER no_access_audit BEFORE INSERT ON audit_events WHEN NEW.action = 'secret.accessed'
      BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END`);
    const r = await t.invoke('secrets:reveal', { workspaceId: t.ws, id: s.id });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain(value);
    t.core.db.exec('DROP TRIGGER no_access_audit');
    expect(t.core.audit.list({ workspaceId: t.ws, action: 'secret.accessed' }, t.admin).items).toHaveLength(0);
  });

  it('a locked vault refuses reveal and rotate with VAULT_LOCKED, while metadata stays listable', async () => {
    const t = await ready();
    const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'r', value: 'v' }));
    t.core.vault.lock(t.admin);
    expect(await t.invoke('secrets:reveal', { workspaceId: t.ws, id: s.id })).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(await t.invoke('secrets:rotate', { workspaceId: t.ws, id: s.id, value: 'w' })).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'n', value: 'w' })).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(unwrap(await t.invoke('secrets:list', { workspaceId: t.ws })).items).toHaveLength(1);
    expect(unwrap(await t.invoke('secrets:get', { workspaceId: t.ws, id: s.id })).secret.version).toBe(1);
    const failed = t.core.audit.list({ workspaceId: t.ws, action: 'secret.accessed' }, t.admin).items;
    expect(failed.map((e) => [e.outcome, e.details.reason])).toEqual([['failure', 'VAULT_LOCKED']]);
  });

  it('an uninitialized vault refuses to create secrets with VAULT_LOCKED', async () => {
    const t = makeTestCore();
    cleanup.push(t.close);
    const ws = t.core.workspaces.defaultWorkspace().id;
    expect(await t.invoke('secrets:create', { workspaceId: ws, name: 'n', value: 'w' })).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(count(t.core.db, 'secrets')).toBe(0);
  });
});

describe('secrets: tamper', () => {
  it('a ciphertext swapped between two secrets, or between versions, refuses to open', async () => {
    const t = await ready();
    const a = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'a', value: 'alpha' }));
    const b = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'b', value: 'bravo' }));
    const ct = (id: string, v = 1) =>
      (t.core.db.prepare('SELECT ciphertext FROM secret_versions WHERE secret_id = ? AND version = ?').get(id, v) as { ciphertext: Buffer }).ciphertext;
    const set = (id: string, c: Buffer, v = 1) => t.core.db.prepare('UPDATE secret_versions SET ciphertext = ? WHERE secret_id = ? AND version = ?').run(c, id, v);
    const [ca, cb] = [ct(a.id), ct(b.id)];
    set(a.id, cb);
    set(b.id, ca);
    for (const id of [a.id, b.id]) {
      expect(await t.invoke('secrets:reveal', { workspaceId: t.ws, id })).toMatchObject({ ok: false, error: { code: 'INTEGRITY_FAILED' } });
    }
    set(a.id, ca);
    unwrap(await t.invoke('secrets:rotate', { workspaceId: t.ws, id: a.id, value: 'alpha2' }));
    set(a.id, ca, 2); // version 1's ciphertext under version 2's row
    expect(await t.invoke('secrets:reveal', { workspaceId: t.ws, id: a.id })).toMatchObject({ ok: false, error: { code: 'INTEGRITY_FAILED' } });
    const flipped = Buffer.from(ca);
    flipped[flipped.length - 20]! ^= 0x01;
    set(a.id, flipped);
    expect(await t.invoke('secrets:rollback', { workspaceId: t.ws, id: a.id, version: 1 })).toMatchObject({ ok: false, error: { code: 'INTEGRITY_FAILED' } });
    // The right ciphertext on the right row opens: the refusals above are about the binding, not the key.
    expect(t.core.vault.open(ca, secretAad(a.id, 1)).toString()).toBe('alpha');
  });
});

describe('secrets: delete', () => {
  it('is refused with the list of references unless forced, then clears them', async () => {
    const t = await ready();
    const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'shared', value: 'v' }));
    t.core.references.set(t.ws, { type: 'connection', id: 'c1', name: 'Slack prod' }, { type: 'secret', id: s.id });
    expect(unwrap(await t.invoke('secrets:get', { workspaceId: t.ws, id: s.id })).references).toEqual([{ fromType: 'connection', fromId: 'c1', fromName: 'Slack prod' }]);
    const refused = await t.invoke('secrets:delete', { workspaceId: t.ws, id: s.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (!refused.ok) expect(refused.error.message).toContain('Slack prod');
    expect(count(t.core.db, 'secrets')).toBe(1);
    unwrap(await t.invoke('secrets:delete', { workspaceId: t.ws, id: s.id, force: true }));
    expect(count(t.core.db, 'secrets')).toBe(0);
    expect(count(t.core.db, 'secret_versions')).toBe(0);
    expect(t.core.references.referencesTo({ type: 'secret', id: s.id })).toEqual([]);
    expect(t.core.audit.list({ workspaceId: t.ws, action: 'secret.deleted' }, t.admin).items[0]!.details).toMatchObject({ forced: true });
  });
});

/**
 * The docs' Secrets table over IPC (dispatch with role actors). Each row: channel, input builder, and which roles
 * may do it. Denials must be 403 and change nothing.
 */
describe('secrets: permission matrix (IPC)', () => {
  type Case = { op: string; allowed: Array<'admin' | 'editor' | 'viewer'>; run: (t: Awaited<ReturnType<typeof ready>>, id: string, actor: import('@shared/domain/actor').Actor) => ReturnType<Awaited<ReturnType<typeof ready>>['invoke']> };
  const CASES: Case[] = [
    { op: 'create secret', allowed: ['admin', 'editor'], run: (t, _id, a) => t.invoke('secrets:create', { workspaceId: t.ws, name: `n-${a.id}`, value: 'v' }, a) },
    { op: 'update secret', allowed: ['admin', 'editor'], run: (t, id, a) => t.invoke('secrets:update', { workspaceId: t.ws, id, description: a.id }, a) },
    { op: 'delete secret', allowed: ['admin', 'editor'], run: (t, id, a) => t.invoke('secrets:delete', { workspaceId: t.ws, id }, a) },
    { op: 'reveal secret', allowed: ['admin'], run: (t, id, a) => t.invoke('secrets:reveal', { workspaceId: t.ws, id }, a) },
    { op: 'rotate secret', allowed: ['admin', 'editor'], run: (t, id, a) => t.invoke('secrets:rotate', { workspaceId: t.ws, id, value: 'new' }, a) },
    { op: 'roll back secret', allowed: ['admin'], run: (t, id, a) => t.invoke('secrets:rollback', { workspaceId: t.ws, id, version: 1 }, a) },
    { op: 'list secrets', allowed: ['admin', 'editor', 'viewer'], run: (t, _id, a) => t.invoke('secrets:list', { workspaceId: t.ws }, a) },
    { op: 'get secret metadata', allowed: ['admin', 'editor', 'viewer'], run: (t, id, a) => t.invoke('secrets:get', { workspaceId: t.ws, id }, a) },
  ];
  for (const c of CASES) {
    for (const role of ['admin', 'editor', 'viewer'] as const) {
      const ok = c.allowed.includes(role);
      it(`${role} ${ok ? 'may' : 'may not'} ${c.op}`, async () => {
        const t = await ready();
        const as = roleActors(t.core);
        const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'target', value: 'v1' }));
        unwrap(await t.invoke('secrets:rotate', { workspaceId: t.ws, id: s.id, value: 'v2' }));
        const before = JSON.stringify(t.core.db.prepare('SELECT * FROM secrets').all());
        const r = await c.run(t, s.id, as(role, t.ws));
        if (ok) expect(r.ok).toBe(true);
        else {
          expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
          expect(JSON.stringify(t.core.db.prepare('SELECT * FROM secrets').all())).toBe(before);
        }
      });
    }
  }

  it('an actor with no grant in the workspace is refused everything', async () => {
    const t = await ready();
    const as = roleActors(t.core);
    const other = unwrap(await t.invoke('workspaces:create', { name: 'Other' }));
    const outsider = as('admin', other.id, 'outsider');
    expect(await t.invoke('secrets:list', { workspaceId: t.ws }, outsider)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it.each([
    [['secrets:read'], true],
    [['secrets:write'], false],
    [['admin'], true],
    [['connections:read', 'audit:read'], false],
  ])('an API key with scopes %j %s reveal', async (scopes, allowed) => {
    const t = await ready();
    t.core.access.registerResolver('apiKey', () => ({ scopes }));
    const key = { kind: 'apiKey' as const, id: 'key-1', name: 'ci key', origin: '192.0.2.7' };
    const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'target', value: 'v1' }));
    const r = await t.invoke('secrets:reveal', { workspaceId: t.ws, id: s.id }, key);
    expect(r.ok).toBe(allowed);
    if (!r.ok) expect(r.error.code).toBe('FORBIDDEN');
    const ev = t.core.audit.list({ workspaceId: t.ws, action: 'secret.accessed' }, t.admin).items[0]!;
    expect(ev).toMatchObject({ outcome: allowed ? 'success' : 'denied', origin: '192.0.2.7', actor: { kind: 'apiKey', id: 'key-1' } });
  });

  it('a denied reveal is itself recorded', async () => {
    const t = await ready();
    const as = roleActors(t.core);
    const s = unwrap(await t.invoke('secrets:create', { workspaceId: t.ws, name: 'target', value: 'v1' }));
    await t.invoke('secrets:reveal', { workspaceId: t.ws, id: s.id }, as('editor', t.ws));
    expect(t.core.audit.list({ workspaceId: t.ws, action: 'secret.accessed' }, t.admin).items.map((e) => e.outcome)).toEqual(['denied']);
  });
});
