import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '@shared/domain/actor';
import type { Datastore } from '@shared/domain/datastore';
import { localActor } from '@core/index';
import { createMemoryKeyStore } from '../../fakes/memory-key-store';
import { roleActors } from '../../helpers/actors';
import { count, makeReadyCore, makeTestCore, tempDir, unwrap } from '../../helpers/test-core';

/**
 * A datastore owns its folder (issue 14, items 1–3): a mark written at creation names the datastore under a MAC only
 * its data key can make; creation refuses a folder that is, or is inside or above, another datastore's, or that lies
 * in the data dir; delete and crash recovery touch only a folder that carries this datastore's valid mark; a custom
 * folder is an admin's choice; and a path is checked (absolute, normalised, no NUL, not /proc, /sys or /dev, a folder
 * or creatable in an existing one) before anything is written.
 */

const MARK = '.provenance-datastore';
type T = Awaited<ReturnType<typeof makeReadyCore>>;
let t: T;
let ws: string;
let sandbox: string;
let keyStore: ReturnType<typeof createMemoryKeyStore>;
beforeEach(async () => {
  keyStore = createMemoryKeyStore();
  t = await makeReadyCore({ keyStore });
  ws = t.core.workspaces.defaultWorkspace().id;
  sandbox = tempDir('p1-folders-');
});
afterEach(() => {
  t.close();
  fs.rmSync(sandbox, { recursive: true, force: true });
});

const folderOf = (d: Datastore) => (d.backend.type === 'filesystem' ? d.backend.path : '');
const create = (name: string, backend?: { type: 'filesystem'; path?: string }, actor: Actor = t.admin, workspaceId = ws) =>
  t.invoke('datastores:create', { workspaceId, name, ...(backend ? { backend } : {}) }, actor);
const put = (d: Datastore, key: string, content: string) => t.invoke('datastores:objects:putText', { workspaceId: d.workspaceId, datastoreId: d.id, key, content });
const objectFiles = (root: string) =>
  fs.existsSync(path.join(root, 'objects')) ? fs.readdirSync(path.join(root, 'objects'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];

/** An API key of `workspaceId` with `scopes`, as the actor REST would make of it. */
function keyActor(workspaceId: string, scopes: string[]): Actor {
  const k = t.core.apiKeys.create({ workspaceId, name: `key ${Math.random()}`, scopes: scopes as never }, t.admin);
  return { kind: 'apiKey', id: k.id, name: k.name, origin: '127.0.0.1' };
}

describe('a datastore owns its folder', () => {
  it('writes a mark naming the datastore when it creates the folder, managed or chosen', async () => {
    const managed = unwrap(await create('Managed'));
    const chosen = unwrap(await create('Chosen', { type: 'filesystem', path: path.join(sandbox, 'chosen') }));
    for (const d of [managed, chosen]) {
      const mark = JSON.parse(fs.readFileSync(path.join(folderOf(d), MARK), 'utf8')) as Record<string, unknown>;
      expect(mark).toMatchObject({ datastoreId: d.id, createdAt: d.createdAt });
      expect(typeof mark.mac).toBe('string');
      expect(d.problem).toBeNull();
    }
  });

  it("refuses another datastore's folder, managed or chosen, whichever workspace asks, and writes nothing", async () => {
    const a = unwrap(await create('A', { type: 'filesystem', path: path.join(sandbox, 'a') }));
    unwrap(await put(a, 'kept.txt', 'A owns this'));
    const managed = unwrap(await create('Managed A'));
    const other = t.core.workspaces.create('B', t.admin).id;
    const keyOfB = keyActor(other, ['admin']);
    const before = count(t.core.db, 'datastores');
    for (const target of [folderOf(a), folderOf(managed)]) {
      const r = await create('Adopter', { type: 'filesystem', path: target }, keyOfB, other);
      expect(r, target).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'backend.path', message: expect.stringContaining('another datastore') } });
    }
    expect(count(t.core.db, 'datastores')).toBe(before);
    expect(objectFiles(folderOf(a))).toHaveLength(1);
  });

  it('refuses a folder inside or above a datastore, or inside the data dir', async () => {
    fs.mkdirSync(path.join(sandbox, 'outer'));
    const a = unwrap(await create('A', { type: 'filesystem', path: path.join(sandbox, 'outer', 'a') }));
    unwrap(await put(a, 'x.txt', 'x'));
    const root = folderOf(a);
    const cases: Array<[string, string]> = [
      [path.join(root, 'inner'), 'another datastore'],
      [path.join(root, '.tmp'), 'another datastore'],
      [path.join(root, 'objects'), 'another datastore'],
      [path.join(t.dataDir, 'new-folder'), 'data folder'],
      [path.join(t.dataDir, 'datastores', '00000000-0000-4000-8000-000000000001'), 'data folder'],
      [t.dataDir, 'data folder'],
    ];
    for (const [target, why] of cases) {
      const r = await create(`n-${path.basename(target)}`, { type: 'filesystem', path: target });
      expect(r, target).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'backend.path', message: expect.stringContaining(why) } });
    }
    // Above: the folder holding the datastore's folder (and nothing else).
    const above = await create('Above', { type: 'filesystem', path: path.join(sandbox, 'outer') });
    expect(above).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'backend.path', message: expect.stringContaining('another datastore') } });
    expect(fs.existsSync(path.join(root, 'inner'))).toBe(false);
    expect(fs.existsSync(path.join(t.dataDir, 'new-folder'))).toBe(false);
    expect(objectFiles(root)).toHaveLength(1);
  });

  it('refuses a folder that carries a mark, even one a deleted datastore left behind', async () => {
    const dir = path.join(sandbox, 'stale');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, MARK), JSON.stringify({ format: 1, datastoreId: '00000000-0000-4000-8000-000000000009', createdAt: '2026-01-01T00:00:00.000Z', mac: 'x' }));
    expect(await create('Stale', { type: 'filesystem', path: dir })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'backend.path', message: expect.stringContaining('mark') } });
  });

  it("deleting a datastore whose folder does not carry its mark touches none of the folder's files, and says so", async () => {
    const a = unwrap(await create('A', { type: 'filesystem', path: path.join(sandbox, 'a') }));
    unwrap(await put(a, 'one.txt', 'one'));
    const root = folderOf(a);
    // Someone else's mark (or a copy of the folder from elsewhere): the MAC does not verify.
    const mark = JSON.parse(fs.readFileSync(path.join(root, MARK), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(root, MARK), JSON.stringify({ ...mark, mac: Buffer.alloc(32, 1).toString('base64url') }));
    t = await reopen();
    const r = unwrap(await t.invoke('datastores:delete', { workspaceId: ws, datastoreId: a.id, force: true }));
    expect(r).toMatchObject({ deleted: true, objectsDeleted: 1, problem: expect.stringContaining("does not carry this datastore's mark") });
    expect(objectFiles(root)).toHaveLength(1);
    expect(fs.existsSync(path.join(root, MARK))).toBe(true);
    expect(t.core.audit.list({ workspaceId: ws, action: 'datastore.deleted' }, t.admin).items[0]!.details).toMatchObject({ filesLeft: true });
  });

  it('deleting a datastore that carries its mark removes its files and its mark, and keeps what is not its own', async () => {
    const a = unwrap(await create('A', { type: 'filesystem', path: path.join(sandbox, 'a') }));
    unwrap(await put(a, 'one.txt', 'one'));
    const root = folderOf(a);
    fs.writeFileSync(path.join(root, 'admin-notes.txt'), 'mine');
    expect(unwrap(await t.invoke('datastores:delete', { workspaceId: ws, datastoreId: a.id, force: true }))).toMatchObject({ deleted: true, objectsDeleted: 1 });
    expect(fs.readdirSync(root)).toEqual(['admin-notes.txt']);
  });

  it('a datastore whose folder lost its mark says so, refuses uploads, and works again once an admin re-attaches it (audited)', async () => {
    const a = unwrap(await create('A', { type: 'filesystem', path: path.join(sandbox, 'a') }));
    unwrap(await put(a, 'one.txt', 'one'));
    fs.rmSync(path.join(folderOf(a), MARK));
    t = await reopen();
    const got = unwrap(await t.invoke('datastores:get', { workspaceId: ws, datastoreId: a.id }));
    expect(got.problem).toContain("does not carry this datastore's mark; re-attach it");
    expect(await put(a, 'two.txt', 'two')).toMatchObject({ ok: false, error: { code: 'PRECONDITION_FAILED', message: expect.stringContaining('re-attach') } });
    // The sweep at start left the unmarked folder alone.
    expect(objectFiles(folderOf(a))).toHaveLength(1);

    const as = roleActors(t.core);
    for (const actor of [as('editor', ws), keyActor(ws, ['datastores:write'])]) {
      expect(await t.invoke('datastores:reattach', { workspaceId: ws, datastoreId: a.id }, actor)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(fs.existsSync(path.join(folderOf(a), MARK))).toBe(false);
    const re = unwrap(await t.invoke('datastores:reattach', { workspaceId: ws, datastoreId: a.id }));
    expect(re.problem).toBeNull();
    expect(JSON.parse(fs.readFileSync(path.join(folderOf(a), MARK), 'utf8'))).toMatchObject({ datastoreId: a.id });
    unwrap(await put(a, 'two.txt', 'two'));
    const { stream } = await t.core.datastores.read(t.admin, ws, a.id, 'one.txt');
    stream.destroy();
    const ev = t.core.audit.list({ workspaceId: ws, action: 'datastore.folder_reattached' }, t.admin).items[0];
    expect(ev).toMatchObject({ risk: 'high', target: { type: 'datastore', id: a.id } });
  });

  it('re-attaching refuses a folder that is another datastore’s', async () => {
    const a = unwrap(await create('A', { type: 'filesystem', path: path.join(sandbox, 'a') }));
    const b = unwrap(await create('B', { type: 'filesystem', path: path.join(sandbox, 'b') }));
    // B's row made to point at A's folder (as a restore of an old database could).
    const config = JSON.parse((t.core.db.prepare('SELECT backend_config AS c FROM datastores WHERE id = ?').get(b.id) as { c: string }).c) as Record<string, unknown>;
    t.core.db.prepare('UPDATE datastores SET backend_config = ? WHERE id = ?').run(JSON.stringify({ ...config, path: folderOf(a) }), b.id);
    expect(await t.invoke('datastores:reattach', { workspaceId: ws, datastoreId: b.id })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('another datastore') },
    });
    expect(JSON.parse(fs.readFileSync(path.join(folderOf(a), MARK), 'utf8'))).toMatchObject({ datastoreId: a.id });
  });
});

describe('datastores made before marks (upgrade)', () => {
  /** The row and folder as the previous release left them: no mark file, no `marked` in the settings. */
  function makeLegacy(d: Datastore, pathOverride?: string) {
    const row = t.core.db.prepare('SELECT backend_config AS c FROM datastores WHERE id = ?').get(d.id) as { c: string };
    const { marked: _m, ...old } = JSON.parse(row.c) as Record<string, unknown>;
    t.core.db.prepare('UPDATE datastores SET backend_config = ? WHERE id = ?').run(JSON.stringify({ ...old, ...(pathOverride ? { path: pathOverride } : {}) }), d.id);
    fs.rmSync(path.join(folderOf(d), MARK), { force: true });
  }

  it('the first start with the vault open marks the folder of a datastore that is the only one pointing at it', async () => {
    const a = unwrap(await create('Old', { type: 'filesystem', path: path.join(sandbox, 'old') }));
    const m = unwrap(await create('Old managed'));
    unwrap(await put(a, 'one.txt', 'one'));
    makeLegacy(a);
    makeLegacy(m);
    t = await reopen();
    for (const d of [a, m]) {
      expect(JSON.parse(fs.readFileSync(path.join(folderOf(d), MARK), 'utf8')), d.name).toMatchObject({ datastoreId: d.id });
      expect(unwrap(await t.invoke('datastores:get', { workspaceId: ws, datastoreId: d.id })).problem).toBeNull();
    }
    unwrap(await put(a, 'two.txt', 'two'));
    expect(objectFiles(folderOf(a))).toHaveLength(2);
  });

  it('two old datastores on one folder: neither is marked, and neither sweeps the other’s files at start', async () => {
    const a = unwrap(await create('A', { type: 'filesystem', path: path.join(sandbox, 'shared') }));
    const b = unwrap(await create('B', { type: 'filesystem', path: path.join(sandbox, 'b') }));
    unwrap(await put(a, 'a.txt', 'A'));
    unwrap(await put(b, 'b.txt', 'B'));
    makeLegacy(a);
    makeLegacy(b, folderOf(a));
    // B's object file moved along with its row, as if both had always been there.
    const bFile = objectFiles(folderOf(b))[0]!;
    fs.mkdirSync(path.join(folderOf(a), 'objects', bFile.slice(0, 2)), { recursive: true });
    fs.renameSync(path.join(folderOf(b), 'objects', bFile.slice(0, 2), bFile), path.join(folderOf(a), 'objects', bFile.slice(0, 2), bFile));
    t = await reopen();
    expect(objectFiles(folderOf(a))).toHaveLength(2);
    expect(fs.existsSync(path.join(folderOf(a), MARK))).toBe(false);
    for (const d of [a, b]) expect(unwrap(await t.invoke('datastores:get', { workspaceId: ws, datastoreId: d.id })).problem, d.name).toContain('re-attach');
  });
});

describe('a custom folder is an admin’s choice', () => {
  it('an editor or a datastores:write key that names a folder gets 403; without one they get the managed folder', async () => {
    const as = roleActors(t.core);
    for (const actor of [as('editor', ws), keyActor(ws, ['datastores:write'])]) {
      const r = await create(`by ${actor.kind}`, { type: 'filesystem', path: path.join(sandbox, actor.kind) }, actor);
      expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: 'only an admin may choose a folder; leave it empty for the managed folder' } });
      expect(fs.existsSync(path.join(sandbox, actor.kind))).toBe(false);
      const managed = unwrap(await create(`managed by ${actor.kind}`, undefined, actor));
      expect(folderOf(managed).startsWith(t.dataDir)).toBe(true);
    }
  });

  it('an admin user, an admin-scope key and the local admin may choose one', async () => {
    const as = roleActors(t.core);
    const actors: Actor[] = [as('admin', ws), keyActor(ws, ['admin']), localActor(t.core.config)];
    for (const [i, actor] of actors.entries()) unwrap(await create(`chosen ${i}`, { type: 'filesystem', path: path.join(sandbox, `c${i}`) }, actor));
  });
});

describe('paths are checked before anything is written', () => {
  it('refuses relative, unnormalised, NUL, system, file and parentless paths with 400 on backend.path, writing nothing', async () => {
    const file = path.join(sandbox, 'a-file');
    fs.writeFileSync(file, 'not a folder');
    const cases: Array<[string, string]> = [
      ['relative/dir', 'absolute'],
      [`${sandbox}/x/../y`, 'normalised'],
      [`${sandbox}//y`, 'normalised'],
      [`${sandbox}/nul\0byte`, 'NUL'],
      ['/proc/self/x', '/proc'],
      ['/proc', '/proc'],
      ['/sys/kernel/x', '/sys'],
      ['/dev/shm/p1-datastore', '/dev'],
      [file, 'is a file'],
      [path.join(file, 'below'), 'is a file'],
      [path.join(sandbox, 'missing', 'child'), 'does not exist'],
    ];
    const audit = count(t.core.db, 'audit_events');
    for (const [p, why] of cases) {
      const t0 = performance.now();
      const r = await create('Bad path', { type: 'filesystem', path: p });
      expect(r, JSON.stringify(p)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'backend.path', message: expect.stringContaining(why) } });
      expect(performance.now() - t0, p).toBeLessThan(2000);
    }
    expect(count(t.core.db, 'datastores')).toBe(0);
    expect(count(t.core.db, 'audit_events')).toBe(audit);
    expect(fs.existsSync('/dev/shm/p1-datastore')).toBe(false);
    expect(fs.readdirSync(sandbox)).toEqual(['a-file']);
  });

  it('a create that fails after making its folder removes the folder and its mark again', async () => {
    // Two creates with one name: both pass the early name check; the second finds the name taken only when its row
    // is written, after it made and marked its folder.
    const [first, second] = await Promise.all([
      create('Twin', { type: 'filesystem', path: path.join(sandbox, 'one') }),
      create('twin', { type: 'filesystem', path: path.join(sandbox, 'two') }),
    ]);
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'name' } });
    expect(fs.existsSync(path.join(sandbox, 'two'))).toBe(false);
    expect(count(t.core.db, 'datastores')).toBe(1);
    // An existing folder that was taken as it was is kept, only the mark goes.
    fs.mkdirSync(path.join(sandbox, 'kept'));
    const [, again] = await Promise.all([create('Pair', { type: 'filesystem', path: path.join(sandbox, 'p1') }), create('PAIR', { type: 'filesystem', path: path.join(sandbox, 'kept') })]);
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(fs.readdirSync(path.join(sandbox, 'kept'))).toEqual([]);
  });

  it('creates the folder in an existing one, and an empty existing folder is taken as it is', async () => {
    const fresh = unwrap(await create('Fresh', { type: 'filesystem', path: path.join(sandbox, 'fresh') }));
    expect(fs.statSync(folderOf(fresh)).isDirectory()).toBe(true);
    fs.mkdirSync(path.join(sandbox, 'empty'));
    unwrap(await create('Empty', { type: 'filesystem', path: path.join(sandbox, 'empty') }));
    fs.mkdirSync(path.join(sandbox, 'busy'));
    fs.writeFileSync(path.join(sandbox, 'busy', 'notes.txt'), 'x');
    expect(await create('Busy', { type: 'filesystem', path: path.join(sandbox, 'busy') })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'backend.path' } });
  });
});

/** The same data dir opened again (a restart): the vault unlocks from the same key store at start, as the app's does. */
async function reopen(): Promise<T> {
  t.core.close();
  const next = makeTestCore({ keyStore }, t.dataDir);
  await next.core.start();
  return next as T;
}
