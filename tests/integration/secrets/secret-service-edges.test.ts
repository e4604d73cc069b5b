import { afterEach, describe, expect, it } from 'vitest';
import { GENERATOR_ALPHABETS } from '@shared/domain/secret.catalog';
import { makeReadyCore, tempDir } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';

/**
 * The secret service's edges at the service level (issue #18's mutation run): what an update that changes nothing
 * does (nothing), the timestamps each write sets, the reveal and runtime read of a damaged row, a failed reveal
 * whose failure row cannot be written either, the list's paging limits, the size boundary, the generator's output,
 * and what the scheduled rotation records and pushes. Each assertion is on what a caller or a reviewer sees.
 */
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((c) => c()));

async function setup() {
  let now = T0;
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const logger = { log: (level: string, message: string, fields?: Record<string, unknown>) => void logs.push({ level, message, fields }) };
  const t = await makeReadyCore({ clock, logger }, tempDir());
  cleanup.push(t.close);
  const ws = t.core.workspaces.defaultWorkspace().id;
  const pushed: string[] = [];
  t.core.bus.subscribe((event, payload) => {
    if (event === 'secrets:changed') pushed.push((payload as { id: string }).id);
  });
  const audit = (action: string) => t.core.audit.list({ workspaceId: ws, action: action as never }, t.admin).items;
  return { ...t, ws, clock, logs, pushed, audit, s: t.core.secrets };
}

describe('secret service: create and the timestamps of each write', () => {
  it('a new secret has an empty description, its creation time everywhere, no rotation time, and a schedule from now', async () => {
    const t = await setup();
    const a = t.s.create({ workspaceId: t.ws, name: 'plain', value: 'v' }, t.admin);
    expect(a).toMatchObject({ description: '', version: 1, valueType: 'string', generator: null, rotation: null, createdAt: iso(T0), updatedAt: iso(T0), lastRotatedAt: null });
    const b = t.s.create({ workspaceId: t.ws, name: 'scheduled', value: { k: 1 }, rotation: { everyDays: 3 } }, t.admin);
    expect(b).toMatchObject({ valueType: 'json', lastRotatedAt: null, rotation: { everyDays: 3, nextRotationAt: iso(T0 + 3 * DAY), dueSince: null } });
    expect(t.audit('secret.created').find((e) => e.target?.id === b.id)?.details).toMatchObject({ rotationEveryDays: 3 });
    expect(t.audit('secret.created').find((e) => e.target?.id === a.id)?.details).toMatchObject({ rotationEveryDays: null });

    t.clock.advance(DAY);
    const r = t.s.rotate({ workspaceId: t.ws, id: b.id, value: 'now a string' }, t.admin);
    expect(r).toMatchObject({ version: 2, valueType: 'string', createdAt: iso(T0), updatedAt: iso(T0 + DAY), lastRotatedAt: iso(T0 + DAY), rotation: { nextRotationAt: iso(T0 + 4 * DAY) } });
    expect(t.s.get(t.ws, b.id, t.admin).versions).toEqual([
      { version: 2, valueType: 'string', source: 'rotate', restoredFrom: null, createdAt: iso(T0 + DAY), createdBy: 'tester' },
      { version: 1, valueType: 'json', source: 'create', restoredFrom: null, createdAt: iso(T0), createdBy: 'tester' },
    ]);

    // A rollback restores the old version's value type too, and counts as a rotation.
    t.clock.advance(DAY);
    const back = t.s.rollback({ workspaceId: t.ws, id: b.id, version: 1 }, t.admin);
    expect(back).toMatchObject({ version: 3, valueType: 'json', lastRotatedAt: iso(T0 + 2 * DAY), updatedAt: iso(T0 + 2 * DAY) });
    expect(t.s.reveal(t.ws, b.id, t.admin)).toEqual({ value: { k: 1 }, valueType: 'json', version: 3 });
    expect(t.s.get(t.ws, b.id, t.admin).versions[0]).toMatchObject({ version: 3, valueType: 'json', source: 'rollback' });
  });

  it('a duplicate name is a conflict on "name" that stores nothing', async () => {
    const t = await setup();
    t.s.create({ workspaceId: t.ws, name: 'dup', value: 'v' }, t.admin);
    t.pushed.length = 0;
    expect(() => t.s.create({ workspaceId: t.ws, name: 'dup', value: 'w' }, t.admin)).toThrow(
      expect.objectContaining({ code: 'CONFLICT', field: 'name', message: 'a secret named "dup" already exists in this workspace' }),
    );
    expect(t.s.list({ workspaceId: t.ws }, t.admin).items).toHaveLength(1);
    expect(t.pushed).toEqual([]);
  });

  it('a value of exactly 64 KiB is kept; one byte more is refused on "value" with the limit in the message', async () => {
    const t = await setup();
    const max = 'x'.repeat(64 * 1024);
    const s = t.s.create({ workspaceId: t.ws, name: 'max', value: max }, t.admin);
    expect(t.s.reveal(t.ws, s.id, t.admin).value).toBe(max);
    expect(() => t.s.rotate({ workspaceId: t.ws, id: s.id, value: `${max}y` }, t.admin)).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE', field: 'value', message: 'value is larger than 64 KiB: secrets hold credentials, store files in a datastore' }),
    );
    expect(t.s.get(t.ws, s.id, t.admin).secret.version).toBe(1);
  });

  it.each(Object.keys(GENERATOR_ALPHABETS) as Array<keyof typeof GENERATOR_ALPHABETS>)('a generated %s value has the length asked for, from that alphabet only', async (alphabet) => {
    const t = await setup();
    const s = t.s.create({ workspaceId: t.ws, name: `gen-${alphabet}`, generate: { length: 200, alphabet } }, t.admin);
    const v = t.s.reveal(t.ws, s.id, t.admin).value as string;
    expect(v).toHaveLength(200);
    for (const ch of v) expect(GENERATOR_ALPHABETS[alphabet]).toContain(ch);
    // 200 draws from at least 16 symbols use more than one of them.
    expect(new Set(v).size).toBeGreaterThan(8);
  });
});

describe('secret service: update changes only what differs', () => {
  it('an update that repeats the current name, description and schedule changes nothing, records nothing, pushes nothing', async () => {
    const t = await setup();
    const s = t.s.create({ workspaceId: t.ws, name: 'same', description: 'd', value: 'v', rotation: { everyDays: 5 } }, t.admin);
    t.pushed.length = 0;
    t.clock.advance(DAY);
    for (const input of [{ name: 'same' }, { description: 'd' }, { rotation: { everyDays: 5 } }, { name: 'same', description: 'd', rotation: { everyDays: 5 } }, {}]) {
      expect(t.s.update({ workspaceId: t.ws, id: s.id, ...input }, t.admin)).toEqual(s);
    }
    expect(t.audit('secret.updated')).toHaveLength(0);
    const plain = t.s.create({ workspaceId: t.ws, name: 'no-schedule', value: 'v' }, t.admin);
    expect(t.s.update({ workspaceId: t.ws, id: plain.id, rotation: null }, t.admin)).toEqual(plain);
    expect(t.audit('secret.updated')).toHaveLength(0);
    expect(t.s.get(t.ws, s.id, t.admin).secret).toEqual(s);
  });

  it('each changed field is named in the audit row; a rename says what it was; the schedule counts from the update', async () => {
    const t = await setup();
    const s = t.s.create({ workspaceId: t.ws, name: 'first', value: 'v' }, t.admin);
    t.s.create({ workspaceId: t.ws, name: 'taken', value: 'v' }, t.admin);
    t.pushed.length = 0;
    t.clock.advance(DAY);

    expect(() => t.s.update({ workspaceId: t.ws, id: s.id, name: 'taken' }, t.admin)).toThrow(
      expect.objectContaining({ code: 'CONFLICT', field: 'name', message: 'a secret named "taken" already exists in this workspace' }),
    );
    // Another case of its own name is a rename of itself, not a conflict.
    expect(t.s.update({ workspaceId: t.ws, id: s.id, name: 'FIRST' }, t.admin)).toMatchObject({ name: 'FIRST', updatedAt: iso(T0 + DAY) });
    expect(t.audit('secret.updated')[0]!.details).toEqual({ fields: ['name'], from: 'first', rotationEveryDays: null });

    t.clock.advance(DAY);
    const d = t.s.update({ workspaceId: t.ws, id: s.id, description: 'new words' }, t.admin);
    expect(d).toMatchObject({ description: 'new words', name: 'FIRST', updatedAt: iso(T0 + 2 * DAY), rotation: null });
    expect(t.audit('secret.updated')[0]!.details).toEqual({ fields: ['description'], rotationEveryDays: null });

    t.clock.advance(DAY);
    const r = t.s.update({ workspaceId: t.ws, id: s.id, rotation: { everyDays: 2 } }, t.admin);
    expect(r.rotation).toEqual({ everyDays: 2, nextRotationAt: iso(T0 + 5 * DAY), dueSince: null });
    expect(t.audit('secret.updated')[0]!.details).toEqual({ fields: ['rotation'], rotationEveryDays: 2 });
    expect(t.s.update({ workspaceId: t.ws, id: s.id, rotation: { everyDays: 4 } }, t.admin).rotation).toEqual({ everyDays: 4, nextRotationAt: iso(T0 + 7 * DAY), dueSince: null });

    const off = t.s.update({ workspaceId: t.ws, id: s.id, rotation: null }, t.admin);
    expect(off.rotation).toBeNull();
    expect(t.audit('secret.updated')[0]!.details).toEqual({ fields: ['rotation'], rotationEveryDays: null });
    expect(t.pushed).toEqual([s.id, s.id, s.id, s.id, s.id]);
    expect(t.s.get(t.ws, s.id, t.admin).secret).toEqual(off);
  });

  it('an unknown id is not found for every write, and nothing is recorded', async () => {
    const t = await setup();
    const id = '00000000-0000-4000-8000-000000000000';
    const nf = expect.objectContaining({ code: 'NOT_FOUND', message: `secret ${id} in this workspace not found` });
    expect(() => t.s.update({ workspaceId: t.ws, id, name: 'x' }, t.admin)).toThrow(nf);
    expect(() => t.s.rotate({ workspaceId: t.ws, id, value: 'x' }, t.admin)).toThrow(nf);
    expect(() => t.s.rollback({ workspaceId: t.ws, id, version: 1 }, t.admin)).toThrow(nf);
    expect(() => t.s.remove({ workspaceId: t.ws, id }, t.admin)).toThrow(nf);
    expect(() => t.s.get(t.ws, id, t.admin)).toThrow(nf);
    expect(() => t.s.reveal(t.ws, id, t.admin)).toThrow(nf);
    expect(() => t.s.readForRuntime(t.ws, id)).toThrow(nf);
    // A reveal of a secret that does not exist has no target to record, allowed or not.
    const as = roleActors(t.core);
    expect(() => t.s.reveal(t.ws, id, as('editor', t.ws))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(t.core.db.prepare('SELECT COUNT(*) AS n FROM audit_events WHERE action LIKE ?').get('secret.%')).toEqual({ n: 0 });
  });

  it('a rollback to a version no longer kept says how many are kept', async () => {
    const t = await setup();
    const s = t.s.create({ workspaceId: t.ws, name: 'k', value: 'v1' }, t.admin);
    expect(() => t.s.rollback({ workspaceId: t.ws, id: s.id, version: 7 }, t.admin)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'version', message: 'version 7 is not kept (only the last 10 are); pick one from the versions list' }),
    );
  });
});

describe('secret service: list and get', () => {
  it('a page of exactly `limit` rows has no next cursor; a search is trimmed, and a blank one lists all', async () => {
    const t = await setup();
    for (const n of ['alpha', 'beta', 'gamma']) t.s.create({ workspaceId: t.ws, name: n, value: 'v' }, t.admin);
    expect(t.s.list({ workspaceId: t.ws, limit: 3 }, t.admin)).toMatchObject({ nextCursor: null });
    const first = t.s.list({ workspaceId: t.ws, limit: 2 }, t.admin);
    expect(first.items.map((s) => s.name)).toEqual(['alpha', 'beta']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = t.s.list({ workspaceId: t.ws, limit: 2, cursor: first.nextCursor! }, t.admin);
    expect(second).toMatchObject({ items: [{ name: 'gamma' }], nextCursor: null });
    expect(t.s.list({ workspaceId: t.ws, search: '  be ' }, t.admin).items.map((s) => s.name)).toEqual(['beta']);
    expect(t.s.list({ workspaceId: t.ws, search: '   ' }, t.admin).items).toHaveLength(3);
    expect(t.s.list({ workspaceId: t.ws }, t.admin)).toMatchObject({ nextCursor: null });
  });

  it('the default page is 50', async () => {
    const t = await setup();
    for (let i = 0; i < 51; i++) t.s.create({ workspaceId: t.ws, name: `s${String(i).padStart(2, '0')}`, value: 'v' }, t.admin);
    const p = t.s.list({ workspaceId: t.ws }, t.admin);
    expect(p.items).toHaveLength(50);
    expect(p.items.at(-1)!.name).toBe('s49');
    expect(t.s.list({ workspaceId: t.ws, cursor: p.nextCursor! }, t.admin).items.map((s) => s.name)).toEqual(['s50']);
  });

  it('get shows no last access before the first reveal, then the reveal from the audit log', async () => {
    const t = await setup();
    const s = t.s.create({ workspaceId: t.ws, name: 'g', value: 'v' }, t.admin);
    expect(t.s.get(t.ws, s.id, t.admin)).toMatchObject({ lastAccess: null, references: [] });
    t.clock.advance(1000);
    t.s.reveal(t.ws, s.id, { ...t.admin, origin: '198.51.100.4' });
    expect(t.s.get(t.ws, s.id, t.admin).lastAccess).toEqual({ at: iso(T0 + 1000), actorName: 'tester', origin: '198.51.100.4' });
  });
});

describe('secret service: a damaged row and a failed failure row', () => {
  it('a missing current version is INTEGRITY_FAILED for reveal (with its failure row) and for the runtime read', async () => {
    const t = await setup();
    const s = t.s.create({ workspaceId: t.ws, name: 'damaged', value: 'v1' }, t.admin);
    t.s.rotate({ workspaceId: t.ws, id: s.id, value: 'v2' }, t.admin);
    t.core.db.prepare('DELETE FROM secret_versions WHERE secret_id = ? AND version = 2').run(s.id);
    const integrity = expect.objectContaining({ code: 'INTEGRITY_FAILED', message: 'the current version of this secret is missing; roll back to a kept version or rotate it' });
    expect(() => t.s.reveal(t.ws, s.id, t.admin)).toThrow(integrity);
    expect(() => t.s.readForRuntime(t.ws, s.id)).toThrow(integrity);
    expect(t.audit('secret.accessed').map((e) => [e.outcome, e.details])).toEqual([['failure', { reason: 'INTEGRITY_FAILED' }]]);
    expect(t.audit('secret.accessed')[0]).toMatchObject({ target: { type: 'secret', id: s.id, name: 'damaged' } });
    // The way out the message names works.
    t.s.rollback({ workspaceId: t.ws, id: s.id, version: 1 }, t.admin);
    expect(t.s.reveal(t.ws, s.id, t.admin).value).toBe('v1');
    expect(t.s.readForRuntime(t.ws, s.id)).toBe('v1');
  });

  it('the runtime read gives text as is and an object as compact JSON', async () => {
    const t = await setup();
    const a = t.s.create({ workspaceId: t.ws, name: 'text', value: '{"not":"parsed"} ' }, t.admin);
    const b = t.s.create({ workspaceId: t.ws, name: 'object', value: { user: 'u', n: 2 } }, t.admin);
    expect(t.s.readForRuntime(t.ws, a.id)).toBe('{"not":"parsed"} ');
    expect(t.s.readForRuntime(t.ws, b.id)).toBe('{"user":"u","n":2}');
    t.s.rotate({ workspaceId: t.ws, id: a.id, value: 'second' }, t.admin);
    expect(t.s.readForRuntime(t.ws, a.id)).toBe('second');
    // The runtime read is not a reveal: no audit row.
    expect(t.audit('secret.accessed')).toHaveLength(0);
  });

  it('when not even the failure row can be written, the reveal still fails with the first error and the log says so without the value', async () => {
    const t = await setup();
    const s = t.s.create({ workspaceId: t.ws, name: 'no-audit', value: 'hidden-value' }, t.admin);
    t.core.db.exec(`CREATE TRIGGER no_access_audit BEFORE INSERT ON audit_events WHEN NEW.action = 'secret.accessed'
      BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END`);
    // The success row is refused first (so no decrypt), then the failure row too.
    expect(() => t.s.reveal(t.ws, s.id, t.admin)).toThrow('audit unavailable');
    const as = roleActors(t.core);
    expect(() => t.s.reveal(t.ws, s.id, as('editor', t.ws))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    const errors = t.logs.filter((l) => l.level === 'error');
    expect(errors).toEqual([
      { level: 'error', message: 'could not record a failed secret reveal', fields: { secretId: s.id } },
      { level: 'error', message: 'could not record a failed secret reveal', fields: { secretId: s.id } },
    ]);
    expect(JSON.stringify(t.logs)).not.toContain('hidden-value');
  });

  it('a reveal that fails for a reason other than an AppError is recorded as INTERNAL', async () => {
    const t = await setup();
    const s = t.s.create({ workspaceId: t.ws, name: 'bad-json', value: { a: 1 } }, t.admin);
    // The current version claims JSON but holds a string: decoding it throws a plain SyntaxError.
    const text = t.s.create({ workspaceId: t.ws, name: 'text', value: 'not json' }, t.admin);
    t.core.db.prepare("UPDATE secret_versions SET value_type = 'json' WHERE secret_id = ?").run(text.id);
    t.core.db.prepare("UPDATE secrets SET value_type = 'json' WHERE id = ?").run(text.id);
    expect(() => t.s.reveal(t.ws, text.id, t.admin)).toThrow(SyntaxError);
    expect(t.audit('secret.accessed').map((e) => [e.target?.id, e.outcome, e.details])).toEqual([[text.id, 'failure', { reason: 'INTERNAL' }]]);
    expect(t.s.reveal(t.ws, s.id, t.admin).value).toEqual({ a: 1 });
  });
});

describe('secret service: the scheduled rotation records and pushes', () => {
  it('a generated secret is rotated by the system with the due time; a typed one is marked due; both push secrets:changed', async () => {
    const t = await setup();
    const gen = t.s.create({ workspaceId: t.ws, name: 'gen', generate: { length: 16, alphabet: 'hex' }, rotation: { everyDays: 1 } }, t.admin);
    const typed = t.s.create({ workspaceId: t.ws, name: 'typed', value: 'by hand', rotation: { everyDays: 2 } }, t.admin);
    const idle = t.s.create({ workspaceId: t.ws, name: 'idle', value: 'no schedule' }, t.admin);
    t.pushed.length = 0;
    t.clock.advance(2 * DAY);
    await t.s.rotationJob.tick(t.clock.now());
    expect(t.pushed.sort()).toEqual([gen.id, typed.id].sort());
    expect(t.audit('secret.rotated')[0]).toMatchObject({
      actor: { kind: 'system' },
      target: { type: 'secret', id: gen.id, name: 'gen' },
      details: { version: 2, previousVersion: 1, scheduled: true, generated: true, dueAt: iso(T0 + DAY) },
    });
    expect(t.audit('secret.updated')[0]).toMatchObject({
      actor: { kind: 'system' },
      target: { type: 'secret', id: typed.id, name: 'typed' },
      details: { rotationDue: true, dueAt: iso(T0 + 2 * DAY) },
    });
    const g = t.s.get(t.ws, gen.id, t.admin);
    expect(g.secret).toMatchObject({ version: 2, lastRotatedAt: iso(T0 + 2 * DAY), updatedAt: iso(T0 + 2 * DAY), rotation: { nextRotationAt: iso(T0 + 3 * DAY), dueSince: null } });
    expect(g.versions[0]).toMatchObject({ version: 2, source: 'scheduled', valueType: 'string' });
    expect(t.s.reveal(t.ws, gen.id, t.admin).value).toMatch(/^[0-9a-f]{16}$/);
    expect(t.s.get(t.ws, idle.id, t.admin).secret.version).toBe(1);
    // Nothing more is due at the same instant.
    await t.s.rotationJob.tick(t.clock.now());
    expect(t.pushed).toHaveLength(2);
  });
});

describe('secret service: messages and records of refusals', () => {
  it('a typed secret rotated without a value says why', async () => {
    const t = await setup();
    const s = t.s.create({ workspaceId: t.ws, name: 'typed', value: 'v' }, t.admin);
    expect(() => t.s.rotate({ workspaceId: t.ws, id: s.id }, t.admin)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'value', message: 'value is required: this secret is not generated by the app' }),
    );
  });

  it('a secret in use names its users when refused, and a forced delete records the references it cleared', async () => {
    const t = await setup();
    const s = t.s.create({ workspaceId: t.ws, name: 'jira-token', value: 'v' }, t.admin);
    const c = t.core.connections.create(
      { workspaceId: t.ws, name: 'Jira', provider: 'jira', authType: 'apikey', credentialSecretId: s.id, settings: { siteUrl: 'https://acme.atlassian.net', email: 'ops@acme.example' } },
      t.admin,
    );
    expect(() => t.s.remove({ workspaceId: t.ws, id: s.id }, t.admin)).toThrow(
      expect.objectContaining({
        code: 'CONFLICT',
        field: 'force',
        message: 'secret "jira-token" is used by connection "Jira": change those first, or delete with force to clear the references',
      }),
    );
    const c2 = t.core.connections.create(
      { workspaceId: t.ws, name: 'Jira 2', provider: 'jira', authType: 'apikey', credentialSecretId: s.id, settings: { siteUrl: 'https://acme.atlassian.net', email: 'ops@acme.example' } },
      t.admin,
    );
    // Two users are listed, comma-separated (in either order).
    expect(() => t.s.remove({ workspaceId: t.ws, id: s.id }, t.admin)).toThrow(/^secret "jira-token" is used by (connection "Jira", connection "Jira 2"|connection "Jira 2", connection "Jira"): change those first/);
    t.core.connections.remove(t.ws, c2.id, false, t.admin);
    expect(t.s.remove({ workspaceId: t.ws, id: s.id, force: true }, t.admin)).toEqual({ id: s.id, deleted: true });
    expect(t.audit('secret.deleted')[0]!.details).toEqual({ forced: true, clearedReferences: [{ type: 'connection', id: c.id, name: 'Jira' }] });
  });

  it('a denied reveal is recorded with FORBIDDEN as its reason', async () => {
    const t = await setup();
    const s = t.s.create({ workspaceId: t.ws, name: 'r', value: 'v' }, t.admin);
    const as = roleActors(t.core);
    expect(() => t.s.reveal(t.ws, s.id, as('viewer', t.ws))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(t.audit('secret.accessed').map((e) => [e.outcome, e.details, e.target])).toEqual([['denied', { reason: 'FORBIDDEN' }, { type: 'secret', id: s.id, name: 'r' }]]);
  });

  it('the rotation job is registered under its own name (the scheduler keys and logs jobs by it)', async () => {
    const t = await setup();
    expect(t.s.rotationJob.name).toBe('secrets.rotation');
  });
});
