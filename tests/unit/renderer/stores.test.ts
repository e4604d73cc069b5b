import { describe, expect, it } from 'vitest';
import type { Api } from '@shared/ipc/api';
import type { Channel } from '@shared/ipc/contract';
import { createSessionStore } from '../../../renderer/src/features/session/session-store';
import { createStoragePreferences } from '../../../renderer/src/api/preferences-port';
import { createAuditStore } from '../../../renderer/src/features/audit/audit-store';
import { createVaultStore } from '../../../renderer/src/features/vault/vault-store';
import { createHttpBridge } from '../../../renderer/src/api/bridge';
import fs from 'node:fs';
import path from 'node:path';
import { createDatastoresStore } from '../../../renderer/src/features/datastores/datastores-store';
import { createPathUploader } from '../../../renderer/src/api/uploader';
import { makeReadyCore, makeTestCore, tempDir } from '../../helpers/test-core';

/** The renderer's stores driven by the real core through dispatch: the same path the bridges take. */
function coreApi() {
  const t = makeTestCore();
  const api: Api = {
    invoke: ((ch: Channel, input: unknown) => t.invoke(ch, input as never)) as Api['invoke'],
    on: () => () => {},
  };
  return { t, api };
}

describe('session store', () => {
  it('loads the session and workspaces, creates and selects a new one, remembers it', async () => {
    const { t, api } = coreApi();
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
    const s = createSessionStore(api, createStoragePreferences(storage));
    await s.getState().load();
    expect(s.getState().status).toBe('ready');
    expect(s.getState().workspaces.map((w) => w.name)).toEqual(['Default']);
    expect(s.getState().role()).toBe('admin');
    expect(await s.getState().createWorkspace('Team B')).toBeNull();
    const teamB = s.getState().workspaces.find((w) => w.name === 'Team B')!;
    expect(s.getState().currentWorkspaceId).toBe(teamB.id);
    const again = createSessionStore(api, createStoragePreferences(storage));
    await again.getState().load();
    expect(again.getState().currentWorkspaceId).toBe(teamB.id);
    expect(await s.getState().createWorkspace('team b')).toMatchObject({ code: 'CONFLICT' });
    t.close();
  });
});

describe('first load (app:bootstrap)', () => {
  it('the session and vault stores take its answer instead of asking their own channels', async () => {
    const { t, api } = coreApi();
    const asked: string[] = [];
    const counting: Api = { ...api, invoke: ((ch: Channel, input: unknown) => (asked.push(ch), api.invoke(ch as never, input as never))) as Api['invoke'] };
    const first = counting.invoke('app:bootstrap', undefined);
    const session = createSessionStore(counting);
    const vault = createVaultStore(counting);
    await Promise.all([session.getState().load(first), vault.getState().load(first.then((r) => (r.ok ? { ok: true as const, value: r.value.vault } : r)))]);
    expect(asked).toEqual(['app:bootstrap']);
    expect(session.getState()).toMatchObject({ status: 'ready', workspaces: [{ name: 'Default' }] });
    expect(session.getState().role()).toBe('admin');
    expect(vault.getState().status?.state).toBe('uninitialized');
    // Later loads (pushes, after a change) ask their own channels again.
    await session.getState().load();
    await vault.getState().load();
    expect(asked).toEqual(['app:bootstrap', 'session:info', 'workspaces:list', 'vault:status']);
    t.close();
  });

  it('a failed first load is the session error and the vault load error, as a failed load of each would be', async () => {
    const api: Api = { invoke: () => Promise.reject(new Error('the stores must not ask again')), on: () => () => {} };
    const failed = Promise.resolve({ ok: false as const, error: { code: 'UNAVAILABLE' as const, message: 'the console server is not reachable' } });
    const session = createSessionStore(api);
    const vault = createVaultStore(api);
    await Promise.all([session.getState().load(failed), vault.getState().load(failed)]);
    expect(session.getState()).toMatchObject({ status: 'error', error: { code: 'UNAVAILABLE' } });
    expect(vault.getState().status).toBeUndefined();
    expect(vault.getState().loadError).toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('audit store', () => {
  it('loads newest first, filters, and appends the next page', async () => {
    const { t, api } = coreApi();
    const ws = t.core.workspaces.create('Busy', t.admin);
    for (let i = 0; i < 60; i++) t.core.workspaces.rename(ws.id, `Busy ${i}`, t.admin);
    const a = createAuditStore(api);
    await a.getState().load(ws.id);
    expect(a.getState().items).toHaveLength(50);
    expect(a.getState().items[0]!.details).toMatchObject({ to: 'Busy 59' });
    await a.getState().loadMore();
    expect(a.getState().items).toHaveLength(61);
    expect(a.getState().nextCursor).toBeNull();
    await a.getState().load(ws.id, { action: 'workspace.created' });
    expect(a.getState().items.map((e) => e.action)).toEqual(['workspace.created']);
    t.close();
  });
});

describe('HTTP bridge', () => {
  it('posts the input with the token and returns the envelope; a dead server is UNAVAILABLE, not a throw', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ ok: true, value: [] }));
    }) as unknown as typeof fetch;
    const bridge = createHttpBridge('http://127.0.0.1:9', 'tok', fakeFetch);
    expect(await bridge.invoke('workspaces:list', undefined)).toEqual({ ok: true, value: [] });
    expect(calls[0]!.url).toBe('http://127.0.0.1:9/ipc/workspaces%3Alist');
    expect((calls[0]!.init.headers as Record<string, string>)['x-console-token']).toBe('tok');
    const dead = createHttpBridge('http://127.0.0.1:9', 'tok', (async () => Promise.reject(new Error('ECONNREFUSED'))) as typeof fetch);
    expect(await dead.invoke('workspaces:list', undefined)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });
});

describe('datastores store: save as (desktop)', () => {
  it('asks the core to save through its dialog and reports the path, a cancel (null) or the error', async () => {
    const answers: Array<string | null> = [];
    const t = await makeReadyCore({ chooseSavePath: async () => answers.shift() ?? null });
    const out = tempDir();
    const api: Api = { invoke: ((ch: Channel, input: unknown) => t.invoke(ch, input as never)) as Api['invoke'], on: () => () => {} };
    const ws = t.core.workspaces.defaultWorkspace().id;
    const s = createDatastoresStore(api, createPathUploader(api, () => ''));
    await s.getState().load(ws);
    expect(await s.getState().create({ name: 'Reports' })).toBeNull();
    s.getState().select(s.getState().datastores[0]!.id);
    await s.getState().browse('');
    unwrapOk(await api.invoke('datastores:objects:putText', { workspaceId: ws, datastoreId: s.getState().selectedId!, key: 'r/a.txt', content: 'hello' }));
    answers.push(path.join(out, 'a.txt'));
    expect(await s.getState().saveObjectAs('r/a.txt')).toEqual({ path: path.join(out, 'a.txt') });
    expect(fs.readFileSync(path.join(out, 'a.txt'), 'utf8')).toBe('hello');
    expect(await s.getState().saveObjectAs('r/a.txt')).toBeNull();
    expect(await s.getState().saveObjectAs('r/missing.txt')).toMatchObject({ code: 'NOT_FOUND' });
    t.close();
    fs.rmSync(out, { recursive: true, force: true });
  });
});

describe('datastores store: folders', () => {
  it('re-attaches a folder, and a delete that left the folder untouched says why', async () => {
    const t = await makeReadyCore();
    const api: Api = { invoke: ((ch: Channel, input: unknown) => t.invoke(ch, input as never)) as Api['invoke'], on: () => () => {} };
    const ws = t.core.workspaces.defaultWorkspace().id;
    const s = createDatastoresStore(api, createPathUploader(api, () => ''));
    await s.getState().load(ws);
    expect(await s.getState().create({ name: 'Marked' })).toBeNull();
    const ds = s.getState().datastores[0]!;
    expect(await s.getState().reattach(ds.id)).toBeNull();
    expect(t.core.audit.list({ workspaceId: ws, action: 'datastore.folder_reattached' }, t.admin).items).toHaveLength(1);
    const folder = ds.backend.type === 'filesystem' ? ds.backend.path : '';
    fs.rmSync(path.join(folder, '.provenance-datastore'));
    expect(await s.getState().remove(ds.id, false)).toBeNull();
    expect(s.getState().notice).toContain("does not carry this datastore's mark");
    expect(s.getState().datastores).toEqual([]);
    expect(fs.existsSync(folder)).toBe(true);
    t.close();
  });
});

function unwrapOk<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}
