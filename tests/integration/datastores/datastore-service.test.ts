import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '@shared/domain/common';
import { count, makeReadyCore, tempDir, unwrap } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';
import { canary, scanForCanaries } from '../../helpers/canary';
import { S3RVER_CREDS, startS3rver } from '../../helpers/s3rver';

type T = Awaited<ReturnType<typeof makeReadyCore>>;
let t: T;
let ws: string;
beforeEach(async () => {
  t = await makeReadyCore();
  ws = t.core.workspaces.defaultWorkspace().id;
});
afterEach(() => t.close());

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const create = async (name = 'Reports', extra: Record<string, unknown> = {}) =>
  unwrap(await t.invoke('datastores:create', { workspaceId: ws, name, ...extra } as never));
const put = (datastoreId: string, key: string, content: string, workspaceId = ws) =>
  t.invoke('datastores:objects:putText', { workspaceId, datastoreId, key, content });

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('datastores', () => {
  it('creates a filesystem datastore under the data dir by default, audited, and lists it', async () => {
    const ds = await create('Reports', { description: 'monthly CSVs' });
    expect(ds).toMatchObject({ name: 'Reports', description: 'monthly CSVs', backend: { type: 'filesystem', encrypted: true }, objectCount: 0, bytesUsed: 0 });
    expect(ds.backend.type === 'filesystem' && ds.backend.path.startsWith(t.dataDir)).toBe(true);
    expect(unwrap(await t.invoke('datastores:list', { workspaceId: ws })).items.map((d) => d.name)).toEqual(['Reports']);
    const ev = t.core.audit.list({ workspaceId: ws, action: 'datastore.created' }, t.admin).items[0];
    expect(ev).toMatchObject({ target: { type: 'datastore', id: ds.id, name: 'Reports' }, details: { backend: 'filesystem' } });
  });

  it('refuses a duplicate name and bad input, naming the field and writing nothing', async () => {
    await create('Reports');
    const before = count(t.core.db, 'datastores');
    expect(await t.invoke('datastores:create', { workspaceId: ws, name: 'reports' })).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'name' } });
    expect(await t.invoke('datastores:create', { workspaceId: ws, name: '' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'name' } });
    expect(await t.invoke('datastores:create', { workspaceId: ws, name: 'x', backend: { type: 'filesystem', path: 'relative/dir' } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', field: 'backend.path' },
    });
    expect(await t.invoke('datastores:create', { workspaceId: ws, name: 'x', backend: { type: 'ftp' } } as never)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(count(t.core.db, 'datastores')).toBe(before);
  });

  it('stores objects with metadata, lists folders by prefix and delimiter, and pages with a cursor', async () => {
    const ds = await create();
    for (const k of ['a.txt', 'reports/2026/jan.csv', 'reports/2026/feb.csv', 'reports/summary.json', 'reports2/x', 'z/y/z'])
      unwrap(await put(ds.id, k, `content of ${k}`));
    const o = unwrap(await t.invoke('datastores:objects:head', { workspaceId: ws, datastoreId: ds.id, key: 'reports/summary.json' }));
    expect(o).toMatchObject({ contentType: 'application/json', size: 'content of reports/summary.json'.length, sha256: sha('content of reports/summary.json'), uploadedBy: 'tester' });

    const top = unwrap(await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: ds.id, delimiter: '/' }));
    expect(top.items.map((i) => i.key)).toEqual(['a.txt']);
    expect(top.prefixes).toEqual(['reports/', 'reports2/', 'z/']);
    const inReports = unwrap(await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: ds.id, prefix: 'reports/', delimiter: '/' }));
    expect(inReports.items.map((i) => i.key)).toEqual(['reports/summary.json']);
    expect(inReports.prefixes).toEqual(['reports/2026/']);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = unwrap(await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: ds.id, limit: 2, cursor }));
      seen.push(...page.items.map((i) => i.key));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['a.txt', 'reports/2026/feb.csv', 'reports/2026/jan.csv', 'reports/summary.json', 'reports2/x', 'z/y/z']);

    const usage = unwrap(await t.invoke('datastores:usage', { workspaceId: ws }));
    expect(usage.objectCount).toBe(6);
    expect(usage.datastores[0]).toMatchObject({ id: ds.id, objectCount: 6 });
    expect(usage.bytesUsed).toBe(usage.datastores[0]!.bytesUsed);
  });

  it('replaces an object in place: one row, the new bytes, the old file gone', async () => {
    const ds = await create();
    unwrap(await put(ds.id, 'k', 'first'));
    unwrap(await put(ds.id, 'k', 'second version'));
    const { stream } = await t.core.datastores.read(t.admin, ws, ds.id, 'k');
    expect((await readAll(stream)).toString()).toBe('second version');
    const root = ds.backend.type === 'filesystem' ? ds.backend.path : '';
    expect(filesUnder(path.join(root, 'objects'))).toHaveLength(1);
    const events = t.core.audit.list({ workspaceId: ws, action: 'datastore.object_uploaded' }, t.admin).items;
    expect(events[0]!.details).toMatchObject({ objectKey: 'k', replaced: true });
  });

  it('deletes an object with datastore.object_deleted; keys must match exactly', async () => {
    const ds = await create();
    unwrap(await put(ds.id, 'reports/2026-05-01.csv', 'a,b'));
    expect(await t.invoke('datastores:objects:delete', { workspaceId: ws, datastoreId: ds.id, key: 'reports//2026-05-01.csv' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    unwrap(await t.invoke('datastores:objects:delete', { workspaceId: ws, datastoreId: ds.id, key: 'reports/2026-05-01.csv' }));
    const ev = t.core.audit.list({ workspaceId: ws, action: 'datastore.object_deleted' }, t.admin).items[0];
    expect(ev).toMatchObject({ risk: 'medium', target: { id: ds.id }, details: { objectKey: 'reports/2026-05-01.csv' } });
    expect(count(t.core.db, 'datastore_objects')).toBe(0);
  });

  it('refuses to delete a non-empty datastore unless forced, then removes its files', async () => {
    const ds = await create();
    unwrap(await put(ds.id, 'x', 'y'));
    expect(await t.invoke('datastores:delete', { workspaceId: ws, datastoreId: ds.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(unwrap(await t.invoke('datastores:delete', { workspaceId: ws, datastoreId: ds.id, force: true }))).toEqual({ deleted: true, objectsDeleted: 1 });
    expect(fs.existsSync(ds.backend.type === 'filesystem' ? ds.backend.path : '')).toBe(false);
    expect(t.core.audit.list({ workspaceId: ws, action: 'datastore.deleted' }, t.admin).items[0]!.details).toMatchObject({ objectsDeleted: 1, forced: true });
  });

  it('runs storage steps: put, then get gives { fileContent, contentType, size } for context.fileContent', async () => {
    const ds = await create();
    unwrap(await t.invoke('datastores:storageStep', { action: 'put', workspaceId: ws, datastoreId: ds.id, key: 'reports/2026-05-01.csv', content: 'a,b\n1,2\n' }));
    const out = unwrap(await t.invoke('datastores:storageStep', { action: 'get', workspaceId: ws, datastoreId: ds.id, key: 'reports/2026-05-01.csv' }));
    expect(out).toMatchObject({ fileContent: 'a,b\n1,2\n', contentType: 'text/csv', size: 8 });
    expect(await t.invoke('datastores:storageStep', { action: 'get', workspaceId: ws, datastoreId: ds.id, key: 'reports/2026-05-01.CSV' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('streams a dropped file from its path, pushing progress and ending with done', async () => {
    const ds = await create();
    const dir = tempDir();
    const file = path.join(dir, 'big.bin');
    const data = Buffer.alloc(3 * 1024 * 1024, 7);
    fs.writeFileSync(file, data);
    const states: string[] = [];
    const off = t.core.bus.subscribe((e, p) => {
      if (e === 'datastores:uploadProgress') states.push((p as { state: string }).state);
    });
    const o = unwrap(await t.invoke('datastores:uploadFromPath', { workspaceId: ws, datastoreId: ds.id, key: 'drops/big.bin', path: file, uploadId: 'u1' }));
    off();
    expect(o).toMatchObject({ size: data.length, sha256: sha(data) });
    expect(states.at(-1)).toBe('done');
    expect(await t.invoke('datastores:uploadFromPath', { workspaceId: ws, datastoreId: ds.id, key: 'k', path: 'relative' })).toMatchObject({ ok: false, error: { field: 'path' } });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('cancels a running upload: nothing stored, state cancelled', async () => {
    const ds = await create();
    const body = new Readable({ read() {} });
    // Over two 1 MiB chunks: an encrypted chunk is taken (and metered) once the next one is known to exist.
    body.push(Buffer.alloc(3 * 1024 * 1024));
    // Cancelled once it is under way: its first progress push says bytes were taken.
    const running = new Promise<void>((resolve) => {
      const off = t.core.bus.subscribe((e, p) => {
        const u = p as { uploadId?: string; state?: string; bytes?: number };
        if (e === 'datastores:uploadProgress' && u.uploadId === 'cancel-me' && u.state === 'running' && (u.bytes ?? 0) > 0) resolve(off());
      });
    });
    const done = t.core.datastores.putStream(t.admin, ws, ds.id, 'slow.bin', body, { uploadId: 'cancel-me' });
    await Promise.race([running, done]);
    expect(unwrap(await t.invoke('datastores:cancelUpload', { uploadId: 'cancel-me' }))).toEqual({ cancelled: true });
    await expect(done).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('cancelled') });
    expect(count(t.core.db, 'datastore_objects')).toBe(0);
    const root = ds.backend.type === 'filesystem' ? ds.backend.path : '';
    // Nothing but the datastore's own mark.
    expect(filesUnder(root)).toEqual([path.join(root, '.provenance-datastore')]);
  });

  it('needs an unlocked vault to read or write objects', async () => {
    const ds = await create();
    unwrap(await put(ds.id, 'k', 'v'));
    // A fresh core (new process) on the same data dir, with the vault left locked.
    t.core.close();
    const { createCore } = await import('@core/index');
    const { createMemoryKeyStore } = await import('../../fakes/memory-key-store');
    const locked = createCore({ dataDir: t.dataDir, mode: 'headless', version: 'x', localUser: 'tester' }, { keyStore: createMemoryKeyStore() });
    await expect(locked.datastores.read(t.admin, ws, ds.id, 'k')).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    locked.close();
  });
});

describe('object keys are never paths', () => {
  const long = 'a'.repeat(1024);
  const HOSTILE = [
    '../escape.txt',
    '../../../../../../tmp/p1-escape',
    '/etc/passwd',
    '/absolute/key',
    'C:\\Windows\\System32\\evil.dll',
    '\\\\server\\share\\x',
    'a/../../b',
    './.',
    '..',
    '.',
    '....//....//x',
    'CON',
    'nul.txt',
    'COM1',
    'LPT9.log',
    'aux',
    'trailing.dot.',
    'trailing space ',
    'caf\u00e9', // NFC
    'cafe\u0301', // NFD of the same word: a different key
    '\u212B', // Angstrom sign; NFC normalises it to Å
    'Å',
    'ｆｕｌｌｗｉｄｔｈ／ｓｌａｓｈ',
    '..\u2215..\u2215etc', // division slash
    'dir/\u202Eexe.txt',
    'emoji/📦/file',
    'newline\nkey',
    'tab\tkey',
    '%2e%2e%2fencoded',
    long,
    `${'é'.repeat(512)}`, // 1024 UTF-8 bytes exactly
  ];

  it('stores every hostile key inside the datastore root only, each as its own object', async () => {
    const sandbox = tempDir('p1-sandbox-');
    // Deep enough that every traversal key in the corpus would land inside the sandbox if it were used as a path.
    const root = path.join(sandbox, 'a', 'b', 'c', 'd', 'e', 'f', 'root');
    // A datastore's folder is made one level at a time only: its parent must exist.
    fs.mkdirSync(path.dirname(root), { recursive: true });
    const ds = await create('Hostile', { backend: { type: 'filesystem', path: root } });
    for (const [i, key] of HOSTILE.entries()) unwrap(await put(ds.id, key, `value ${i}`));
    const everything = fs.readdirSync(sandbox, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    for (const f of everything) expect(path.relative(root, f).startsWith('..'), f).toBe(false);
    expect(filesUnder(path.join(root, 'objects'))).toHaveLength(HOSTILE.length);
    expect(fs.readdirSync(root).sort()).toEqual(['.provenance-datastore', '.tmp', 'objects']);
    expect(fs.readdirSync(path.join(root, '.tmp'))).toEqual([]);
    expect(fs.existsSync('/tmp/p1-escape')).toBe(false);
    expect(fs.existsSync('/etc/passwd') && fs.readFileSync('/etc/passwd', 'utf8').startsWith('value')).toBe(false);
    for (const [i, key] of HOSTILE.entries()) {
      const { stream } = await t.core.datastores.read(t.admin, ws, ds.id, key);
      expect((await readAll(stream)).toString()).toBe(`value ${i}`);
    }
    fs.rmSync(sandbox, { recursive: true, force: true });
  });

  it('refuses a tampered locator in the database (../../x): read and delete fail and touch nothing outside the root', async () => {
    const ds = await create();
    unwrap(await put(ds.id, 'k', 'stored'));
    const root = ds.backend.type === 'filesystem' ? ds.backend.path : '';
    const inside = filesUnder(root).sort();
    for (const locator of ['../../x', '../../../x', '/etc/hostname', `..${path.sep}victim`]) {
      // Where the path would land if the locator became a path unchecked (objects/<first two chars>/<locator>).
      const target = path.join(root, 'objects', locator.slice(0, 2), locator);
      const outside = !path.relative(root, target).startsWith('..') ? null : target;
      if (outside && !fs.existsSync(outside)) fs.writeFileSync(outside, 'outside the root');
      const before = outside ? fs.readFileSync(outside) : null;
      t.core.db.prepare('UPDATE datastore_objects SET locator = ? WHERE datastore_id = ? AND key = ?').run(locator, ds.id, 'k');

      await expect(t.core.datastores.read(t.admin, ws, ds.id, 'k').then((r) => readAll(r.stream))).rejects.toThrow();
      // The service forgets the row (its bytes are for the sweep), but the path the locator names is left alone.
      unwrap(await t.invoke('datastores:objects:delete', { workspaceId: ws, datastoreId: ds.id, key: 'k' }));
      if (outside) expect(fs.readFileSync(outside)).toEqual(before);
      expect(filesUnder(root).sort()).toEqual(inside);
      unwrap(await put(ds.id, 'k', 'stored'));
      fs.rmSync(inside.find((f) => f.includes(`${path.sep}objects${path.sep}`))!, { force: true });
      inside.splice(0, inside.length, ...filesUnder(root).sort());
    }
  });

  it('refuses NUL, overlong, lone surrogates and empty keys with INVALID_INPUT on key', async () => {
    const ds = await create();
    for (const key of ['a\0b', '\0', 'a'.repeat(1025), `${'é'.repeat(512)}x`, 'bad\uD800surrogate', '']) {
      expect(await put(ds.id, key, 'v')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'key' } });
    }
    expect(count(t.core.db, 'datastore_objects')).toBe(0);
  });
});

describe('permissions (docs: Datastores table) and workspace isolation', () => {
  const expected: Record<string, Record<Role, boolean>> = {
    'create / delete datastore': { admin: true, editor: true, viewer: false },
    'upload / delete objects': { admin: true, editor: true, viewer: false },
    'read objects': { admin: true, editor: true, viewer: true },
    'create upload URL': { admin: true, editor: true, viewer: false },
  };

  it.each(['admin', 'editor', 'viewer'] as const)('%s gets exactly the docs cells', async (role) => {
    const as = roleActors(t.core)(role, ws);
    const ds = await create('Shared');
    unwrap(await put(ds.id, 'seed.txt', 'seed'));
    const results: Record<string, boolean> = {};
    const created = await t.invoke('datastores:create', { workspaceId: ws, name: `by-${role}` }, as);
    // The delete is always attempted, on a datastore an admin made: a viewer's refusal must come from the delete itself.
    const victim = await create(`victim-${role}`);
    const deleted = await t.invoke('datastores:delete', { workspaceId: ws, datastoreId: victim.id }, as);
    if (created.ok) unwrap(await t.invoke('datastores:delete', { workspaceId: ws, datastoreId: created.value.id }));
    results['create / delete datastore'] = created.ok && deleted.ok;
    // Each half on its own too: a delete that let a viewer through must not hide behind the refused create.
    expect({ created: created.ok, deleted: deleted.ok }).toEqual({ created: expected['create / delete datastore']![role], deleted: expected['create / delete datastore']![role] });
    if (!deleted.ok) expect(unwrap(await t.invoke('datastores:list', { workspaceId: ws })).items.map((d) => d.id)).toContain(victim.id);
    const up = await t.invoke('datastores:objects:putText', { workspaceId: ws, datastoreId: ds.id, key: `by-${role}`, content: 'x' }, as);
    const del = await t.invoke('datastores:objects:delete', { workspaceId: ws, datastoreId: ds.id, key: 'seed.txt' }, as);
    results['upload / delete objects'] = up.ok && del.ok;
    const list = await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: ds.id }, as);
    const headR = await t.invoke('datastores:objects:head', { workspaceId: ws, datastoreId: ds.id, key: del.ok ? `by-${role}` : 'seed.txt' }, as);
    results['read objects'] = list.ok && headR.ok;
    // The console server is not running here, so a writer's request reaches the backend check (UNAVAILABLE), a viewer's stops at FORBIDDEN.
    const url = await t.invoke('datastores:uploadUrl', { workspaceId: ws, datastoreId: ds.id, key: 'k', contentType: 'text/plain' }, as);
    results['create upload URL'] = url.ok || url.error.code !== 'FORBIDDEN';
    expect(results).toEqual(Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, v[role]])));
    for (const r of [created, up, del, url]) if (!r.ok && r.error.code === 'FORBIDDEN') expect(r.error.message).toContain('viewer');
  });

  it("a foreign workspace's datastore is a 403, whichever workspace id is presented", async () => {
    const other = unwrap(await t.invoke('workspaces:create', { name: 'Other' })).id;
    const ds = await create('Private');
    unwrap(await put(ds.id, 'secret-report.csv', 'x'));
    const outsider = roleActors(t.core)('admin', other, 'outsider');
    for (const workspaceId of [other, ws]) {
      for (const r of [
        await t.invoke('datastores:get', { workspaceId, datastoreId: ds.id }, outsider),
        await t.invoke('datastores:objects:list', { workspaceId, datastoreId: ds.id }, outsider),
        await t.invoke('datastores:objects:head', { workspaceId, datastoreId: ds.id, key: 'secret-report.csv' }, outsider),
        await t.invoke('datastores:uploadUrl', { workspaceId, datastoreId: ds.id, key: 'k', contentType: 'text/plain' }, outsider),
        await t.invoke('datastores:objects:putText', { workspaceId, datastoreId: ds.id, key: 'k', content: 'x' }, outsider),
      ]) {
        expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
    }
    expect(unwrap(await t.invoke('datastores:list', { workspaceId: other }, outsider)).items).toEqual([]);
  });
});

describe('S3 datastores through the service', () => {
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  beforeAll(async () => {
    s3 = await startS3rver();
    await s3.createBucket('ds-bucket');
  }, 30_000);
  afterAll(async () => s3?.stop());

  it('keeps the secret access key only in the vault, stores and reads objects, and syncs pre-signed uploads', async () => {
    const secret = canary('s3secret');
    const ds = await create('S3 store', {
      backend: { type: 's3', endpoint: s3.endpoint, region: 'us-east-1', bucket: 'ds-bucket', prefix: 'p1/', forcePathStyle: true, accessKeyId: S3RVER_CREDS.accessKeyId, secretAccessKey: secret },
    });
    expect(ds.backend).toMatchObject({ type: 's3', bucket: 'ds-bucket', prefix: 'p1/', accessKeyId: 'S3RVER' });
    expect(JSON.stringify(ds)).not.toContain(secret);
    expect(unwrap(await t.invoke('datastores:test', { workspaceId: ws, datastoreId: ds.id }))).toMatchObject({ ok: true });

    unwrap(await put(ds.id, 'reports/a.csv', 'x,y'));
    const { stream } = await t.core.datastores.read(t.admin, ws, ds.id, 'reports/a.csv');
    expect((await readAll(stream)).toString()).toBe('x,y');

    const url = unwrap(await t.invoke('datastores:uploadUrl', { workspaceId: ws, datastoreId: ds.id, key: 'direct/b.csv', contentType: 'text/csv' }));
    expect(url.url.startsWith(s3.endpoint)).toBe(true);
    const body = Buffer.from('direct,upload\n');
    expect((await fetch(url.url, { method: 'PUT', headers: url.headers, body })).status).toBe(200);
    const listed = unwrap(await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: ds.id, prefix: 'direct/' }));
    expect(listed.items).toEqual([expect.objectContaining({ key: 'direct/b.csv', size: body.length, sha256: sha(body) })]);
    expect(t.core.audit.list({ workspaceId: ws, action: 'datastore.upload_url_created' }, t.admin).items).toHaveLength(1);

    t.core.close();
    expect(scanForCanaries([secret], t.dataDir)).toEqual([]);
  });

  const s3backend = (over: Record<string, unknown> = {}) => ({
    type: 's3',
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: 'ds-bucket',
    forcePathStyle: true,
    // Named, not spread: the SDK marks the credentials object it was given (s3rver helper) with fields of its own.
    accessKeyId: S3RVER_CREDS.accessKeyId,
    secretAccessKey: S3RVER_CREDS.secretAccessKey,
    ...over,
  });
  const refused = async (name: string, backend: Record<string, unknown>) => {
    const r = await t.invoke('datastores:create', { workspaceId: ws, name, backend } as never);
    expect(unwrap(await t.invoke('datastores:list', { workspaceId: ws })).items.map((d) => d.name)).not.toContain(name);
    expect(t.core.audit.list({ workspaceId: ws, action: 'datastore.created' }, t.admin).items.filter((e) => e.target?.name === name)).toEqual([]);
    return r;
  };

  it('refuses to create an S3 datastore whose bucket cannot be used, saying why and which field to fix', async () => {
    expect(await refused('No bucket', s3backend({ bucket: 'no-such-bucket' }))).toMatchObject({
      ok: false,
      error: { code: 'PRECONDITION_FAILED', field: 'backend.bucket', message: `there is no bucket "no-such-bucket" at ${s3.endpoint}; create it first or fix the bucket name` },
    });
    // s3rver knows one access key id: any other is refused as S3 refuses an unknown key.
    const secret = canary('s3-wrong-key-secret');
    const badKey = await refused('Bad key', s3backend({ accessKeyId: 'AKIANOTKNOWN', secretAccessKey: secret }));
    expect(badKey).toMatchObject({ ok: false, error: { code: 'PRECONDITION_FAILED', field: 'backend.accessKeyId', message: expect.stringContaining('does not accept this access key id') } });
    expect(JSON.stringify(badKey)).not.toContain(secret);
    expect(await refused('Nowhere', s3backend({ endpoint: 'http://127.0.0.1:9', bucket: 'nowhere' }))).toMatchObject({
      ok: false,
      error: { code: 'PRECONDITION_FAILED', field: 'backend.endpoint', message: 'the S3 endpoint http://127.0.0.1:9 is unreachable; check the endpoint URL and your network' },
    });
    // The probe of a successful check is not left behind.
    const ok = await create('Checked', { backend: s3backend({ prefix: 'checked/' }) });
    expect(unwrap(await t.invoke('datastores:objects:list', { workspaceId: ws, datastoreId: ok.id })).items).toEqual([]);
    expect(fs.readdirSync(s3.dir, { recursive: true }).map(String).filter((f) => f.includes('provenance-probe'))).toEqual([]);
  });

  it('says an endpoint that stopped answering after the create is unreachable (Test and uploads)', async () => {
    const gone = await startS3rver();
    await gone.createBucket('soon-gone');
    const ds = await create('Gone', { backend: s3backend({ endpoint: gone.endpoint, bucket: 'soon-gone' }) });
    expect(unwrap(await t.invoke('datastores:test', { workspaceId: ws, datastoreId: ds.id }))).toMatchObject({ ok: true });
    await gone.stop();
    const r = unwrap(await t.invoke('datastores:test', { workspaceId: ws, datastoreId: ds.id }));
    expect(r).toMatchObject({ ok: false, message: expect.stringContaining('unreachable') });
    expect(await put(ds.id, 'k', 'v')).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringContaining('unreachable') } });
  }, 30_000);
});
